package suites_test

import "testing"

// BenchmarkWarmup reports the endpoint's warmup (its cold start when the
// model was not loaded), as recorded in cassettes/endpoint.yaml in replay.
func BenchmarkWarmup(b *testing.B) {
	harness.BenchWarmup(b)
}

// BenchmarkSuite runs every case as a sub-benchmark named
// suite=<suite>/case=<case>, so benchstat can group and filter by key.
func BenchmarkSuite(b *testing.B) {
	for _, s := range selected {
		b.Run("suite="+s.Name, func(b *testing.B) {
			for _, c := range s.Cases {
				b.Run("case="+c.Name, func(b *testing.B) {
					harness.Bench(b, s.Name, c)
				})
			}
		})
	}
}

// BenchmarkSummary reports each suite's aggregate (median and mean E2E,
// mean cost, success rate) over the BenchmarkSuite runs before it, so
// benchstat compares suite figures across commits too.
func BenchmarkSummary(b *testing.B) {
	for _, s := range selected {
		b.Run("suite="+s.Name, func(b *testing.B) {
			harness.BenchSummary(b, s.Name)
		})
	}
}
