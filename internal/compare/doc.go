// Package compare compares two sets of runs of the same cases, base and
// head, paired by suite, case and sample, and says whether head regressed.
//
// Success is compared with McNemar's exact test on the paired outcomes: only
// the discordant pairs (b: passed in base and failed in head; c: the
// reverse) carry information, and under no change each is equally likely,
// so the two-sided p-value is a binomial(b+c, 1/2) tail. Latency per stage,
// E2E, tokens and cost are compared with the Mann-Whitney U test of
// golang.org/x/perf/benchmath (as benchstat does), with the change in the
// median and its 95 % percentile-bootstrap interval (2000 resamples of the
// pairs, which keeps a case's base and head runs together, seed 1, so a
// report is reproducible). The rank test itself is unpaired, as benchstat's.
//
// A change fails the comparison only when it is significant (p < alpha)
// and also larger than the suite's practical threshold (Thresholds, from
// baselines/compare.json): with live runs, a significant 1 % latency change
// is noise to a reviewer and a 30 % change in two samples is luck.
//
// Each case is also classified per side as stable pass, stable fail or
// flaky over its samples, with a Wilson interval on its pass rate; a flaky
// case is listed, not counted as a regression.
package compare
