package lifttest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
)

const sampleFile = "../internal/humaneval/testdata/sample.jsonl"

func TestHumanEvalSuite(t *testing.T) {
	s, err := HumanEvalSuite("humaneval_sample", sampleFile)
	require.NoError(t, err)
	require.Len(t, s.Cases, 4)
	assert.Equal(t, "humaneval_sample", s.Name)
	c := s.Cases[1]
	assert.Equal(t, "sample_1", c.Name)
	assert.Equal(t, "rotate_left", c.Function)
	assert.Equal(t, "humaneval", c.Category)
	assert.Contains(t, c.Prompt, "def rotate_left(s: str, k: int) -> str:")
	assert.Contains(t, c.Check, "def check(candidate):")
	assert.False(t, c.compileOnly())

	// Run with the real sandbox: the check programs are Python.
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "humaneval_sample"})
	r, err := NewRunner(Options{Mode: ModeLive, Endpoint: srv.GenerateURL(), Validator: sharedValidator(t)})
	require.NoError(t, err)
	defer r.Close()
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
			require.Equal(t, tt.name, s.Cases[i].Name)
			res, err := r.Run(context.Background(), s.Name, s.Cases[i], 0)
			require.NoError(t, err)
			assert.Equal(t, tt.success, res.Success, "%v", res.Error)
			assert.Equal(t, tt.attempts, res.Attempts)
			require.Len(t, res.Validation.Tests, 1, "a check program is one test")
			assert.Equal(t, "check("+s.Cases[i].Function+")", res.Validation.Tests[0].Args)
			assert.Equal(t, tt.success, res.Validation.Tests[0].Passed)
			if tt.failure != "" {
				require.NotEmpty(t, res.Failures)
				assert.Contains(t, res.Failures[0].Error, tt.failure)
				assert.Contains(t, res.Failures[0].Error, "failing inputs: check("+s.Cases[i].Function+") raised")
			}
		})
	}
}

func TestHumanEvalSuiteErrors(t *testing.T) {
	_, err := HumanEvalSuite("x", filepath.Join(t.TempDir(), "none.jsonl"))
	assert.ErrorContains(t, err, "none.jsonl")
	assert.ErrorContains(t, err, "HumanEval suite x")

	dup := filepath.Join(t.TempDir(), "dup.jsonl")
	line := `{"task_id":"A/1","prompt":"def f():\n","canonical_solution":"    return 1\n","test":"def check(c):\n    assert c() == 1\n","entry_point":"f"}`
	line2 := `{"task_id":"a_1","prompt":"def f():\n","canonical_solution":"    return 1\n","test":"def check(c):\n    assert c() == 1\n","entry_point":"f"}`
	require.NoError(t, os.WriteFile(dup, []byte(line+"\n"+line2+"\n"), 0o644))
	_, err = HumanEvalSuite("x", dup)
	assert.ErrorContains(t, err, `both become case a_1`)
}

// TestSessionHumanEval: Options.HumanEval adds the file as suite humaneval.
func TestSessionHumanEval(t *testing.T) {
	s, err := NewSession(Options{HumanEval: sampleFile, Validator: nopValidator{}}, Suite{Name: "simple", Cases: []Case{addNumbers}})
	require.NoError(t, err)
	defer s.Close()
	got := s.Suites()
	require.Len(t, got, 2)
	assert.Equal(t, "simple", got[0].Name)
	assert.Equal(t, "humaneval", got[1].Name)
	assert.Len(t, got[1].Cases, 4)

	s, err = NewSession(Options{HumanEval: sampleFile, Suite: "humaneval", Validator: nopValidator{}})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []string{"humaneval/sample_0", "humaneval/sample_1", "humaneval/sample_2", "humaneval/sample_3"}, names(s.Suites()))

	_, err = NewSession(Options{HumanEval: filepath.Join(t.TempDir(), "none.jsonl"), Validator: nopValidator{}})
	assert.ErrorContains(t, err, "none.jsonl")
}
