package compare

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/internal/stats"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// Side is one side of a comparison: a run's meta and its records (every
// shard of it merged).
type Side struct {
	Meta    record.Meta
	Results []*record.Result
}

// Verdict is the outcome of one comparison.
type Verdict string

const (
	Same        Verdict = "~"           // not significant
	Within      Verdict = "within"      // significant, but within the practical threshold
	Regression  Verdict = "REGRESSION"  // significant and beyond the threshold, for the worse
	Improvement Verdict = "improvement" // significant and beyond the threshold, for the better
)

// Report is a whole comparison.
type Report struct {
	Base, Head record.Meta
	Suites     []Suite
	// Recordings, in a drift report, says what the cassettes were
	// recorded against and when (their metadata sidecar).
	Recordings string
}

// Failed reports whether any suite regressed.
func (r Report) Failed() bool {
	for _, s := range r.Suites {
		if s.Failed() {
			return true
		}
	}
	return false
}

// Suite is the comparison of one suite.
type Suite struct {
	Name      string
	Threshold Threshold
	// Pairs are the runs present on both sides; BaseOnly and HeadOnly the
	// rest, which no test uses.
	Pairs, BaseOnly, HeadOnly int
	Success                   Success
	Metrics                   []Metric
	// Cases has one entry per case, sorted by name.
	Cases []Case
	// Classes counts the outcome classes of the paired runs per side.
	Classes []ClassCount
	// Cost attributes each side's spending.
	BaseCost, HeadCost results.Cost
	// Changed lists the paired runs whose answer (the final code) or
	// outcome differs between the sides.
	Changed []Change
}

// Failed reports whether the suite regressed.
func (s Suite) Failed() bool {
	if s.Success.Verdict == Regression {
		return true
	}
	for _, m := range s.Metrics {
		if m.Verdict == Regression {
			return true
		}
	}
	return false
}

// Success is the paired comparison of outcomes.
type Success struct {
	Base, Head int // successful runs of the pairs, per side
	N          int // pairs
	// B passed in base and failed in head; C the reverse.
	B, C    int
	P       float64 // McNemar's exact test
	Delta   float64 // (Head - Base) / N
	Verdict Verdict
}

// Metric is one rank-tested figure.
type Metric struct {
	Name string // stage1, stage2, e2e, tokens, cost
	Unit string // s, tokens, USD
	// BaseMedian and HeadMedian are the medians of the paired runs.
	BaseMedian, HeadMedian float64
	N1, N2                 int
	// Delta is (HeadMedian - BaseMedian) / BaseMedian, and Lo, Hi its 95 %
	// percentile-bootstrap interval; all 0 when BaseMedian is 0.
	Delta, Lo, Hi float64
	P             float64 // Mann-Whitney U, two-sided (benchmath)
	Threshold     float64
	Verdict       Verdict
	// Note is benchmath's warning, e.g. too few samples to detect a change.
	Note string
}

// Stability classifies a case over its samples.
type Stability string

const (
	StablePass Stability = "stable pass"
	StableFail Stability = "stable fail"
	Flaky      Stability = "flaky"
	Absent     Stability = "-"
)

// Case is one case's outcomes on both sides.
type Case struct {
	Name                 string
	BaseRuns, BasePassed int
	HeadRuns, HeadPassed int
	Base, Head           Stability
	// BaseCI and HeadCI are Wilson 95 % intervals on the pass rate.
	BaseCI, HeadCI [2]float64
	// Recovered counts head's successful runs by the stage-2 attempt that
	// succeeded (1: first try); RecoveredBase the same for base.
	Recovered, RecoveredBase map[int]int
}

// ClassCount is how many paired runs ended in a class on each side.
type ClassCount struct {
	Class      string
	Base, Head int
}

// Change is a paired run whose final code or outcome differs.
type Change struct {
	Case                   string
	Sample                 int
	BaseClass, HeadClass   string
	AnswerChanged          bool
	BaseSchema, HeadSchema bool // every checked answer matched its schema
	// BaseLine and HeadLine are the first line where the answers differ
	// (trimmed), when they do.
	BaseLine, HeadLine string
}

type key struct {
	suite, name string
	sample      int
}

// Compare pairs base and head by suite, case and sample and compares each
// suite present on both sides.
func Compare(base, head Side, th Thresholds) Report {
	rep := Report{Base: base.Meta, Head: head.Meta}
	bm := index(base.Results)
	hm := index(head.Results)
	suites := map[string]bool{}
	for k := range bm {
		if _, ok := hm[k]; ok {
			suites[k.suite] = true
		}
	}
	names := make([]string, 0, len(suites))
	for s := range suites {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, name := range names {
		var bs, hs []*record.Result // paired, in the same order
		s := Suite{Name: name, Threshold: th.For(name)}
		for k, b := range bm {
			if k.suite != name {
				continue
			}
			if h, ok := hm[k]; ok {
				bs, hs = append(bs, b), append(hs, h)
			} else {
				s.BaseOnly++
			}
		}
		for k := range hm {
			if _, ok := bm[k]; !ok && k.suite == name {
				s.HeadOnly++
			}
		}
		order := make([]int, len(bs))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(i, j int) int {
			return cmp.Or(cmp.Compare(bs[i].Case, bs[j].Case), cmp.Compare(bs[i].Sample, bs[j].Sample))
		})
		bs, hs = permute(bs, order), permute(hs, order)
		s.Pairs = len(bs)
		s.Success = compareSuccess(bs, hs, s.Threshold)
		s.Metrics = compareMetrics(bs, hs, s.Threshold)
		s.Cases = cases(bs, hs)
		s.Classes = classes(bs, hs)
		s.BaseCost, s.HeadCost = results.Attribute(bs), results.Attribute(hs)
		s.Changed = changes(bs, hs)
		rep.Suites = append(rep.Suites, s)
	}
	return rep
}

func index(rs []*record.Result) map[key]*record.Result {
	m := make(map[key]*record.Result, len(rs))
	for _, r := range rs {
		m[key{r.Suite, r.Case, r.Sample}] = r
	}
	return m
}

func permute(rs []*record.Result, order []int) []*record.Result {
	out := make([]*record.Result, len(order))
	for i, j := range order {
		out[i] = rs[j]
	}
	return out
}

func compareSuccess(bs, hs []*record.Result, th Threshold) Success {
	s := Success{N: len(bs)}
	for i := range bs {
		b, h := bs[i].Success, hs[i].Success
		if b {
			s.Base++
		}
		if h {
			s.Head++
		}
		switch {
		case b && !h:
			s.B++
		case !b && h:
			s.C++
		}
	}
	s.P = McNemar(s.B, s.C)
	if s.N > 0 {
		s.Delta = float64(s.Head-s.Base) / float64(s.N)
	}
	s.Verdict = verdict(s.P, th.Alpha, -s.Delta, th.SuccessDrop)
	return s
}

// verdict: worse is the change for the worse (positive: worse).
func verdict(p, alpha, worse, threshold float64) Verdict {
	switch {
	case !(p < alpha):
		return Same
	case worse > threshold:
		return Regression
	case -worse > threshold:
		return Improvement
	}
	return Within
}

func compareMetrics(bs, hs []*record.Result, th Threshold) []Metric {
	sec := func(d time.Duration) float64 { return d.Seconds() }
	defs := []struct {
		name, unit string
		thr        float64
		f          func(*record.Result) float64
	}{
		{"stage1", "s", th.Latency, func(r *record.Result) float64 { return sec(r.Stage1.Latency) }},
		{"stage2", "s", th.Latency, func(r *record.Result) float64 { return sec(r.Stage2.Latency) }},
		{"e2e", "s", th.Latency, func(r *record.Result) float64 { return sec(r.E2E) }},
		{"tokens", "tokens", th.Tokens, func(r *record.Result) float64 { return float64(r.Tokens + r.Stage1.InputTokens + r.Stage2.InputTokens) }},
		{"cost", "USD", th.Cost, func(r *record.Result) float64 { return r.CostUSD }},
	}
	var out []Metric
	for _, d := range defs {
		var xb, xh []float64
		for i := range bs {
			xb = append(xb, d.f(bs[i]))
			xh = append(xh, d.f(hs[i]))
		}
		out = append(out, Rank(d.name, d.unit, xb, xh, th.Alpha, d.thr))
	}
	return out
}

// Rank compares two samples of a figure where more is worse: the
// Mann-Whitney U test, the relative change of the median with its
// percentile-bootstrap interval (paired when the samples have the same
// length: see bootstrapMedianDiff), and the verdict against threshold.
func Rank(name, unit string, base, head []float64, alpha, threshold float64) Metric {
	m := Metric{Name: name, Unit: unit, N1: len(base), N2: len(head), Threshold: threshold, Verdict: Same, P: 1}
	if len(base) == 0 || len(head) == 0 {
		return m
	}
	m.BaseMedian, m.HeadMedian = stats.Median(base), stats.Median(head)
	bt := &benchmath.Thresholds{CompareAlpha: alpha}
	c := benchmath.AssumeNothing.Compare(benchmath.NewSample(base, bt), benchmath.NewSample(head, bt))
	m.P = c.P
	if len(c.Warnings) > 0 {
		m.Note = c.Warnings[0].Error()
	}
	if m.BaseMedian == 0 {
		if m.HeadMedian != 0 && m.P < alpha {
			m.Verdict = Within // no relative scale: shown, never failed
		}
		return m
	}
	m.Delta = m.HeadMedian/m.BaseMedian - 1
	lo, hi := bootstrapMedianDiff(base, head)
	m.Lo, m.Hi = lo/m.BaseMedian, hi/m.BaseMedian
	m.Verdict = verdict(m.P, alpha, m.Delta, threshold)
	return m
}

const (
	resamples = 2000
	seed      = 1
)

// bootstrapMedianDiff is the 95 % percentile-bootstrap interval of
// median(head) - median(base). When the sides have the same length they
// are the pairs of a comparison (base[i] and head[i] are one case and
// sample), and pairs are resampled together, so that the differences
// between cases do not widen the interval; otherwise each side is
// resampled on its own.
func bootstrapMedianDiff(base, head []float64) (lo, hi float64) {
	rng := rand.New(rand.NewPCG(seed, seed))
	paired := len(base) == len(head)
	diffs := make([]float64, resamples)
	rb, rh := make([]float64, len(base)), make([]float64, len(head))
	for i := range diffs {
		for j := range rb {
			k := rng.IntN(len(base))
			rb[j] = base[k]
			if paired {
				rh[j] = head[k]
			}
		}
		if !paired {
			for j := range rh {
				rh[j] = head[rng.IntN(len(head))]
			}
		}
		diffs[i] = stats.Median(rh) - stats.Median(rb)
	}
	return stats.Quantile(diffs, 0.025, stats.Linear), stats.Quantile(diffs, 0.975, stats.Linear)
}

// Classify is a case's stability over its samples.
func Classify(passed, runs int) Stability {
	switch {
	case runs == 0:
		return Absent
	case passed == runs:
		return StablePass
	case passed == 0:
		return StableFail
	}
	return Flaky
}

func cases(bs, hs []*record.Result) []Case {
	byName := map[string]*Case{}
	var names []string
	get := func(n string) *Case {
		c, ok := byName[n]
		if !ok {
			c = &Case{Name: n, Recovered: map[int]int{}, RecoveredBase: map[int]int{}}
			byName[n] = c
			names = append(names, n)
		}
		return c
	}
	for i := range bs {
		c := get(bs[i].Case)
		c.BaseRuns++
		c.HeadRuns++
		if bs[i].Success {
			c.BasePassed++
			c.RecoveredBase[max(1, bs[i].Attempts)]++
		}
		if hs[i].Success {
			c.HeadPassed++
			c.Recovered[max(1, hs[i].Attempts)]++
		}
	}
	sort.Strings(names)
	out := make([]Case, 0, len(names))
	for _, n := range names {
		c := byName[n]
		c.Base, c.Head = Classify(c.BasePassed, c.BaseRuns), Classify(c.HeadPassed, c.HeadRuns)
		c.BaseCI[0], c.BaseCI[1] = stats.Wilson(c.BasePassed, c.BaseRuns, 0.95)
		c.HeadCI[0], c.HeadCI[1] = stats.Wilson(c.HeadPassed, c.HeadRuns, 0.95)
		out = append(out, *c)
	}
	return out
}

// Class is a run's outcome class: passed; schema_invalid when an answer did
// not match its stage's JSON Schema; otherwise the validator's class
// (syntax_error, wrong_answer, timeout, ...), or endpoint_error when the
// run never reached validation.
func Class(r *record.Result) string {
	switch {
	case r.Success:
		return "passed"
	case !schemaValid(r):
		return "schema_invalid"
	case r.Validation.Class != "" && r.Validation.Class != "passed":
		return r.Validation.Class
	}
	return "endpoint_error"
}

func schemaValid(r *record.Result) bool {
	return r.Stage1.SchemaValid == r.Stage1.SchemaChecked && r.Stage2.SchemaValid == r.Stage2.SchemaChecked
}

func classes(bs, hs []*record.Result) []ClassCount {
	m := map[string]*ClassCount{}
	add := func(r *record.Result, head bool) {
		c := Class(r)
		cc, ok := m[c]
		if !ok {
			cc = &ClassCount{Class: c}
			m[c] = cc
		}
		if head {
			cc.Head++
		} else {
			cc.Base++
		}
	}
	for i := range bs {
		add(bs[i], false)
		add(hs[i], true)
	}
	var out []ClassCount
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b ClassCount) int {
		if (a.Class == "passed") != (b.Class == "passed") {
			if a.Class == "passed" {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Class, b.Class)
	})
	return out
}

func changes(bs, hs []*record.Result) []Change {
	var out []Change
	for i := range bs {
		b, h := bs[i], hs[i]
		ch := Change{Case: b.Case, Sample: b.Sample, BaseClass: Class(b), HeadClass: Class(h),
			AnswerChanged: b.Source != h.Source, BaseSchema: schemaValid(b), HeadSchema: schemaValid(h)}
		if ch.AnswerChanged {
			ch.BaseLine, ch.HeadLine = firstDiff(b.Source, h.Source)
		}
		if ch.AnswerChanged || ch.BaseClass != ch.HeadClass || ch.BaseSchema != ch.HeadSchema {
			out = append(out, ch)
		}
	}
	return out
}

// firstDiff returns the first line where a and b differ, trimmed ("" for
// a missing line).
func firstDiff(a, b string) (string, string) {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = strings.TrimSpace(la[i])
		}
		if i < len(lb) {
			y = strings.TrimSpace(lb[i])
		}
		if x != y {
			return x, y
		}
	}
	return "", ""
}

// pfmt formats a p-value as benchstat does, with very small ones as a
// bound.
func pfmt(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}

// pct formats a fraction as a signed percentage.
func pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "?"
	}
	return fmt.Sprintf("%+.1f%%", 100*f)
}
