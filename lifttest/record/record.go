// Package record defines the record of one case's run through the lift-sys
// pipeline: the one type that every sink reads. A benchmark's metrics, the
// journal, the results files, the Markdown and HTML reports and the
// regression gate are all computed from the same []*Result, so a figure in
// one cannot disagree with another.
//
// Durations are time.Duration; they are turned into milliseconds only at
// the edge that needs it (lift-sys's results JSON). A Result marshals to the
// journal's JSON as it is, durations as integer nanoseconds.
package record

import (
	"encoding/json"
	"slices"
	"time"
)

// Result is one run of one case (one sample of it, under -samples).
type Result struct {
	Suite      string `json:"suite"`
	Case       string `json:"case"`
	Sample     int    `json:"sample,omitempty"` // 0-based
	Prompt     string `json:"prompt"`
	Category   string `json:"category,omitempty"`
	Complexity string `json:"complexity,omitempty"`
	// CompileOnly: the case has no tests; success means its code compiles
	// and defines a function.
	CompileOnly bool      `json:"compile_only,omitempty"`
	Started     time.Time `json:"started"`
	Mode        string    `json:"mode"` // replay, record or live

	Stage1 Stage `json:"stage1"` // prompt -> IR
	Stage2 Stage `json:"stage2"` // IR -> code, every attempt
	// E2E is Stage1.Latency + Stage2.Latency: the endpoint's part of the
	// run, retries included. Validation is reported apart.
	E2E time.Duration `json:"e2e"`
	// Validate is the wall time spent validating the final attempt; it is
	// the harness's own work, measured in every mode.
	Validate time.Duration `json:"validate"`
	CostUSD  float64       `json:"cost_usd"` // E2E at the run's price
	Tokens   int           `json:"tokens"`   // both stages
	Attempts int           `json:"attempts"` // stage-2 answers requested

	IR     json.RawMessage `json:"ir,omitempty"`     // the parsed stage-1 answer
	Code   json.RawMessage `json:"code,omitempty"`   // the last stage-2 answer
	Source string          `json:"source,omitempty"` // the last assembled module
	// Function is the name tested, Match how it was found (exact, single,
	// contains).
	Function string `json:"function,omitempty"`
	Match    string `json:"match,omitempty"`

	Compiled   bool       `json:"compiled"`
	Validation Validation `json:"validation"`
	Success    bool       `json:"success"`
	// Error says why the case did not succeed; "" on success.
	Error string `json:"error,omitempty"`
	// Failures are the failed stage-2 attempts and what each fed back.
	Failures []Attempt `json:"failures,omitempty"`
	// Tries are every stage-2 attempt's share of the run, failed or not,
	// in order: what each attempt cost. Empty in journals written before
	// they were recorded.
	Tries []Try `json:"tries,omitempty"`

	// HarnessBytes and HarnessAllocs are what lifttest itself allocated for
	// the case (Go heap, all goroutines: exact only when cases run one at
	// a time).
	HarnessBytes  uint64 `json:"harness_bytes"`
	HarnessAllocs uint64 `json:"harness_allocs"`
}

// Stage is one model stage of a run, all its calls together.
type Stage struct {
	// Latency is client wall time around the stage's HTTP calls, retries
	// included: measured in live and record, recorded in replay.
	Latency  time.Duration `json:"latency"`
	Recorded bool          `json:"recorded,omitempty"` // Latency came from a cassette
	// Server is the endpoint's own generation time, summed.
	Server time.Duration `json:"server"`
	Calls  int           `json:"calls"`
	Tokens int           `json:"tokens"` // output (completion) tokens
	// InputTokens are the prompt tokens, where the endpoint says (the
	// OpenAI contract's usage.prompt_tokens); 0 otherwise.
	InputTokens int `json:"input_tokens,omitempty"`
	// CostUSD is the stage's share of Result.CostUSD: its GPU time at the
	// run's price (stage 1 also carries the per-request overhead), or its
	// tokens at a token price. 0 in journals written before it was.
	CostUSD float64 `json:"cost_usd,omitempty"`
	// SchemaChecked answers were checked against the stage's JSON Schema
	// and SchemaValid of them matched it.
	SchemaChecked int `json:"schema_checked"`
	SchemaValid   int `json:"schema_valid"`
	// OK: the stage produced what the next step needs.
	OK bool `json:"ok"`
	// Errors of this stage's calls, in order.
	Errors []string `json:"errors,omitempty"`
	// Retries counts HTTP requests sent again after a 408, 429, 5xx or a
	// reset (live and record; a cassette keeps only the final answer).
	Retries int `json:"retries,omitempty"`
	// Streamed calls, and their TTFT and TPOT summed (divide by Streamed).
	Streamed int           `json:"streamed,omitempty"`
	TTFT     time.Duration `json:"ttft,omitempty"`
	TPOT     time.Duration `json:"tpot,omitempty"`
	// ITLMean and ITLP99 are each streamed call's mean and 99th
	// percentile inter-token latency (the gaps between content chunks),
	// summed (divide by Streamed).
	ITLMean time.Duration `json:"itl_mean,omitempty"`
	ITLP99  time.Duration `json:"itl_p99,omitempty"`
	// ServerTPOT sums the server's own time per output token over the
	// ServerTimed calls that reported one (llama.cpp's
	// predicted_per_token_ms), to compare with TPOT.
	ServerTimed int           `json:"server_timed,omitempty"`
	ServerTPOT  time.Duration `json:"server_tpot,omitempty"`
}

// ITLStats are the mean and the 99th percentile (nearest rank) of itl;
// zero for none.
func ITLStats(itl []time.Duration) (mean, p99 time.Duration) {
	if len(itl) == 0 {
		return 0, 0
	}
	s := slices.Clone(itl)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	rank := (99*len(s) + 99) / 100 // ceil(0.99 n)
	return sum / time.Duration(len(s)), s[rank-1]
}

// Attempt is a failed stage-2 attempt and the note fed back to the next.
type Attempt struct {
	Attempt int    `json:"attempt"`
	Error   string `json:"error"`
}

// Try is one stage-2 attempt's share of a run.
type Try struct {
	Attempt     int           `json:"attempt"` // 1-based
	Latency     time.Duration `json:"latency"`
	Tokens      int           `json:"tokens"`
	InputTokens int           `json:"input_tokens,omitempty"`
	CostUSD     float64       `json:"cost_usd"`
	// OK: this attempt's code passed (the case succeeded on it).
	OK bool `json:"ok"`
}

// Validation is what running the generated module found.
type Validation struct {
	// Compiled: the module parses (Python's ast).
	Compiled bool `json:"compiled"`
	// Class is the overall outcome: passed, wrong_answer, exception,
	// syntax_error, function_missing, function_ambiguous, timeout,
	// memory_limit, output_limit, signal or sandbox_error.
	Class string `json:"class"`
	// Error explains a class other than passed ("ExcType: message").
	Error string `json:"error,omitempty"`
	// Tests has one outcome per test of the case, in order.
	Tests []Test `json:"tests,omitempty"`
	// Missing lists the isolation steps the sandbox could not apply.
	Missing []string `json:"missing,omitempty"`
	// PeakRSS is the program's peak resident memory in bytes.
	PeakRSS int64 `json:"peak_rss,omitempty"`
}

// Passed reports whether the module compiled and every test passed.
func (v Validation) Passed() bool { return v.Compiled && v.Class == "passed" }

// PassedTests counts the passed tests.
func (v Validation) PassedTests() int {
	n := 0
	for _, t := range v.Tests {
		if t.Passed {
			n++
		}
	}
	return n
}

// Test is the outcome of one test of the case.
type Test struct {
	Args     string `json:"args"` // the Python argument list, e.g. "[2, 3]"
	Passed   bool   `json:"passed"`
	Class    string `json:"class"`            // passed, wrong_answer, exception, timeout, ...
	Expected string `json:"expected"`         // repr of the expected value
	Actual   string `json:"actual,omitempty"` // repr of the returned value; "" when it raised
	Error    string `json:"error,omitempty"`  // "ExcType: message" when it raised
}

// Timing says where the latencies came from: "recorded" (a cassette) or
// "measured".
func (r *Result) Timing() string {
	if r.Stage1.Recorded {
		return "recorded"
	}
	return "measured"
}

// Meta describes the run a journal holds: its configuration, for report
// headers and results files.
type Meta struct {
	Started  time.Time `json:"started"`
	Mode     string    `json:"mode"`
	Endpoint string    `json:"endpoint"` // host only: never a URL with credentials
	Model    string    `json:"model"`
	GPU      string    `json:"gpu"`
	// Price names the price, e.g. "original (0.60 USD/h + 0.0001
	// USD/request)", and PerHour is its USD per GPU hour.
	Price   string  `json:"price"`
	PerHour float64 `json:"price_usd_per_hour"`
	// Shard is "k/n" when the run was one shard of n; "" for a whole run.
	Shard string `json:"shard,omitempty"`
	// Isolation is the sandbox's isolation: "full", or the steps missing.
	Isolation string `json:"isolation,omitempty"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
}
