package stats_test

import (
	"fmt"

	"github.com/lift-sys/lifttest/internal/stats"
)

// The lift-sys 2025-10-22 baseline: end-to-end latency of the simple suite.
func Example() {
	e2e := []float64{14630, 12850, 11350, 13850, 13290} // ms
	s := stats.Describe(e2e)
	fmt.Printf("n=%d mean=%.0f median=%.0f std=%.1f range=%.0f-%.0f\n", s.N, s.Mean, s.Median, s.Std, s.Min, s.Max)
	fmt.Printf("p95 linear=%.0f exclusive (as lift-sys)=%.0f\n",
		stats.Quantile(e2e, 0.95, stats.Linear), stats.Quantile(e2e, 0.95, stats.Exclusive))

	lo, hi := stats.Wilson(5, 5, 0.95)
	fmt.Printf("success 5/5, 95%% Wilson CI [%.4f, %.4f]\n", lo, hi)

	p, _ := stats.PassAtK(10, 3, 5)
	fmt.Printf("pass@5 with 3 of 10 samples correct: %.4f\n", p)
	// Output:
	// n=5 mean=13194 median=13290 std=1226.8 range=11350-14630
	// p95 linear=14474 exclusive (as lift-sys)=15176
	// success 5/5, 95% Wilson CI [0.5655, 1.0000]
	// pass@5 with 3 of 10 samples correct: 0.9167
}

// Python's statistics.quantiles(range(1, 11), n=4) and its two methods.
func ExampleQuantiles() {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	fmt.Println(stats.Quantiles(xs, 4, stats.Exclusive))
	fmt.Println(stats.Quantiles(xs, 4, stats.Linear))
	fmt.Println(stats.Quantiles(xs, 4, stats.NearestRank))
	// Output:
	// [2.75 5.5 8.25]
	// [3.25 5.5 7.75]
	// [3 5 8]
}
