package gate_test

import (
	"log"
	"os"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/internal/stats"
)

// A run of the simple suite, compared with the committed 2025-10-22
// baseline: one case failed and the median slowed by a third.
func Example() {
	b, err := gate.LoadBaseline("../../baselines", "simple")
	if err != nil {
		log.Fatal(err)
	}
	th, err := gate.LoadThresholds("../../baselines")
	if err != nil {
		log.Fatal(err)
	}
	b.Source = "" // keep the example's first line short
	run := results.Summary{
		Suite: "simple", Runs: 5, Successful: 4, Failed: 1, SuccessRate: 0.8,
		E2E:         stats.Summary{N: 4, Median: 17700, Mean: 16900},
		CostMeanUSD: 0.002650,
	}
	r := gate.Evaluate(b, run, th)
	if err := r.WriteText(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// suite simple: 5 runs against the baseline of 2025-10-22 (5 runs at 0.60 USD/h)
	// metric            unit  baseline   current   change  warn                fail                status
	// success rate      %        100.0      80.0  -20.0 %  < 95 %              < 90 %              FAIL
	// E2E median        s        13.29     17.70  +33.2 %  > +30 % (17.277 s)  > +50 % (19.935 s)  WARN
	// E2E mean          s        13.19     16.90  +28.1 %  > +30 % (17.147 s)  > +50 % (19.785 s)  ok
	// cost per request  USD   0.002299  0.002650  +15.3 %  > 0.003 USD         > 0.0035 USD        ok
	// gate: FAIL (1 metric crossed a fail threshold, 1 warning)
}
