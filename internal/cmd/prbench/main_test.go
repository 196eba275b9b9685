package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/compare"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// journal writes a run of 2 cases × 10 samples: e2e is the median latency;
// failing cases fail every sample with class; retried cases pass on the
// second attempt.
func journal(t *testing.T, path string, e2e time.Duration, failing map[string]string, retried map[string]bool) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	os.Remove(path)
	j, err := report.CreateJournal(path, record.Meta{Mode: "replay", Model: "m"})
	require.NoError(t, err)
	for _, c := range []string{"add_numbers", "is_even"} {
		for i := range 10 {
			d := e2e + time.Duration(i-5)*e2e/100
			r := &record.Result{Suite: "simple", Case: c, Sample: i, Mode: "replay", Success: true, Attempts: 1,
				Stage1: record.Stage{Latency: d / 2, SchemaChecked: 1, SchemaValid: 1}, Stage2: record.Stage{Latency: d / 2, SchemaChecked: 1, SchemaValid: 1},
				E2E: d, CostUSD: d.Seconds() * 0.6 / 3600, Source: "def f(): pass"}
			if class, ok := failing[c]; ok {
				r.Success = false
				r.Validation.Class = class
			}
			if retried[c] {
				r.Attempts = 2
				r.Failures = []record.Attempt{{Attempt: 1, Error: "SyntaxError"}}
			}
			require.NoError(t, j.Append(r))
		}
	}
	require.NoError(t, j.Close())
}

func gitT(t *testing.T, dir string, args ...string) {
	t.Helper()
	c := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := c.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

// TestPRFlowOnAThrowawayRepository runs the workflow's logic on a git
// repository made here: a base commit and two head commits, the
// "benchmark" a script that copies the commit's journal to $LIFTTEST_OUT.
func TestPRFlowOnAThrowawayRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	gitT(t, repo, "init", "-q", "-b", "main")
	require.NoError(t, os.WriteFile(filepath.Join(repo, "bench.sh"), []byte("cp run.jsonl \"$LIFTTEST_OUT/journal-1.jsonl\"\n"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "baselines"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "baselines", "compare.json"), []byte(`{"default": {"latency": 0.10}}`), 0o644))
	journal(t, filepath.Join(repo, "run.jsonl"), time.Second, nil, nil)
	gitT(t, repo, "add", ".")
	gitT(t, repo, "commit", "-q", "-m", "base")
	// head 1: 30 % slower, is_even fails as a syntax error, add_numbers
	// needs a retry.
	journal(t, filepath.Join(repo, "run.jsonl"), 1300*time.Millisecond, map[string]string{"is_even": "syntax_error"}, map[string]bool{"add_numbers": true})
	gitT(t, repo, "commit", "-q", "-am", "slow head")
	// head 2: as base.
	journal(t, filepath.Join(repo, "run.jsonl"), time.Second, nil, nil)
	gitT(t, repo, "commit", "-q", "-am", "fixed head")

	comment := filepath.Join(t.TempDir(), "comment.md")
	var out, errb bytes.Buffer
	err := run(&out, &errb, []string{"-repo", repo, "-base", "HEAD~2", "-head", "HEAD~1", "-cmd", "sh bench.sh", "-comment", comment})
	require.ErrorIs(t, err, compare.ErrRegression, "%s\n%s", out.String(), errb.String())
	b, rerr := os.ReadFile(comment)
	require.NoError(t, rerr)
	md := string(b)
	assert.Contains(t, md, "❌ regression")
	assert.Contains(t, md, "| success | 20/20 | 10/20 | -50.0 pts (b=10 c=0) |")
	assert.Regexp(t, `\| e2e \(median\) \| 0\.99\ds \| 1\.29\ds \| \+30\.0% .*\*\*REGRESSION\*\*`, md)
	assert.Contains(t, md, "| syntax_error | 0 | 10 |", "failure classes base vs head")
	assert.Contains(t, md, "| add_numbers | #1×10 | #2×10 |", "which attempt recovered the case")

	out.Reset()
	require.NoError(t, run(&out, &errb, []string{"-repo", repo, "-base", "HEAD~2", "-head", "HEAD", "-cmd", "sh bench.sh", "-comment", comment}), out.String())
	b, _ = os.ReadFile(comment)
	assert.Contains(t, string(b), "✅ no significant regression")

	// The live job: head against a baseline journal kept from main.
	base := filepath.Join(t.TempDir(), "baseline.jsonl")
	journal(t, base, 700*time.Millisecond, nil, nil)
	err = run(&out, &errb, []string{"-repo", repo, "-baseline", base, "-head", "HEAD", "-cmd", "sh bench.sh", "-comment", comment})
	require.ErrorIs(t, err, compare.ErrRegression, "1 s against a 0.7 s baseline")

	// A command that writes no journal is the flow's failure, not a pass.
	err = run(&out, &errb, []string{"-repo", repo, "-base", "HEAD~2", "-head", "HEAD", "-cmd", "true", "-comment", comment})
	require.Error(t, err)
	assert.NotErrorIs(t, err, compare.ErrRegression)
	assert.Contains(t, err.Error(), "wrote no journal")

	// The throwaway checkouts are unregistered again.
	c := exec.Command("git", "-C", repo, "worktree", "list")
	list, lerr := c.Output()
	require.NoError(t, lerr)
	assert.Equal(t, 1, bytes.Count(list, []byte("\n")), "only the main worktree is left: %s", list)
}
