package lifttest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/lifttest"
)

const sampleFile = "../internal/humaneval/testdata/sample.jsonl"

func suiteScripts(t *testing.T, suite string) []refserver.Script {
	t.Helper()
	all, err := refserver.Bundled()
	require.NoError(t, err)
	var out []refserver.Script
	for _, s := range all {
		if s.Suite == suite {
			out = append(out, s)
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestHumanEvalSuite(t *testing.T) {
	s, err := lifttest.HumanEvalSuite("humaneval_sample", sampleFile)
	require.NoError(t, err)
	require.Len(t, s.Cases, 4)
	c := s.Cases[1]
	assert.Equal(t, "sample_1", c.Name)
	assert.Equal(t, "rotate_left", c.Function)
	assert.Contains(t, c.Prompt, "def rotate_left(s: str, k: int) -> str:")
	assert.Contains(t, c.Check, "def check(candidate):")
	assert.False(t, c.CompileOnly())

	h, _, _ := harness(t, lifttest.ModeLive, suiteScripts(t, "humaneval_sample"), lifttest.Options{})
	tests := []struct {
		name     string
		success  bool
		attempts int
		failure  string
	}{
		{"sample_0", true, 1, ""},
		{"sample_1", true, 2, "AssertionError"}, // the first answer ignores k > len(s); the feedback fixes it
		{"sample_2", true, 1, ""},
		{"sample_3", false, 5, "AssertionError"}, // "x)" is wrongly balanced in every attempt
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := h.Run(context.Background(), s.Name, s.Cases[i])
			require.NoError(t, err)
			assert.Equal(t, tt.success, r.Success, "%v", r.Err)
			assert.Equal(t, tt.attempts, r.Attempts)
			require.Len(t, r.Validation.Tests, 1, "a check program is one test")
			if tt.failure != "" {
				require.NotEmpty(t, r.Failures)
				assert.Contains(t, r.Failures[0].Error, tt.failure)
				assert.Contains(t, r.Failures[0].Error, "failing inputs: check("+s.Cases[i].Function+") raised")
			}
		})
	}
}

func TestHumanEvalSuiteErrors(t *testing.T) {
	_, err := lifttest.HumanEvalSuite("x", filepath.Join(t.TempDir(), "none.jsonl"))
	assert.ErrorContains(t, err, "none.jsonl")

	dup := filepath.Join(t.TempDir(), "dup.jsonl")
	line := `{"task_id":"A/1","prompt":"def f():\n","canonical_solution":"    return 1\n","test":"def check(c):\n    assert c() == 1\n","entry_point":"f"}`
	line2 := `{"task_id":"a_1","prompt":"def f():\n","canonical_solution":"    return 1\n","test":"def check(c):\n    assert c() == 1\n","entry_point":"f"}`
	require.NoError(t, os.WriteFile(dup, []byte(line+"\n"+line2+"\n"), 0o644))
	_, err = lifttest.HumanEvalSuite("x", dup)
	assert.ErrorContains(t, err, `both become case a_1`)
}
