package suites_test

import "testing"

// BenchmarkSuite runs every selected case as a sub-benchmark named
// suite=<suite>/case=<case>, so benchstat can group and filter by key.
// After it, the session writes the endpoint's warmup and each suite's
// summary (median and mean E2E, mean cost, success rate) as benchmark lines.
func BenchmarkSuite(b *testing.B) { session.Bench(b) }
