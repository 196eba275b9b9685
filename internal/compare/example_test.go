package compare_test

import (
	"fmt"
	"time"

	"github.com/lift-sys/lifttest/internal/compare"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// McNemar's exact test uses only the discordant pairs: 9 runs passed in
// base and failed in head, 1 the reverse.
func ExampleMcNemar() {
	fmt.Printf("p = %.4f\n", compare.McNemar(9, 1))
	fmt.Printf("one flip: p = %.1f\n", compare.McNemar(1, 0))
	// Output:
	// p = 0.0215
	// one flip: p = 1.0
}

// Two runs of one case, 10 samples each; head fails one sample: a flaky
// case, not a regression.
func ExampleCompare() {
	var base, head compare.Side
	for i := range 10 {
		e2e := time.Second + time.Duration(i)*10*time.Millisecond
		base.Results = append(base.Results, &record.Result{Suite: "simple", Case: "is_even", Sample: i, Success: true, E2E: e2e, Attempts: 1})
		head.Results = append(head.Results, &record.Result{Suite: "simple", Case: "is_even", Sample: i, Success: i != 3, E2E: e2e, Attempts: 1})
	}
	rep := compare.Compare(base, head, compare.Thresholds{Default: compare.DefaultThreshold})
	s := rep.Suites[0]
	fmt.Printf("success %d/%d -> %d/%d, b=%d c=%d, p=%.2f, %s\n", s.Success.Base, s.Success.N, s.Success.Head, s.Success.N, s.Success.B, s.Success.C, s.Success.P, s.Success.Verdict)
	for _, c := range s.Flaky() {
		fmt.Printf("%s: base %s, head %s (%d/%d)\n", c.Name, c.Base, c.Head, c.HeadPassed, c.HeadRuns)
	}
	fmt.Println("failed:", rep.Failed())
	// Output:
	// success 10/10 -> 9/10, b=1 c=0, p=1.00, ~
	// is_even: base stable pass, head flaky (9/10)
	// failed: false
}
