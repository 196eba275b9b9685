package load

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Sweep runs base in Concurrent mode once per concurrency, in order, and
// returns the reports so far with the first error.
func Sweep(ctx context.Context, base Config, concurrencies []int, f Func) ([]Report, error) {
	var reps []Report
	for _, c := range concurrencies {
		cfg := base
		cfg.Mode, cfg.Concurrency = Concurrent, c
		rep, err := Run(ctx, cfg, f)
		if err != nil {
			return reps, fmt.Errorf("load: sweep at concurrency %d: %w", c, err)
		}
		reps = append(reps, rep)
	}
	return reps, nil
}

// WriteTable writes one row per report (a concurrency sweep): counts,
// throughput and goodput per second, latency percentiles and the p99 send
// lag in milliseconds (nearest-rank percentiles).
func WriteTable(w io.Writer, reps []Report) {
	fmt.Fprintf(w, "%11s %5s %9s %6s %7s %9s %9s %8s %8s %8s %8s %8s %10s\n",
		"mode", "conc", "completed", "failed", "dropped", "req/s", "goodput/s",
		"mean ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "lag p99 ms")
	for _, r := range reps {
		fmt.Fprintf(w, "%11s %5d %9d %6d %7d %9.1f %9.1f %8s %8s %8s %8s %8s %10s\n",
			r.Mode, r.Concurrency, r.Completed, r.Failed, r.Dropped, r.Throughput, r.Goodput,
			ms(r.Latency.Mean), ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max),
			ms(r.SendLag.P99))
	}
}

// ms formats d in milliseconds with 2 decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}
