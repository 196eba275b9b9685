package prompt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/ir"
)

// gradeIR has assertions and effects, so that every part of the default
// prompt shows.
var gradeIR = ir.IR{
	Intent: ir.Intent{Summary: "Create a function that converts a numeric score to a letter grade"},
	Signature: ir.Signature{
		Name:       "convert_score_to_grade",
		Parameters: []ir.Parameter{{Name: "score", TypeHint: "integer", Description: "The score, 0 to 100"}},
		Returns:    "string",
	},
	Assertions: []ir.Assertion{
		{Predicate: "0 <= score <= 100", Rationale: "Scores are\npercentages"},
		{Predicate: "result in {'A', 'B', 'C', 'D', 'F'}"},
	},
	Effects: []ir.Effect{
		{Description: "Raise ValueError when the score is out of range"},
		{Description: "Compare the score with 90, 80, 70 and 60, in that order"},
		{Description: "Return the grade of the first threshold met, else 'F'"},
	},
}

// maxIR has neither assertions nor effects (the recorded max_of_two IR).
var maxIR = ir.IR{
	Intent: ir.Intent{Summary: "Create a function that returns the maximum of two numbers"},
	Signature: ir.Signature{
		Name:       "get_max",
		Parameters: []ir.Parameter{{Name: "num1", TypeHint: "int"}, {Name: "num2", TypeHint: "int"}},
		Returns:    "int",
	},
}

func TestDefaultGolden(t *testing.T) {
	tests := []struct {
		name string
		data Data
	}{
		{name: "first_attempt", data: Data{IR: gradeIR, Attempt: 1, MaxAttempts: 5}},
		{name: "retry", data: Data{IR: gradeIR, Attempt: 3, MaxAttempts: 5, Previous: []Failure{
			{Attempt: 1, Error: "SyntaxError: expected an indented block after 'if' statement on line 14"},
			{Attempt: 2, Error: "failing inputs: convert_score_to_grade(85) returned 'A', want 'B'"},
		}}},
		{name: "no_assertions_no_effects", data: Data{IR: maxIR, Attempt: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Default().Render(tc.data)
			require.NoError(t, err)
			path := filepath.Join("testdata", t.Name()+".golden")
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("default prompt mismatch (-want +got):\n%s\n(edit %s by hand when the wording changes on purpose)", diff, path)
			}
		})
	}
}

func TestDefaultParts(t *testing.T) {
	grade, err := Default().Render(Data{IR: gradeIR})
	require.NoError(t, err)
	plain, err := Default().Render(Data{IR: maxIR})
	require.NoError(t, err)

	t.Run("signature line verbatim", func(t *testing.T) {
		assert.Contains(t, grade, "\ndef convert_score_to_grade(score: int) -> str\n")
		assert.Contains(t, plain, "\ndef get_max(num1: int, num2: int) -> int\n")
	})
	t.Run("one constraint line per assertion", func(t *testing.T) {
		assert.Contains(t, grade, "Constraints:\n- 0 <= score <= 100 (Scores are percentages)\n- result in {'A', 'B', 'C', 'D', 'F'}\n")
	})
	t.Run("None without assertions", func(t *testing.T) {
		assert.Contains(t, plain, "Constraints:\nNone\n\nRequirements:")
	})
	t.Run("numbered steps with effects", func(t *testing.T) {
		assert.Contains(t, grade, "Implementation steps (follow in order):\n"+
			"1. Raise ValueError when the score is out of range\n"+
			"2. Compare the score with 90, 80, 70 and 60, in that order\n"+
			"3. Return the grade of the first threshold met, else 'F'\n\nRequirements:")
	})
	t.Run("no steps without effects", func(t *testing.T) {
		assert.NotContains(t, plain, "Implementation steps")
	})
	t.Run("parts in order", func(t *testing.T) {
		last := -1
		for _, part := range []string{"Purpose: ", "def convert_score_to_grade(", "Constraints:", "Implementation steps", "Requirements:", "8. ", "Output format:"} {
			i := strings.Index(grade, part)
			require.GreaterOrEqual(t, i, 0, "missing %q", part)
			assert.Greater(t, i, last, "%q out of order", part)
			last = i
		}
	})
	t.Run("no retry lines on a first attempt", func(t *testing.T) {
		assert.NotContains(t, grade, RetryMarker)
		assert.NotContains(t, grade, "This is attempt")
	})
}

// retryLines returns the lines of a prompt that start with RetryMarker.
func retryLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, RetryMarker) {
			out = append(out, l)
		}
	}
	return out
}

func TestRetryLines(t *testing.T) {
	user := must(Parse("Implement {{signature .IR}}."))
	selfRetry := must(Parse("{{signature .IR}}\n{{range .Previous}}{{retry .}}\n{{end}}"))
	tests := []struct {
		name string
		tmpl *Template
		data Data
		want []string
	}{
		{name: "first attempt", tmpl: Default(), data: Data{IR: maxIR, Attempt: 1}, want: nil},
		{
			name: "second attempt",
			tmpl: Default(),
			data: Data{IR: maxIR, Attempt: 2, Previous: []Failure{{Attempt: 1, Error: "SyntaxError: invalid syntax"}}},
			want: []string{"Previous attempt (#1) failed: SyntaxError: invalid syntax"},
		},
		{
			name: "third attempt, two failures",
			tmpl: Default(),
			data: Data{IR: maxIR, Attempt: 3, MaxAttempts: 5, Previous: []Failure{
				{Attempt: 1, Error: "SyntaxError: invalid syntax"},
				{Attempt: 2, Error: "failing inputs: get_max(2, 3) returned 2, want 3"},
			}},
			want: []string{
				"Previous attempt (#1) failed: SyntaxError: invalid syntax",
				"Previous attempt (#2) failed: failing inputs: get_max(2, 3) returned 2, want 3",
			},
		},
		{
			name: "unnumbered failures and attempt numbered by position",
			tmpl: Default(),
			data: Data{IR: maxIR, Previous: []Failure{{Error: "a"}, {Error: "b"}}},
			want: []string{"Previous attempt (#1) failed: a", "Previous attempt (#2) failed: b"},
		},
		{
			name: "multi-line error keeps one retry line",
			tmpl: Default(),
			data: Data{IR: maxIR, Attempt: 2, Previous: []Failure{{Attempt: 1, Error: "  File \"f.py\", line 3\nPrevious attempt (#9) failed: quoted\n"}}},
			want: []string{"Previous attempt (#1) failed: File \"f.py\", line 3"},
		},
		{
			name: "empty error",
			tmpl: Default(),
			data: Data{IR: maxIR, Attempt: 2, Previous: []Failure{{Attempt: 1}}},
			want: []string{"Previous attempt (#1) failed: unknown error"},
		},
		{
			name: "user template without retry lines gets them appended",
			tmpl: user,
			data: Data{IR: maxIR, Attempt: 2, Previous: []Failure{{Attempt: 1, Error: "boom"}}},
			want: []string{"Previous attempt (#1) failed: boom"},
		},
		{
			name: "user template writing its own retry lines gets no copies",
			tmpl: selfRetry,
			data: Data{IR: maxIR, Attempt: 3, Previous: []Failure{{Attempt: 1, Error: "x"}, {Attempt: 2, Error: "y"}}},
			want: []string{"Previous attempt (#1) failed: x", "Previous attempt (#2) failed: y"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.tmpl.Render(tc.data)
			require.NoError(t, err)
			assert.Equal(t, tc.want, retryLines(got))
			assert.Contains(t, got, "def get_max(")
		})
	}
}

func TestParse(t *testing.T) {
	t.Run("user template sees the documented fields", func(t *testing.T) {
		tmpl, err := Parse(`{{oneline .IR.Intent.Summary}} | {{signature .IR}} | {{pytype "array[integer]"}} | {{add .Attempt 10}} of {{.MaxAttempts}} | {{len .Previous}}`)
		require.NoError(t, err)
		got, err := tmpl.Render(Data{IR: maxIR, Attempt: 2, MaxAttempts: 5, Previous: []Failure{{Attempt: 1, Error: "e"}}})
		require.NoError(t, err)
		assert.Equal(t, "Create a function that returns the maximum of two numbers | def get_max(num1: int, num2: int) -> int | list[int] | 12 of 5 | 1\n\nPrevious attempt (#1) failed: e", got)
	})
	t.Run("signature line added when the template has none", func(t *testing.T) {
		tmpl, err := Parse("Write the function.")
		require.NoError(t, err)
		got, err := tmpl.Render(Data{IR: maxIR})
		require.NoError(t, err)
		assert.Equal(t, "Write the function.\n\ndef get_max(num1: int, num2: int) -> int", got)
	})
	t.Run("the default text parses to the default template", func(t *testing.T) {
		tmpl, err := Parse(DefaultText())
		require.NoError(t, err)
		got, err := tmpl.Render(Data{IR: gradeIR})
		require.NoError(t, err)
		want, err := Default().Render(Data{IR: gradeIR})
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
}

func TestErrors(t *testing.T) {
	t.Run("parse error", func(t *testing.T) {
		tmpl, err := Parse("{{if .Attempt}}unclosed")
		assert.Nil(t, tmpl)
		assert.ErrorIs(t, err, ErrTemplate)
		assert.Contains(t, err.Error(), "prompt template: template: prompt:1: unexpected EOF")
	})
	t.Run("unknown function", func(t *testing.T) {
		_, err := Parse("{{shout .IR}}")
		assert.ErrorIs(t, err, ErrTemplate)
		assert.Contains(t, err.Error(), `function "shout" not defined`)
	})
	t.Run("unknown field", func(t *testing.T) {
		tmpl, err := Parse("{{.Nope}}")
		require.NoError(t, err)
		_, err = tmpl.Render(Data{IR: maxIR})
		assert.ErrorIs(t, err, ErrTemplate)
		assert.Contains(t, err.Error(), "can't evaluate field Nope")
	})
	t.Run("negative attempt", func(t *testing.T) {
		_, err := Default().Render(Data{IR: maxIR, Attempt: -1})
		assert.ErrorIs(t, err, ErrData)
		assert.EqualError(t, err, "prompt data: attempt -1 is negative")
	})
	t.Run("attempt past the maximum", func(t *testing.T) {
		_, err := Default().Render(Data{IR: maxIR, Attempt: 6, MaxAttempts: 5})
		assert.ErrorIs(t, err, ErrData)
		assert.EqualError(t, err, "prompt data: attempt 6 is past the maximum of 5")
	})
}
