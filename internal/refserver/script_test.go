package refserver_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/ir"
	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/internal/schema"
)

const goodScript = `{"prompt": "Create a function that adds two numbers",
 "stage1": {"delay_ms": 10, "body": {"intent": {"summary": "adds two numbers"}, "signature": {"name": "add", "parameters": []}}},
 "stage2": [{"delay_ms": 5, "body": {"implementation": {"body_statements": [{"type": "return", "code": "return 1"}]}}}]}`

func TestLoadScripts(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"s/simple/b_case.json": {Data: []byte(goodScript)},
		"s/simple/a_case.json": {Data: []byte(`{"suite": "mine", "case": "named", "prompt": "p", "stage1": {"finish_reason": "error"}}`)},
		"s/top.json":           {Data: []byte(`{"prompt": "q", "stage1": {"finish_reason": "json_error"}}`)},
		"s/simple/README.md":   {Data: []byte("not a script")},
	}
	got, err := refserver.LoadScripts(fsys, "s")
	require.NoError(t, err)
	var names []string
	for _, sc := range got {
		names = append(names, sc.Suite+"/"+sc.Case)
	}
	assert.Equal(t, []string{"mine/named", "simple/b_case", "/top"}, names, "lexical order; suite and case default to the path")
	assert.Equal(t, 10.0, got[1].Stage1.DelayMS)
	require.Len(t, got[1].Stage2, 1)
}

func TestLoadScriptsErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{"prompt": `, "unexpected EOF"},
		{"unknown field", `{"prompt": "p", "stage1": {"delay": 10, "body": {}}}`, `unknown field "delay"`},
		{"trailing data", goodScript + ` {}`, "data after"},
		{"empty prompt", `{"stage1": {"body": {}}}`, "prompt is empty"},
		{"stop without body", `{"prompt": "p", "stage1": {"delay_ms": 1}}`, "needs a body"},
		{"negative delay", `{"prompt": "p", "stage1": {"delay_ms": -1, "body": {}}}`, "delay_ms"},
		{"bad finish reason", `{"prompt": "p", "stage1": {"finish_reason": "eos"}}`, "finish_reason"},
		{"bad stage 2", `{"prompt": "p", "stage1": {"body": {}}, "stage2": [{"body": {}}, {"key": "code", "body": {}}]}`, "stage2[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{
				"dir/suite/ok.json":  {Data: []byte(goodScript)},
				"dir/suite/bad.json": {Data: []byte(tt.data)},
			}
			_, err := refserver.LoadScripts(fsys, "dir")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "dir/suite/bad.json")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadScriptsEmptyOrMissing(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"empty/README.md": {Data: []byte("x")}}
	for _, dir := range []string{"empty", "missing"} {
		t.Run(dir, func(t *testing.T) {
			_, err := refserver.LoadScripts(fsys, dir)
			assert.True(t, errors.Is(err, fs.ErrNotExist), "got %v, want fs.ErrNotExist", err)
		})
	}
}

// baseline is the 2025-10-22 run of the simple suite (32B, warm): stage
// latencies in ms, which the bundled scripts use as delays.
var baseline = map[string]struct {
	stage1, stage2 float64
	function       string
}{
	"add_numbers":   {8850, 5780, "add_two_numbers"},
	"multiply":      {8890, 3960, "multiply_numbers"},
	"string_length": {6920, 4430, "get_string_length"},
	"max_of_two":    {9100, 4750, "get_maximum"},
	"is_even":       {7640, 5650, "is_number_even"},
}

func TestBundledMatchesBaseline(t *testing.T) {
	t.Parallel()
	scripts, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	require.Len(t, scripts, len(baseline))
	for _, sc := range scripts {
		t.Run(sc.Suite+"/"+sc.Case, func(t *testing.T) {
			t.Parallel()
			want, ok := baseline[sc.Case]
			require.True(t, ok, "case %q is not in the baseline", sc.Case)
			assert.Equal(t, "simple", sc.Suite)
			assert.Equal(t, want.stage1, sc.Stage1.DelayMS)
			require.Len(t, sc.Stage2, 1, "the baseline needed one attempt per case")
			assert.Equal(t, want.stage2, sc.Stage2[0].DelayMS)
			v, err := ir.ParseIR(sc.Stage1.Body)
			require.NoError(t, err)
			assert.Equal(t, want.function, v.Signature.Name)
			assert.Equal(t, sc.Prompt, v.Intent.Summary, "the model restated the prompt as the summary")
			assert.Positive(t, sc.Stage1.Tokens)
			assert.Positive(t, sc.Stage2[0].Tokens)
		})
	}
}

// TestBundledScriptsFollowSchemas holds every bundled answer of every suite
// to the IR and code schemas of LIFTSYS §2: the JSON Schemas themselves, and
// the Go shapes and a few rules (no unknown properties, the name patterns,
// the enums, minLength/minItems). Scripted model failures (json_error,
// length) have no body to check.
func TestBundledScriptsFollowSchemas(t *testing.T) {
	t.Parallel()
	scripts, err := refserver.Bundled()
	require.NoError(t, err)
	var suites []string
	for _, sc := range scripts {
		if !slices.Contains(suites, sc.Suite) {
			suites = append(suites, sc.Suite)
		}
	}
	for _, want := range []string{"simple", "phase2", "nontrivial", "expanded"} {
		assert.Contains(t, suites, want)
	}
	ident := regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	stmtTypes := []string{"assignment", "return", "if_statement", "for_loop", "while_loop", "function_call", "expression", "comment"}
	requirements := map[string][]string{
		"return_constraint":   {"MUST_RETURN", "OPTIONAL_RETURN"},
		"loop_constraint":     {"EARLY_RETURN", "ACCUMULATE", "TRANSFORM"},
		"position_constraint": {"NOT_ADJACENT", "ORDERED", "MIN_DISTANCE", "MAX_DISTANCE"},
	}
	for _, sc := range scripts {
		t.Run(sc.Suite+"/"+sc.Case, func(t *testing.T) {
			t.Parallel()
			if sc.Stage1.FinishReason != "" && sc.Stage1.FinishReason != refserver.FinishStop {
				assert.Empty(t, sc.Stage2, "no stage 2 after a failed stage 1")
				assert.NotEmpty(t, sc.Stage1.RawOutput, "a %s answer shows the broken output", sc.Stage1.FinishReason)
				return
			}
			require.NoError(t, schema.IR().Validate(sc.Stage1.Body), "stage1")
			v, err := ir.ParseIR(sc.Stage1.Body)
			require.NoError(t, err)
			var strict ir.IR
			require.NoError(t, decodeStrict(sc.Stage1.Body, &strict), "stage1 has a property the IR schema forbids")
			assert.GreaterOrEqual(t, utf8.RuneCountInString(v.Intent.Summary), 10, "intent.summary minLength")
			assert.Regexp(t, ident, v.Signature.Name)
			for _, p := range v.Signature.Parameters {
				assert.Regexp(t, ident, p.Name)
				assert.NotEmpty(t, p.TypeHint)
			}
			for _, c := range v.Constraints {
				assert.Contains(t, requirements[c.Type], c.Requirement, "constraint %+v", c)
				assert.Contains(t, []string{"error", "warning"}, c.Severity)
			}

			for i, a := range sc.Stage2 {
				if a.FinishReason != "" && a.FinishReason != refserver.FinishStop {
					assert.NotEmpty(t, a.RawOutput, "stage2[%d]: a %s answer shows the broken output", i, a.FinishReason)
					continue
				}
				require.NoError(t, schema.Code().Validate(a.Body), "stage2[%d]", i)
				code, err := ir.ParseCode(a.Body)
				require.NoError(t, err, "stage2[%d]", i)
				var strict ir.Code
				require.NoError(t, decodeStrict(a.Body, &strict), "stage2[%d] has a property the code schema forbids", i)
				assert.NotEmpty(t, code.Implementation.BodyStatements)
				for _, st := range code.Implementation.BodyStatements {
					assert.True(t, slices.Contains(stmtTypes, st.Type), "statement type %q", st.Type)
					assert.NotEmpty(t, st.Code)
				}
				for _, vr := range code.Implementation.Variables {
					assert.Regexp(t, ident, vr.Name)
				}
			}
		})
	}
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func TestBundledSuite(t *testing.T) {
	t.Parallel()
	sizes := map[string]int{"simple": 5, "phase2": 10, "nontrivial": 18, "expanded": 25}
	for suite, n := range sizes {
		t.Run(suite, func(t *testing.T) {
			t.Parallel()
			scripts, err := refserver.BundledSuite(suite)
			require.NoError(t, err)
			assert.Len(t, scripts, n)
			for _, sc := range scripts {
				assert.Equal(t, suite, sc.Suite, sc.Case)
			}
			_, err = refserver.New(refserver.Config{Scripts: scripts})
			assert.NoError(t, err, "one suite is servable on its own: no duplicate prompts")
		})
	}
	all, err := refserver.Bundled()
	require.NoError(t, err)
	var ours []refserver.Script
	for _, sc := range all {
		if _, ok := sizes[sc.Suite]; ok {
			ours = append(ours, sc)
		}
	}
	assert.Equal(t, 5+10+18+25, len(ours), "Bundled returns every suite")
	_, err = refserver.New(refserver.Config{Scripts: all})
	assert.ErrorIs(t, err, refserver.ErrInvalidScript, "suites share prompts, so all of them cannot be served together")
}

func TestBundledSuiteUnknown(t *testing.T) {
	t.Parallel()
	for _, suite := range []string{"nope", "", "simple/add_numbers", "."} {
		_, err := refserver.BundledSuite(suite)
		require.Error(t, err, "suite %q", suite)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		for _, want := range []string{"(available: ", "expanded", "nontrivial", "phase2", "simple"} {
			assert.Contains(t, err.Error(), want)
		}
	}
}

func TestAnswerOutputTokens(t *testing.T) {
	t.Parallel()
	// Scripted tokens win; else about 4 bytes a token of the compacted body,
	// which is what a generate answer reports as tokens_used.
	require.Equal(t, 9, refserver.Answer{Body: json.RawMessage(`{}`), Tokens: 9}.OutputTokens())
	require.Equal(t, 1, refserver.Answer{Body: json.RawMessage(`{ }`)}.OutputTokens())
	body := json.RawMessage(`{"a": "0123456789012345678901234567890123456789"}`)
	want := len(`{"a":"0123456789012345678901234567890123456789"}`) / 4
	require.Equal(t, want, refserver.Answer{Body: body}.OutputTokens())

	_, url := refserver.Start(t, refserver.Config{Scripts: []refserver.Script{{Prompt: "p", Stage1: refserver.Answer{Body: body}}}})
	m := generate(t, url, "p")
	require.Equal(t, json.Number(strconv.Itoa(want)), m["tokens_used"])
}
