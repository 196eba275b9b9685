package gate

import (
	"fmt"
	"math"

	"github.com/lift-sys/lifttest/internal/results"
)

// Status is a metric's verdict, ordered from best to worst.
type Status int

const (
	OK   Status = iota // within both thresholds
	Warn               // crossed the warn threshold only
	Fail               // crossed the fail threshold
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Warn:
		return "WARN"
	case Fail:
		return "FAIL"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Row is one gated metric.
type Row struct {
	Metric string // "success rate", "E2E median", ...
	Unit   string // of Baseline and Current: "%", "s", "USD"
	// Baseline and Current are the metric in Unit; Change is the relative
	// change (Current − Baseline) / Baseline, NaN when Baseline is 0.
	Baseline, Current, Change float64
	Warn, Fail                string // the thresholds in words, e.g. "< 95 %", "> +30 % (17.28 s)"
	Status                    Status
}

// Report is the gate's verdict on one suite.
type Report struct {
	Suite      string
	Runs       int // of this run
	Baseline   Baseline
	Thresholds Thresholds // those applied: the suite's, without Suites
	Rows       []Row
	// Notes explain metrics left out (no successful run to time) and
	// other things a reader should know.
	Notes []string
	// Problems make the comparison meaningless (another suite's baseline,
	// compile-only on one side only); each fails the gate.
	Problems []string
}

// Evaluate compares a suite's summary with its baseline under th (for
// th.For(s.Suite); the zero Thresholds means DefaultThresholds). It gates
// the metrics of LIFTSYS.md §7, each in its own direction: the success
// rate may not fall, the E2E median and mean and the cost per request may
// not rise. A metric the run cannot measure is left out with a note: with
// no successful run there is no latency; a suite that ran no case (an
// empty shard) has nothing to gate and passes.
func Evaluate(b Baseline, s results.Summary, th Thresholds) Report {
	if th.isZero() {
		th = DefaultThresholds()
	}
	th = th.For(s.Suite)
	r := Report{Suite: s.Suite, Runs: s.Runs, Baseline: b, Thresholds: th}
	if b.Suite != s.Suite {
		r.Problems = append(r.Problems, fmt.Sprintf("the baseline is suite %q's, this run is suite %q's", b.Suite, s.Suite))
	}
	if b.CompileOnly != s.CompileOnly {
		r.Problems = append(r.Problems, fmt.Sprintf("the baseline was recorded %s and this run is %s: record a new baseline with `make baseline SUITE=%s`",
			compileOnlyWords(b.CompileOnly), compileOnlyWords(s.CompileOnly), s.Suite))
	}
	if s.Runs == 0 {
		r.Notes = append(r.Notes, "no case ran (an empty shard or selection): nothing to gate")
		return r
	}

	name := "success rate"
	if s.CompileOnly {
		// A compile-only suite succeeds when the code compiles and defines
		// the function: not the same figure as the summary's compile rate.
		name = "success (compiles)"
	}
	r.Rows = append(r.Rows, Row{
		Metric: name, Unit: "%", Baseline: b.SuccessRate * 100, Current: s.SuccessRate * 100,
		Change: change(b.SuccessRate, s.SuccessRate),
		Warn:   "< " + percent(th.SuccessRateWarn), Fail: "< " + percent(th.SuccessRateFail),
		Status: status(below(s.SuccessRate, th.SuccessRateWarn), below(s.SuccessRate, th.SuccessRateFail)),
	})

	switch {
	case s.Successful == 0:
		r.Notes = append(r.Notes, "no successful run: E2E latency is not gated")
	case b.Successful == 0:
		r.Notes = append(r.Notes, "the baseline has no successful run: E2E latency is not gated")
	default:
		r.Rows = append(r.Rows,
			latencyRow("E2E median", b.E2EMedianMS, s.E2E.Median, th),
			latencyRow("E2E mean", b.E2EMeanMS, s.E2E.Mean, th))
	}

	r.Rows = append(r.Rows, Row{
		Metric: "cost per request", Unit: "USD", Baseline: b.CostPerRequestUSD, Current: s.CostMeanUSD,
		Change: change(b.CostPerRequestUSD, s.CostMeanUSD),
		Warn:   "> " + usd(th.CostPerRequestWarnUSD), Fail: "> " + usd(th.CostPerRequestFailUSD),
		Status: status(above(s.CostMeanUSD, th.CostPerRequestWarnUSD), above(s.CostMeanUSD, th.CostPerRequestFailUSD)),
	})
	return r
}

// latencyRow gates a latency in ms against the baseline's, relatively,
// and shows it in seconds with the absolute limits.
func latencyRow(metric string, baseMS, curMS float64, th Thresholds) Row {
	warn, fail := baseMS*(1+th.E2EIncreaseWarn), baseMS*(1+th.E2EIncreaseFail)
	return Row{
		Metric: metric, Unit: "s", Baseline: baseMS / 1000, Current: curMS / 1000,
		Change: change(baseMS, curMS),
		Warn:   fmt.Sprintf("> %s (%s s)", signedPercent(th.E2EIncreaseWarn), seconds(warn)),
		Fail:   fmt.Sprintf("> %s (%s s)", signedPercent(th.E2EIncreaseFail), seconds(fail)),
		Status: status(above(curMS, warn), above(curMS, fail)),
	}
}

// Failed reports whether a metric crossed its fail threshold or the
// comparison itself is invalid.
func (r Report) Failed() bool { return r.count(Fail) > 0 || len(r.Problems) > 0 }

// Warned reports whether a metric crossed its warn threshold but not its
// fail threshold.
func (r Report) Warned() bool { return r.count(Warn) > 0 }

// Status is the report's overall verdict: its worst row, or Fail when it
// has Problems.
func (r Report) Status() Status {
	switch {
	case r.Failed():
		return Fail
	case r.Warned():
		return Warn
	}
	return OK
}

func (r Report) count(st Status) int {
	n := 0
	for _, row := range r.Rows {
		if row.Status == st {
			n++
		}
	}
	return n
}

func status(warn, fail bool) Status {
	switch {
	case fail:
		return Fail
	case warn:
		return Warn
	}
	return OK
}

// above and below compare strictly, with a relative tolerance of 1e-9 so
// that a value exactly at its threshold, off by float rounding (13290 ×
// 1.3), does not cross it.
func above(x, limit float64) bool { return x > limit && !near(x, limit) }
func below(x, limit float64) bool { return x < limit && !near(x, limit) }

func near(x, y float64) bool {
	return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
}

func change(base, cur float64) float64 {
	if base == 0 {
		return math.NaN()
	}
	return (cur - base) / base
}

func compileOnlyWords(compileOnly bool) string {
	if compileOnly {
		return "compile-only"
	}
	return "with tests"
}
