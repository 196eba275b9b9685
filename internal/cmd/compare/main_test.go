package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/compare"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest"
	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// passAll is a Validator that runs nothing: every test passes. The live
// tests here are about latency, not Python.
type passAll struct{}

func (passAll) Validate(_ context.Context, p lifttest.Program) (record.Validation, error) {
	v := record.Validation{Compiled: true, Class: "passed"}
	for range p.Tests {
		v.Tests = append(v.Tests, record.Test{Passed: true, Class: "passed"})
	}
	return v, nil
}

var cases = []lifttest.Case{
	{Name: "add_numbers", Prompt: "Create a function that adds two numbers", Function: "add_two_numbers",
		Tests: []lifttest.Test{{Args: []any{2, 3}, Want: 5}}},
	{Name: "multiply", Prompt: "Create a function that multiplies two numbers", Function: "multiply",
		Tests: []lifttest.Test{{Args: []any{2, 3}, Want: 6}}},
}

// liveJournal runs cases × samples live against a reference endpoint on
// 127.0.0.1 whose every generation takes fixed, and writes the journal.
func liveJournal(t *testing.T, path string, fixed time.Duration, samples int) {
	t.Helper()
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple", Latency: lifttesttest.Latency{Fixed: fixed}})
	r, err := lifttest.NewRunner(lifttest.Options{Mode: lifttest.ModeLive, Endpoint: srv.GenerateURL(), Progress: io.Discard, Validator: passAll{}, Timeout: 10 * time.Second})
	require.NoError(t, err)
	defer r.Close()
	j, err := report.CreateJournal(path, record.Meta{Mode: "live", Model: lifttesttest.DefaultModel, Endpoint: "127.0.0.1", Started: time.Now()})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for k := range samples {
		for _, c := range cases {
			res, err := r.Run(ctx, "simple", c, k)
			require.NoError(t, err)
			require.True(t, res.Success, res.Error)
			require.NoError(t, j.Append(res))
		}
	}
	require.NoError(t, j.Close())
}

// TestLiveLatencyChange runs the reference endpoint live three times over
// 127.0.0.1: base, head with every generation scripted 40 ms slower, and
// head unchanged. The slow head is flagged; the unchanged one passes.
func TestLiveLatencyChange(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the reference endpoint live: about 5 s")
	}
	dir := t.TempDir()
	base, slow, same := filepath.Join(dir, "base.jsonl"), filepath.Join(dir, "slow.jsonl"), filepath.Join(dir, "same.jsonl")
	const samples = 10 // × 2 cases: 20 runs a side
	liveJournal(t, base, 20*time.Millisecond, samples)
	liveJournal(t, slow, 60*time.Millisecond, samples)
	liveJournal(t, same, 20*time.Millisecond, samples)
	// A wide practical threshold: a loaded machine's noise on a 40 ms run
	// must not reach it, the scripted +40 ms per call (about +100 %) must.
	th := filepath.Join(dir, "th.json")
	require.NoError(t, os.WriteFile(th, []byte(`{"default": {"latency": 0.5}}`), 0o644))

	var out, errb bytes.Buffer
	md := filepath.Join(dir, "comment.md")
	err := run(&out, &errb, []string{"-old", base, "-new", slow, "-thresholds", th, "-md", md})
	require.ErrorIs(t, err, compare.ErrRegression, out.String())
	assert.Regexp(t, `e2e \(median\)\s+0\.0\d\ds\s+0\.1\d\ds\s+\+\d+\.\d%.*REGRESSION`, out.String())
	assert.Contains(t, out.String(), "verdict: FAIL")
	comment, rerr := os.ReadFile(md)
	require.NoError(t, rerr)
	assert.Contains(t, string(comment), "❌ regression")
	assert.Contains(t, string(comment), "| e2e (median) |")

	out.Reset()
	err = run(&out, &errb, []string{"-old", base, "-new", same, "-thresholds", th})
	require.NoError(t, err, out.String())
	assert.Regexp(t, `success\s+20/20\s+20/20`, out.String())
	assert.Contains(t, out.String(), "verdict: PASS")
}

func writeJournal(t *testing.T, path string, rs []*record.Result) {
	t.Helper()
	j, err := report.CreateJournal(path, record.Meta{Mode: "live", Model: "m"})
	require.NoError(t, err)
	for _, r := range rs {
		require.NoError(t, j.Append(r))
	}
	require.NoError(t, j.Close())
}

func results(n int, e2e time.Duration, fail int) []*record.Result {
	var rs []*record.Result
	for i := range n {
		r := &record.Result{Suite: "simple", Case: "c", Sample: i, Mode: "live", Success: i >= fail, Attempts: 1,
			Stage1: record.Stage{Latency: e2e / 2}, Stage2: record.Stage{Latency: e2e / 2}, E2E: e2e + time.Duration(i)*time.Millisecond}
		if !r.Success {
			r.Validation.Class = "syntax_error"
		}
		rs = append(rs, r)
	}
	return rs
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	// base is two shards, merged by a glob and a comma list.
	rs := results(20, time.Second, 0)
	writeJournal(t, filepath.Join(dir, "base-1.jsonl"), rs[:10])
	writeJournal(t, filepath.Join(dir, "base-2.jsonl"), rs[10:])
	writeJournal(t, filepath.Join(dir, "same.jsonl"), results(20, time.Second, 0))
	writeJournal(t, filepath.Join(dir, "broken.jsonl"), results(20, time.Second, 8))

	var out, errb bytes.Buffer
	require.NoError(t, run(&out, &errb, []string{"-old", filepath.Join(dir, "base-*.jsonl"), "-new", filepath.Join(dir, "same.jsonl"), "-thresholds", "none.json"}))
	assert.Contains(t, out.String(), "suite simple: 20 paired runs")

	out.Reset()
	err := run(&out, &errb, []string{"-old", filepath.Join(dir, "base-1.jsonl") + "," + filepath.Join(dir, "base-2.jsonl"), "-new", filepath.Join(dir, "broken.jsonl"), "-thresholds", "none.json"})
	require.ErrorIs(t, err, compare.ErrRegression)
	assert.Contains(t, out.String(), "success -40.0 pts (b=8 c=0)")
	assert.Contains(t, out.String(), "syntax_error 0->8")

	// Drift: the answer diff comes first.
	out.Reset()
	err = run(&out, &errb, []string{"-drift", "-recordings", dir, "-old", filepath.Join(dir, "same.jsonl"), "-new", filepath.Join(dir, "broken.jsonl"), "-thresholds", "none.json"})
	require.ErrorIs(t, err, compare.ErrRegression)
	assert.Contains(t, out.String(), "recordings: unknown: "+dir+" has no recorded.json")
	assert.Contains(t, out.String(), "c#0: passed -> syntax_error")

	for _, bad := range [][]string{
		{"-new", filepath.Join(dir, "same.jsonl")},
		{"-old", filepath.Join(dir, "same.jsonl")},
		{"-old", filepath.Join(dir, "nothing.jsonl"), "-new", filepath.Join(dir, "same.jsonl")},
		{"-old", filepath.Join(dir, "same.jsonl"), "-new", filepath.Join(dir, "same.jsonl"), "extra"},
	} {
		err := run(io.Discard, io.Discard, bad)
		require.Error(t, err, bad)
		assert.False(t, errors.Is(err, compare.ErrRegression), "a usage error is not a regression: %v", err)
	}
}
