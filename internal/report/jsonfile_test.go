package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// The original harness's key sets (lift-sys benchmark_results_*.json).
var (
	legacySummaryKeys = []string{"total_runs", "successful_runs", "failed_runs",
		"nlp_to_ir_mean", "nlp_to_ir_median", "nlp_to_ir_std", "ir_to_code_mean", "ir_to_code_median", "ir_to_code_std",
		"e2e_mean", "e2e_median", "e2e_std", "total_cost_usd", "cost_per_request_mean", "memory_mean", "memory_peak"}
	legacyResultKeys = []string{"test_name", "prompt", "timestamp", "nlp_to_ir", "ir_to_code", "total_latency_ms",
		"total_memory_mb", "end_to_end_success", "estimated_cost_usd", "provider_type", "ir_output", "code_output",
		"execution_tests", "execution_success"}
	legacyStageKeys = []string{"name", "latency_ms", "memory_mb", "success", "error", "metadata"}
	legacyTestKeys  = []string{"test_name", "passed", "expected", "actual", "error"}
)

func TestWriteResultsJSONShape(t *testing.T) {
	var buf bytes.Buffer
	cases := fixtureSuite("nontrivial")
	if err := WriteResultsJSON(&buf, fixtureRun(), "nontrivial", cases); err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	hasKeys(t, "file", f, []string{"summary", "results", "lifttest"})
	hasKeys(t, "summary", f["summary"], legacySummaryKeys)
	res := f["results"].([]any)
	if len(res) != len(cases) {
		t.Fatalf("%d results, want %d", len(res), len(cases))
	}
	for i, r := range res {
		r := r.(map[string]any)
		hasKeys(t, "results[i]", r, legacyResultKeys)
		hasKeys(t, "nlp_to_ir", r["nlp_to_ir"], legacyStageKeys)
		hasKeys(t, "ir_to_code", r["ir_to_code"], legacyStageKeys)
		for _, et := range r["execution_tests"].([]any) {
			hasKeys(t, "execution_tests[j]", et, legacyTestKeys)
		}
		if got, want := r["total_latency_ms"], ms(cases[i].E2E); got != want {
			t.Errorf("results[%d].total_latency_ms = %v, want %v (ms)", i, got, want)
		}
		ts, err := time.Parse(time.RFC3339Nano, r["timestamp"].(string))
		if err != nil || !ts.Equal(cases[i].Started) {
			t.Errorf("results[%d].timestamp = %v (%v), want %v", i, r["timestamp"], err, cases[i].Started)
		}
	}

	// letter_grade answered wrongly: both stages worked, the case failed.
	lg := res[0].(map[string]any)
	if lg["test_name"] != "letter_grade" || lg["end_to_end_success"] != false || lg["execution_success"] != false {
		t.Errorf("letter_grade: test_name %v, end_to_end_success %v, execution_success %v; want letter_grade, false, false",
			lg["test_name"], lg["end_to_end_success"], lg["execution_success"])
	}
	if s := lg["ir_to_code"].(map[string]any); s["success"] != true || s["error"] != nil {
		t.Errorf("letter_grade ir_to_code: success %v error %v, want true <nil>", s["success"], s["error"])
	}
	src := lg["ir_to_code"].(map[string]any)["metadata"].(map[string]any)["result"].(map[string]any)["source_code"]
	if src != cases[0].Source || lg["code_output"] != cases[0].Source {
		t.Errorf("source_code %q, code_output %q, want %q", src, lg["code_output"], cases[0].Source)
	}
	// The source holds "<" and ">": no \u003c escapes in the file.
	if !strings.Contains(buf.String(), "elif score >= 80") {
		t.Errorf("source written HTML-escaped; want it verbatim")
	}

	sum := f["summary"].(map[string]any)
	for k, want := range map[string]float64{"total_runs": 3, "successful_runs": 2, "failed_runs": 1} {
		if sum[k] != want {
			t.Errorf("summary.%s = %v, want %v", k, sum[k], want)
		}
	}
}

func hasKeys(t *testing.T, what string, v any, want []string) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s is %T, want an object", what, v)
		return
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks key %q", what, k)
		}
	}
}

// The simple suite's summary must reproduce the baseline's numbers in the
// original's units (ms, USD).
func TestWriteResultsJSONBaselineSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteResultsJSON(&buf, fixtureRun(), "simple", fixtureSuite("simple")); err != nil {
		t.Fatal(err)
	}
	var f struct{ Summary legacySummary }
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	s := f.Summary
	for _, tt := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"e2e_mean", s.E2EMean, 13192.03, 0.01},
		{"e2e_median", s.E2EMedian, 13288.12, 0.01},
		{"e2e_std", s.E2EStd, 1226.93, 0.01},
		{"nlp_to_ir_mean", s.NLPToIRMean, 8280.97, 0.01},
		{"nlp_to_ir_median", s.NLPToIRMedian, 8852.28, 0.01},
		{"ir_to_code_median", s.IRToCodeMedian, 4745.46, 0.01},
		{"total_cost_usd", s.TotalCostUSD, 0.011493, 0.000001},
		{"cost_per_request_mean", s.CostPerRequestMean, 0.002299, 0.000001},
	} {
		if math.Abs(tt.got-tt.want) > tt.tol {
			t.Errorf("summary.%s = %.6f, want %.6f", tt.name, tt.got, tt.want)
		}
	}
	if s.TotalRuns != 5 || s.SuccessfulRuns != 5 || s.FailedRuns != 0 {
		t.Errorf("runs %d/%d/%d, want 5/5/0", s.TotalRuns, s.SuccessfulRuns, s.FailedRuns)
	}
}

func TestResultsJSONRoundTrip(t *testing.T) {
	for _, suite := range []string{"simple", "nontrivial", "empty"} {
		t.Run(suite, func(t *testing.T) {
			cases := fixtureSuite(suite)
			var buf bytes.Buffer
			if err := WriteResultsJSON(&buf, fixtureRun(), suite, cases); err != nil {
				t.Fatal(err)
			}
			got, err := ReadResultsJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if cases == nil {
				cases = []*record.Result{}
			}
			if diff := cmp.Diff(cases, got, equateJSON); diff != "" {
				t.Errorf("cases (-want +got):\n%s", diff)
			}
		})
	}
}

// testdata/TestReadResultsJSONOriginal.json is a small file in the original
// harness's shape, written for this test: a success and a stage-1 failure.
func TestReadResultsJSONOriginal(t *testing.T) {
	f, err := os.Open("testdata/TestReadResultsJSONOriginal.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadResultsJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cases); got != 2 {
		t.Fatalf("%d cases, want 2", got)
	}
	ok, failed := cases[0], cases[1]
	if ok.Case != "add_numbers" || !ok.Success || ms(ok.Stage1.Latency) != 8852.28 || ms(ok.Stage2.Latency) != 5778.43 || ms(ok.E2E) != 14630.71 {
		t.Errorf("add_numbers = %+v", ok)
	}
	if ok.Validation.PassedTests() != 2 || len(ok.Validation.Tests) != 2 || ok.Source != "" {
		t.Errorf("add_numbers tests %d/%d source %q, want 2/2 and no source (the original wrote a placeholder)", ok.Validation.PassedTests(), len(ok.Validation.Tests), ok.Source)
	}
	if want := time.Date(2025, 10, 22, 19, 28, 28, 249186000, time.UTC); !ok.Started.Equal(want) {
		t.Errorf("timestamp %v, want %v", ok.Started, want)
	}
	if failed.Success || failed.Stage1.OK || !strings.Contains(failed.Error, "HTTP 408") {
		t.Errorf("factorial = success %v, stage1 %v, error %q; want a stage-1 HTTP 408 failure", failed.Success, failed.Stage1.OK, failed.Error)
	}
}

func TestLegacyTimeLayout(t *testing.T) {
	ts := time.Date(2025, 10, 22, 19, 28, 28, 249186000, time.UTC)
	if got, want := ts.Format(legacyTime), "2025-10-22T19:28:28.249186+00:00"; got != want {
		t.Errorf("timestamp %q, want %q (Python fromisoformat needs +00:00, not Z, before 3.11)", got, want)
	}
	if !slices.Contains([]string{"+00:00"}, ts.Format("-07:00")) {
		t.Error("layout lost its offset")
	}
}

// equateJSON compares raw JSON by value: the results file indents the IR.
var equateJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
})

// A suite whose only run failed in stage 1, the way the original's parallel
// runs did (HTTP 408): statistics over zero successes must not break the
// file, and ir_to_code is null as in the original.
func TestWriteResultsJSONStage1Failure(t *testing.T) {
	c := fixtureSuite("simple")[0]
	c.Stage1 = record.Stage{Latency: msd(42433.17), Calls: 1, Errors: []string{"Modal API error (HTTP 408): Missing request, possibly due to expiry or cancellation"}}
	c.Stage2 = record.Stage{}
	c.E2E, c.Success, c.Compiled, c.IR, c.Source, c.Validation = msd(42433.17), false, false, nil, "", record.Validation{}
	c.Error = "stage 1: " + c.Stage1.Errors[0]
	var buf bytes.Buffer
	if err := WriteResultsJSON(&buf, fixtureRun(), "simple", []*record.Result{c}); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Summary legacySummary
		Results []map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if f.Summary.FailedRuns != 1 || f.Summary.E2EMean != 0 {
		t.Errorf("summary failed_runs %d e2e_mean %v, want 1 and 0", f.Summary.FailedRuns, f.Summary.E2EMean)
	}
	r := f.Results[0]
	if r["ir_to_code"] != nil || r["ir_output"] != nil || r["code_output"] != nil {
		t.Errorf("ir_to_code %v, ir_output %v, code_output %v: want all null", r["ir_to_code"], r["ir_output"], r["code_output"])
	}
	s1 := r["nlp_to_ir"].(map[string]any)
	if s1["success"] != false || !strings.Contains(s1["error"].(string), "HTTP 408") {
		t.Errorf("nlp_to_ir = %v, want a failure with the HTTP 408 error", s1)
	}
}

func TestJSONSafe(t *testing.T) {
	type inner struct {
		X  float64
		CI [2]float64
	}
	v := struct {
		A     float64 `json:"a"`
		B     inner
		M     map[int]float64
		S     []inner
		Skip  float64 `json:"-"`
		Empty string  `json:"empty,omitempty"`
		T     time.Time
	}{A: math.NaN(), B: inner{X: 1, CI: [2]float64{math.Inf(1), 2}}, M: map[int]float64{1: 0.5, 2: math.NaN()}, S: []inner{{X: math.Inf(-1)}},
		T: time.Date(2025, 10, 22, 0, 0, 0, 0, time.UTC)}
	got, err := json.Marshal(jsonSafe(reflect.ValueOf(v)))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"B":{"CI":[null,2],"X":1},"M":{"1":0.5,"2":null},"S":[{"CI":[0,0],"X":null}],"T":"2025-10-22T00:00:00Z","a":null}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
