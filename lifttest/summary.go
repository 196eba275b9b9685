package lifttest

import (
	"math"
	"slices"
	"testing"
	"time"
)

// Summary aggregates a suite's runs as the original harness did: stage and
// E2E statistics over the successful runs, cost over all runs.
type Summary struct {
	Runs, Successful int
	// Over successful runs. Median is the middle value (the mean of the two
	// middle values for an even count); Std is the sample standard deviation.
	E2E, Stage1, Stage2 Stats
	CostTotal, CostMean float64 // USD, over all runs
}

// Stats describes a set of durations.
type Stats struct {
	N                 int
	Mean, Median, Std time.Duration
	Min, Max          time.Duration
}

// Summarize aggregates results.
func Summarize(results []*Result) Summary {
	var s Summary
	var e2e, s1, s2 []time.Duration
	for _, r := range results {
		s.Runs++
		s.CostTotal += r.Cost
		if r.Success {
			s.Successful++
			e2e = append(e2e, r.E2E)
			s1 = append(s1, r.Stage1.Latency)
			s2 = append(s2, r.Stage2.Latency)
		}
	}
	if s.Runs > 0 {
		s.CostMean = s.CostTotal / float64(s.Runs)
	}
	s.E2E, s.Stage1, s.Stage2 = stats(e2e), stats(s1), stats(s2)
	return s
}

func stats(ds []time.Duration) Stats {
	st := Stats{N: len(ds)}
	if len(ds) == 0 {
		return st
	}
	xs := slices.Clone(ds)
	slices.Sort(xs)
	st.Min, st.Max = xs[0], xs[len(xs)-1]
	if n := len(xs); n%2 == 1 {
		st.Median = xs[n/2]
	} else {
		st.Median = (xs[n/2-1] + xs[n/2]) / 2
	}
	var sum float64
	for _, d := range xs {
		sum += float64(d)
	}
	mean := sum / float64(len(xs))
	st.Mean = time.Duration(math.Round(mean))
	if len(xs) > 1 {
		var ss float64
		for _, d := range xs {
			ss += (float64(d) - mean) * (float64(d) - mean)
		}
		st.Std = time.Duration(math.Round(math.Sqrt(ss / float64(len(xs)-1))))
	}
	return st
}

// BenchSummary reports the summary of the suite's benchmark runs so far (one
// result per Bench call, so each case weighs the same however many
// iterations b.Loop chose) as a benchmark whose metrics benchstat compares
// across commits:
//
//	e2e-median-ns, e2e-mean-ns, e2e-std-ns   over successful runs (sec in benchstat)
//	stage1-mean-ns, stage2-mean-ns           over successful runs
//	USD-mean/req, USD-total                  cost over all runs
//	success-rate                             successful / all runs
//
// ns/op is the cost of computing the summary. It skips b when no Bench of
// the suite has run in this process.
func (h *Harness) BenchSummary(b *testing.B, suite string) {
	h.mu.Lock()
	results := slices.Clone(h.benched[suite])
	h.mu.Unlock()
	if len(results) == 0 {
		b.Skipf("no benchmark of suite %s ran before the summary: run BenchmarkSuite first (-bench .)", suite)
	}
	var s Summary
	for b.Loop() {
		s = Summarize(results)
	}
	b.ReportMetric(float64(s.E2E.Median), "e2e-median-ns")
	b.ReportMetric(float64(s.E2E.Mean), "e2e-mean-ns")
	b.ReportMetric(float64(s.E2E.Std), "e2e-std-ns")
	b.ReportMetric(float64(s.Stage1.Mean), "stage1-mean-ns")
	b.ReportMetric(float64(s.Stage2.Mean), "stage2-mean-ns")
	b.ReportMetric(s.CostMean, "USD-mean/req")
	b.ReportMetric(s.CostTotal, "USD-total")
	b.ReportMetric(float64(s.Successful)/float64(s.Runs), "success-rate")
}
