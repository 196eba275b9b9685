// Package results summarizes a suite's runs: the one computation of the
// figures (success with its interval, latency and cost statistics, rates by
// group, pass@k) that the benchmark summary lines, the reports and the
// regression gate all print, from the []*record.Result of the run.
package results
