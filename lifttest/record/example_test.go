package record_test

import (
	"fmt"
	"time"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// A Result is plain data: every sink reads the same fields.
func ExampleResult() {
	r := record.Result{
		Suite: "simple", Case: "is_even", Success: true,
		Stage1: record.Stage{Latency: 3 * time.Second, Recorded: true},
		Stage2: record.Stage{Latency: 2 * time.Second, Recorded: true},
		E2E:    5 * time.Second,
		Validation: record.Validation{Compiled: true, Class: "passed", Tests: []record.Test{
			{Args: "[2]", Passed: true, Class: "passed", Expected: "True", Actual: "True"},
			{Args: "[3]", Passed: true, Class: "passed", Expected: "False", Actual: "False"},
		}},
	}
	fmt.Printf("%s/%s: %v in %v (%s), %d/%d tests\n", r.Suite, r.Case, r.Success, r.E2E, r.Timing(),
		r.Validation.PassedTests(), len(r.Validation.Tests))
	// Output:
	// simple/is_even: true in 5s (recorded), 2/2 tests
}
