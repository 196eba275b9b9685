package lifttest

import (
	"time"
)

// Result is one case's run through the pipeline.
type Result struct {
	Suite, Case string
	Mode        Mode // replay, record or live
	// Sample is the 0-based sample index under -samples.
	Sample int
	// Prompt, Category and Complexity are the case's.
	Prompt, Category, Complexity string
	// CompileOnly: the case has no tests; success means it compiled and
	// defines a function.
	CompileOnly bool
	// Started is when the run began.
	Started time.Time
	// HarnessBytes and HarnessAllocs are what lifttest itself allocated for
	// the case (Go heap, all goroutines: exact only when cases run one at a
	// time).
	HarnessBytes, HarnessAllocs uint64

	Stage1 Stage // prompt -> IR
	Stage2 Stage // IR -> code, every attempt
	// E2E is Stage1.Latency + Stage2.Latency: the endpoint's part of the
	// run, retries included. Validation is reported apart.
	E2E time.Duration
	// Validate is the wall time spent validating the final attempt
	// (measured in every mode: it is the harness's own work).
	Validate time.Duration
	// Cost in USD of the request: E2E priced by the run's GPU price.
	Cost float64
	// Tokens used by both stages.
	Tokens int

	IR     *IR    // the parsed stage-1 answer, when there is one
	Code   *Code  // the last parsed stage-2 answer
	Source string // the last assembled Python module
	// Function is the name tested and Match how it was found (exact,
	// single, contains).
	Function, Match string
	// Attempts is how many stage-2 answers were requested.
	Attempts int

	Compiled   bool          // the last module parses
	Validation Validation    // the last module's run
	Success    bool          // compiled and every test passed
	Err        error         // why the case did not succeed; nil on success
	Failures   []AttemptNote // what each failed stage-2 attempt was told
}

// Stage is one model call's stage, all its attempts together.
type Stage struct {
	// Latency is client wall time around the stage's HTTP calls, retries
	// included: measured in live and record, recorded in replay.
	Latency time.Duration
	// Recorded says Latency came from a cassette.
	Recorded bool
	// Server is the endpoint's own generation_time_ms, summed.
	Server time.Duration
	Calls  int
	Tokens int
	// SchemaChecked answers were checked against the stage's JSON Schema and
	// SchemaValid of them matched it.
	SchemaChecked, SchemaValid int
	// Errs are the errors of this stage's calls, in order (a retried stage
	// can succeed after errors).
	Errs []string
	// Retries counts HTTP requests sent again after a 408, 429, 5xx or a
	// reset (live and record; a cassette keeps only the final answer).
	Retries int
	// Streamed calls, and their TTFT and TPOT summed (divide by Streamed).
	Streamed   int
	TTFT, TPOT time.Duration
}

// AttemptNote is a failed stage-2 attempt and the note fed back to the next.
type AttemptNote struct {
	Attempt int
	Error   string
}

// PassedTests counts the passed tests of the last validation.
func (r *Result) PassedTests() int {
	n := 0
	for _, t := range r.Validation.Tests {
		if t.Passed {
			n++
		}
	}
	return n
}
