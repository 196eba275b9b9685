package lifttest

import (
	"encoding/json"

	"github.com/lift-sys/lifttest/internal/results"
)

// Record converts the result into the run record that journals, results
// files, reports and the gate are built from.
func (r *Result) Record() results.Case {
	timing := "measured"
	if r.Stage1.Recorded {
		timing = "recorded"
	}
	c := results.Case{
		Suite: r.Suite, Case: r.Case, Prompt: r.Prompt, Category: r.Category, Complexity: r.Complexity,
		Sample: r.Sample, Timestamp: r.Started, Mode: r.Mode.String(), Timing: timing,
		Stage1: stageRecord(r.Stage1, r.IR != nil),
		Stage2: stageRecord(r.Stage2, r.Source != ""),
		E2EMS:  ms(r.E2E.Seconds()), ValidateMS: ms(r.Validate.Seconds()),
		CostUSD: r.Cost, Tokens: r.Tokens, Attempts: r.Attempts,
		CompileOnly: r.CompileOnly, Compiled: r.Compiled, Function: r.Function, Match: r.Match,
		TestsPassed: r.PassedTests(), TestsTotal: len(r.Validation.Tests), Success: r.Success,
		Source: r.Source, HarnessBytes: r.HarnessBytes, HarnessAllocs: r.HarnessAllocs,
		PeakRSSBytes: r.Validation.PeakRSS,
	}
	if r.Err != nil {
		c.Error = r.Err.Error()
	}
	if r.IR != nil {
		c.IR, _ = json.Marshal(r.IR)
	}
	for _, t := range r.Validation.Tests {
		c.Tests = append(c.Tests, results.Test{Args: t.Args, Passed: t.Passed, Class: t.Class, Expected: t.Expected, Actual: t.Actual, Error: t.Error})
	}
	return c
}

func stageRecord(s Stage, ok bool) results.Stage {
	return results.Stage{
		LatencyMS: ms(s.Latency.Seconds()), ServerMS: ms(s.Server.Seconds()), Calls: s.Calls, Tokens: s.Tokens,
		SchemaChecked: s.SchemaChecked, SchemaValid: s.SchemaValid, Success: ok, Errors: s.Errs,
	}
}

func ms(seconds float64) float64 { return seconds * 1000 }
