// Package stats holds the summary statistics lifttest reports: quantiles
// under a named method, descriptive summaries, confidence intervals and the
// pass@k estimator. Every function is pure: it takes []float64 (or counts)
// and never modifies its input.
//
// # Percentiles
//
// A percentile means nothing without its method, so every quantile names
// one (see [Method]):
//
//   - [NearestRank]: the smallest observation with at least p of the data at
//     or below it. Always an observed value.
//   - [Linear]: linear interpolation between the closest ranks, h = (n-1)p:
//     Hyndman & Fan type 7, numpy's default, Excel PERCENTILE.INC and
//     Python's statistics.quantiles(method="inclusive"). [Describe] uses it.
//   - [Exclusive]: h = (n+1)p, Hyndman & Fan type 6 as Python's
//     statistics.quantiles(method="exclusive") computes it, the method the
//     original lift-sys harness used for P95/P99. Like Python (and unlike
//     R's type 6) it extrapolates linearly past the extremes when p is
//     below 1/(n+1) or above n/(n+1): the P95 cut of 1..10 is 10.45.
//
// # Intervals and estimators
//
// [Wilson] gives the Wilson score interval for a success rate, which stays
// inside [0, 1] and is sensible at 0/n and n/n, unlike the normal
// approximation. [BootstrapMeanCI] gives a percentile bootstrap interval for
// a mean, deterministic for a seed. Both take a confidence level and turn it
// into a z score or tail cut through [NormalQuantile].
//
// [PassAtK] is the unbiased pass@k estimator of Chen et al. (2021),
// 1 - C(n-c, k)/C(n, k), in the numerically stable product form
// 1 - prod_{i=n-c+1..n} (1 - k/i); [MeanPassAtK] averages it over problems.
package stats
