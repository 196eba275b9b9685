package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = "../../humaneval/testdata/sample.jsonl"

var summary = regexp.MustCompile(`^humaneval: passed (\d+)/(\d+) in \d+\.\d\d s \(\d+\.\d jobs/s\)$`)

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

func TestRunSamplePasses(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(&out, &errOut, []string{"-file", sample, "-workers", "2"}), errOut.String())
	got := lines(out.String())
	require.Len(t, got, 1, "only the summary line: %q", out.String())
	m := summary.FindStringSubmatch(got[0])
	require.NotNil(t, m, "summary line %q", got[0])
	assert.Equal(t, []string{"4", "4"}, m[1:])
}

func TestRunGzip(t *testing.T) {
	data, err := os.ReadFile(sample)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(data)
	require.NoError(t, zw.Close())
	path := filepath.Join(t.TempDir(), "sample.jsonl.gz")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))

	var out, errOut bytes.Buffer
	require.NoError(t, run(&out, &errOut, []string{"-file", path, "-workers", "1"}))
	assert.Regexp(t, summary, lines(out.String())[0])
	assert.Contains(t, out.String(), "passed 4/4")
}

func TestRunReportsFailures(t *testing.T) {
	data, err := os.ReadFile(sample)
	require.NoError(t, err)
	// Break two canonical solutions: one answers wrongly, one loops.
	broken := strings.Replace(string(data), `return sum(n * n for n in numbers if n % 2 != 0)`, `return 0`, 1)
	broken = strings.Replace(broken, `    if not s:\n        return s\n`, `    while True:\n        pass\n`, 1)
	require.NotEqual(t, string(data), broken)
	path := filepath.Join(t.TempDir(), "broken.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(broken), 0o644))

	var out, errOut bytes.Buffer
	err = run(&out, &errOut, []string{"-file", path, "-workers", "2", "-timeout", "1s"})
	require.Error(t, err)
	got := lines(out.String())
	require.Len(t, got, 3, "two failures then the summary: %q", out.String())
	assert.Equal(t, "FAIL Sample/0: wrong_answer: AssertionError (test line 5)", got[0])
	assert.True(t, strings.HasPrefix(got[1], "FAIL Sample/1: timeout: "), got[1])
	m := summary.FindStringSubmatch(got[2])
	require.NotNil(t, m, got[2])
	assert.Equal(t, []string{"2", "4"}, m[1:])
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-file"},
		{"-file", sample, "extra"},
		{"-file", sample, "-workers", "-1"},
		{"-file", filepath.Join(t.TempDir(), "absent.jsonl")},
		{"-nosuchflag"},
	} {
		var out, errOut bytes.Buffer
		assert.Error(t, run(&out, &errOut, args), "%q", args)
		assert.Empty(t, out.String(), "%q", args)
	}
}

func TestRunStrict(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(&out, &errOut, []string{"-file", sample, "-workers", "1", "-strict"})
	if os.Geteuid() != 0 {
		// Without root some step may be missing; then the error names it.
		if err != nil {
			assert.Contains(t, err.Error(), "isolation unavailable (Strict): missing")
		}
		return
	}
	require.NoError(t, err, errOut.String())
	assert.Contains(t, out.String(), "passed 4/4")
	assert.NotContains(t, errOut.String(), "isolation steps unavailable")
}
