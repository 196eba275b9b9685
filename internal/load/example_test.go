package load_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/lift-sys/lifttest/internal/load"
)

// A closed loop of 4 requests in flight; the Func would call the endpoint.
func Example() {
	f := func(ctx context.Context, i int) load.Sample {
		// ... one request; report how it went.
		return load.Sample{OK: i%10 != 9, Latency: time.Duration(i+1) * time.Millisecond}
	}
	rep, err := load.Run(context.Background(), load.Config{
		Mode: load.Concurrent, Concurrency: 4, Requests: 100,
		SLO: load.SLO{E2E: 50 * time.Millisecond},
	}, f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("completed", rep.Completed, "failed", rep.Failed)
	fmt.Println("latency n", rep.Latency.N, "p50", rep.Latency.P50, "p99", rep.Latency.P99, "max", rep.Latency.Max)
	fmt.Printf("goodput/throughput %.2f\n", rep.Goodput/rep.Throughput)
	// Output:
	// completed 90 failed 10
	// latency n 100 p50 50ms p99 99ms max 100ms
	// goodput/throughput 0.50
}
