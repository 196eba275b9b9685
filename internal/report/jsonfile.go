package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// legacyTime is the timestamp layout of results files: ISO 8601 with
// microseconds, like the original's Python isoformat(), but with a numeric
// zone offset. The original wrote local time without a zone, which cannot be
// compared across machines; "+00:00" (not "Z") keeps the value readable by
// Python's datetime.fromisoformat on every version since 3.7.
const legacyTime = "2006-01-02T15:04:05.000000-07:00"

// resultsFormat names the lifttest block's layout.
const resultsFormat = "lifttest-results/v1"

// The legacy* types are the original harness's results file, field for
// field (lift-sys performance_benchmark.py), so that its tooling reads ours.
type legacyFile struct {
	Summary  legacySummary  `json:"summary"`
	Results  []legacyResult `json:"results"`
	Lifttest *lifttestBlock `json:"lifttest,omitempty"`
}

type legacySummary struct {
	TotalRuns          int     `json:"total_runs"`
	SuccessfulRuns     int     `json:"successful_runs"`
	FailedRuns         int     `json:"failed_runs"`
	NLPToIRMean        float64 `json:"nlp_to_ir_mean"`
	NLPToIRMedian      float64 `json:"nlp_to_ir_median"`
	NLPToIRStd         float64 `json:"nlp_to_ir_std"`
	IRToCodeMean       float64 `json:"ir_to_code_mean"`
	IRToCodeMedian     float64 `json:"ir_to_code_median"`
	IRToCodeStd        float64 `json:"ir_to_code_std"`
	E2EMean            float64 `json:"e2e_mean"`
	E2EMedian          float64 `json:"e2e_median"`
	E2EStd             float64 `json:"e2e_std"`
	TotalCostUSD       float64 `json:"total_cost_usd"`
	CostPerRequestMean float64 `json:"cost_per_request_mean"`
	MemoryMean         float64 `json:"memory_mean"`
	MemoryPeak         float64 `json:"memory_peak"`
}

type legacyResult struct {
	TestName         string          `json:"test_name"`
	Prompt           string          `json:"prompt"`
	Timestamp        string          `json:"timestamp"`
	NLPToIR          *legacyStage    `json:"nlp_to_ir"`
	IRToCode         *legacyStage    `json:"ir_to_code"` // null when stage 1 failed, as in the original
	TotalLatencyMS   float64         `json:"total_latency_ms"`
	TotalMemoryMB    float64         `json:"total_memory_mb"`
	EndToEndSuccess  bool            `json:"end_to_end_success"`
	EstimatedCostUSD float64         `json:"estimated_cost_usd"`
	ProviderType     string          `json:"provider_type"`
	IROutput         json.RawMessage `json:"ir_output"`
	CodeOutput       *string         `json:"code_output"`
	ExecutionTests   []legacyTest    `json:"execution_tests"`
	ExecutionSuccess bool            `json:"execution_success"`
}

type legacyStage struct {
	Name      string         `json:"name"`
	LatencyMS float64        `json:"latency_ms"`
	MemoryMB  float64        `json:"memory_mb"`
	Success   bool           `json:"success"`
	Error     *string        `json:"error"`
	Metadata  legacyMetadata `json:"metadata"`
}

type legacyMetadata struct {
	Result any `json:"result"` // the IR for stage 1, legacyCode for stage 2, or null
}

type legacyCode struct {
	SourceCode string `json:"source_code"`
	Language   string `json:"language"`
	IRVersion  any    `json:"ir_version"`
	Metadata   struct {
		IROrigin              any    `json:"ir_origin"`
		Generator             string `json:"generator"`
		Attempts              int    `json:"attempts"`
		ConstrainedGeneration bool   `json:"constrained_generation"`
	} `json:"metadata"`
	Warnings []string `json:"warnings"`
}

type legacyTest struct {
	TestName string  `json:"test_name"`
	Passed   bool    `json:"passed"`
	Expected string  `json:"expected"`
	Actual   string  `json:"actual"`
	Error    *string `json:"error"`
	Args     string  `json:"args"` // lifttest's addition: the call's arguments
	Class    string  `json:"class"`
}

// lifttestBlock is what the original format cannot say. Cases makes the file
// lossless: ReadResultsJSON rebuilds the exact *record.Result values from it.
type lifttestBlock struct {
	Format  string           `json:"format"`
	Suite   string           `json:"suite"`
	Run     record.Meta      `json:"run"`
	Summary safeSummary      `json:"summary"`
	Cases   []*record.Result `json:"cases"`
}

// WriteResultsJSON writes one suite's cases as a results file in the
// original lift-sys harness's shape, readable by its tooling: "summary" and
// "results" carry the original keys, latencies in milliseconds, memory in
// MiB, cost in USD, and statistics over the successful runs (cost and
// memory over all runs), as results.Summarize computes them. A third key,
// "lifttest", adds the run's configuration, the full results.Summary and
// the cases themselves.
//
// Differences from the original, on purpose:
//   - end_to_end_success is lifttest's success: the code passed every test
//     (compiled, for compile-only suites), not just "both stages answered";
//     it agrees with successful_runs.
//   - timestamps carry a zone offset (see legacyTime).
//   - code_output is the assembled source (the original wrote a placeholder).
//   - memory is measured per case (the harness's Go heap allocation), so a
//     stage's memory_mb is 0 and total_memory_mb holds the case's.
//   - execution_tests also give each test's args and outcome class.
func WriteResultsJSON(w io.Writer, run record.Meta, suite string, cases []*record.Result) error {
	sum := results.Summarize(suite, cases, nil)
	f := legacyFile{
		Summary: legacySummary{
			TotalRuns:          sum.Runs,
			SuccessfulRuns:     sum.Successful,
			FailedRuns:         sum.Failed,
			NLPToIRMean:        finite(sum.Stage1.Mean),
			NLPToIRMedian:      finite(sum.Stage1.Median),
			NLPToIRStd:         finite(sum.Stage1.Std),
			IRToCodeMean:       finite(sum.Stage2.Mean),
			IRToCodeMedian:     finite(sum.Stage2.Median),
			IRToCodeStd:        finite(sum.Stage2.Std),
			E2EMean:            finite(sum.E2E.Mean),
			E2EMedian:          finite(sum.E2E.Median),
			E2EStd:             finite(sum.E2E.Std),
			TotalCostUSD:       finite(sum.CostTotalUSD),
			CostPerRequestMean: finite(sum.CostMeanUSD),
			MemoryMean:         finite(sum.MemoryMeanMB),
			MemoryPeak:         finite(sum.MemoryPeakMB),
		},
		Results: make([]legacyResult, 0, len(cases)),
		Lifttest: &lifttestBlock{
			Format:  resultsFormat,
			Suite:   suite,
			Run:     run,
			Summary: sanitizeSummary(sum),
			Cases:   cases,
		},
	}
	if f.Lifttest.Cases == nil {
		f.Lifttest.Cases = []*record.Result{}
	}
	for _, c := range cases {
		f.Results = append(f.Results, legacyCase(c))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// A prompt or generated source may hold <, > and &; escaping them buys
	// nothing in a JSON file and makes it harder to read.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	return nil
}

func legacyCase(c *record.Result) legacyResult {
	r := legacyResult{
		TestName:         c.Case,
		Prompt:           c.Prompt,
		Timestamp:        c.Started.Format(legacyTime),
		TotalLatencyMS:   ms(c.E2E),
		TotalMemoryMB:    mib(float64(c.HarnessBytes)),
		EndToEndSuccess:  c.Success,
		EstimatedCostUSD: c.CostUSD,
		ProviderType:     "modal",
		IROutput:         json.RawMessage("null"),
		ExecutionTests:   []legacyTest{},
		ExecutionSuccess: c.Compiled && len(c.Validation.Tests) > 0 && c.Validation.PassedTests() == len(c.Validation.Tests),
	}
	if len(c.IR) > 0 {
		r.IROutput = c.IR
	}
	if c.Source != "" {
		src := c.Source
		r.CodeOutput = &src
	}

	s1 := &legacyStage{Name: "nlp_to_ir", LatencyMS: ms(c.Stage1.Latency), Success: c.Stage1.OK,
		Error: stageError(c.Stage1, c.Error)}
	if c.Stage1.OK && len(c.IR) > 0 {
		s1.Metadata.Result = c.IR
	}
	r.NLPToIR = s1

	// The original never reached stage 2 when stage 1 failed, and wrote null.
	if c.Stage1.OK || c.Stage2.Calls > 0 {
		s2 := &legacyStage{Name: "ir_to_code", LatencyMS: ms(c.Stage2.Latency), Success: c.Stage2.OK}
		if c.Stage1.OK {
			s2.Error = stageError(c.Stage2, c.Error)
		}
		if c.Stage2.OK && c.Source != "" {
			code := legacyCode{SourceCode: c.Source, Language: "python", Warnings: []string{}}
			code.Metadata.Generator = "xgrammar_constrained"
			code.Metadata.Attempts = c.Attempts
			code.Metadata.ConstrainedGeneration = true
			s2.Metadata.Result = code
		}
		r.IRToCode = s2
	}

	name := c.Function
	if name == "" {
		name = c.Case
	}
	for i, t := range c.Validation.Tests {
		lt := legacyTest{
			TestName: name + "_test_" + strconv.Itoa(i+1),
			Passed:   t.Passed,
			Expected: t.Expected,
			Actual:   t.Actual,
			Args:     t.Args,
			Class:    t.Class,
		}
		if t.Error != "" {
			e := t.Error
			lt.Error = &e
		}
		r.ExecutionTests = append(r.ExecutionTests, lt)
	}
	return r
}

// stageError is the error shown on a failed stage: its last recorded error,
// else the case's. A successful stage has none (null), as in the original.
func stageError(s record.Stage, caseErr string) *string {
	if s.OK {
		return nil
	}
	e := caseErr
	if len(s.Errors) > 0 {
		e = s.Errors[len(s.Errors)-1]
	}
	if e == "" {
		e = "failed"
	}
	return &e
}

func mib(bytes float64) float64 { return bytes / (1 << 20) }

// finite maps NaN and ±Inf, which JSON cannot hold, to 0: the original
// wrote 0 for the statistics of a run with no successes.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// ReadResultsJSON reads a results file back into cases: exactly the cases
// written, from the "lifttest" block of a file written by WriteResultsJSON;
// for a file written by the original harness, cases rebuilt from "results"
// with what that format holds (names, prompt, timestamps, stage latencies
// and success, errors, cost, memory, IR, execution tests).
func ReadResultsJSON(r io.Reader) ([]*record.Result, error) {
	var f legacyFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	if f.Lifttest != nil {
		if f.Lifttest.Format != resultsFormat {
			return nil, fmt.Errorf("results file: lifttest format %q, want %q", f.Lifttest.Format, resultsFormat)
		}
		return f.Lifttest.Cases, nil
	}
	if f.Results == nil {
		return nil, errors.New(`results file: no "results" key: not a lift-sys results file`)
	}
	cases := make([]*record.Result, 0, len(f.Results))
	for i, lr := range f.Results {
		c, err := fromLegacy(lr)
		if err != nil {
			return nil, fmt.Errorf("results file: results[%d] (%s): %w", i, lr.TestName, err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

func fromLegacy(lr legacyResult) (*record.Result, error) {
	c := &record.Result{
		Case:         lr.TestName,
		Prompt:       lr.Prompt,
		E2E:          msDuration(lr.TotalLatencyMS),
		CostUSD:      lr.EstimatedCostUSD,
		Success:      lr.EndToEndSuccess,
		HarnessBytes: uint64(math.Max(0, lr.TotalMemoryMB) * (1 << 20)),
	}
	if lr.Timestamp != "" {
		ts, err := parseLegacyTime(lr.Timestamp)
		if err != nil {
			return c, err
		}
		c.Started = ts
	}
	if s := lr.NLPToIR; s != nil {
		c.Stage1 = record.Stage{Latency: msDuration(s.LatencyMS), Recorded: true, OK: s.Success, Calls: 1}
		if s.Error != nil {
			c.Stage1.Errors = []string{*s.Error}
			c.Error = *s.Error
		}
	}
	if s := lr.IRToCode; s != nil {
		c.Stage2 = record.Stage{Latency: msDuration(s.LatencyMS), Recorded: true, OK: s.Success, Calls: 1}
		if s.Error != nil {
			c.Stage2.Errors = []string{*s.Error}
			c.Error = *s.Error
		}
		c.Compiled = s.Success
	}
	if len(lr.IROutput) > 0 && string(lr.IROutput) != "null" {
		c.IR = lr.IROutput
	}
	// The original's code_output held a placeholder, never the source.
	if lr.CodeOutput != nil && *lr.CodeOutput != "<5 chars>" {
		c.Source = *lr.CodeOutput
	}
	for _, lt := range lr.ExecutionTests {
		t := record.Test{Args: lt.Args, Passed: lt.Passed, Class: lt.Class, Expected: lt.Expected, Actual: lt.Actual}
		if lt.Error != nil {
			t.Error = *lt.Error
		}
		c.Validation.Tests = append(c.Validation.Tests, t)
	}
	c.CompileOnly = len(c.Validation.Tests) == 0
	return c, nil
}

// parseLegacyTime accepts our layout, RFC 3339, and the original's
// zone-less local time (read as UTC: the zone was never recorded).
func parseLegacyTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q: not ISO 8601", s)
}
