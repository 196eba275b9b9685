package compare

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// run builds a record of one run; e2e splits 1:3 between the stages.
func run(suite, name string, sample int, ok bool, e2e time.Duration) *record.Result {
	r := &record.Result{Suite: suite, Case: name, Sample: sample, Success: ok, Attempts: 1, Mode: "live",
		Stage1: record.Stage{Latency: e2e / 4, Tokens: 100, SchemaChecked: 1, SchemaValid: 1},
		Stage2: record.Stage{Latency: e2e - e2e/4, Tokens: 200, SchemaChecked: 1, SchemaValid: 1},
		E2E:    e2e, Tokens: 300, CostUSD: e2e.Seconds() * 0.6 / 3600}
	r.Compiled = true
	r.Validation = record.Validation{Compiled: true, Class: "passed"}
	if !ok {
		r.Validation.Class = "wrong_answer"
	}
	return r
}

// jitter is a fixed ±5 % spread over 20 samples (a permutation of
// -5 %..+4.5 % in steps of 0.5 %), so the tests are deterministic.
func jitter(i int) float64 { return 1 + (float64((i*7)%20)-10)/200 }

func latencySides(shift float64) (Side, Side) {
	var base, head Side
	for i := range 20 {
		base.Results = append(base.Results, run("s", "c", i, true, time.Duration(float64(time.Second)*jitter(i))))
		// head's jitter is another permutation, so the pairs are not
		// merely scaled copies.
		head.Results = append(head.Results, run("s", "c", i, true, time.Duration(float64(time.Second)*shift*jitter(i*3+1))))
	}
	return base, head
}

func metric(t *testing.T, s Suite, name string) Metric {
	t.Helper()
	for _, m := range s.Metrics {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no metric %s", name)
	return Metric{}
}

func TestLatencyShift(t *testing.T) {
	th := Thresholds{Default: DefaultThreshold}
	for _, tt := range []struct {
		shift   float64
		flagged bool
	}{{1.30, true}, {1.02, false}, {1.0, false}, {0.70, false}} {
		t.Run(fmt.Sprint(tt.shift), func(t *testing.T) {
			base, head := latencySides(tt.shift)
			rep := Compare(base, head, th)
			require.Len(t, rep.Suites, 1)
			s := rep.Suites[0]
			assert.Equal(t, 20, s.Pairs)
			e2e := metric(t, s, "e2e")
			assert.Equal(t, tt.flagged, rep.Failed(), "%+v", e2e)
			assert.Equal(t, tt.flagged, e2e.Verdict == Regression)
			assert.InDelta(t, tt.shift-1, e2e.Delta, 0.03)
			assert.LessOrEqual(t, e2e.Lo, e2e.Delta)
			assert.GreaterOrEqual(t, e2e.Hi, e2e.Delta)
			if tt.shift == 1.30 {
				assert.Less(t, e2e.P, 1e-6)
				assert.Equal(t, Regression, metric(t, s, "stage2").Verdict)
				assert.Greater(t, e2e.Lo, 0.2, "the interval excludes small changes")
			}
			if tt.shift == 0.70 {
				assert.Equal(t, Improvement, e2e.Verdict)
			}
			assert.Equal(t, Same, metric(t, s, "tokens").Verdict, "tokens did not change")
		})
	}
}

func TestSignificantButSmallIsNotARegression(t *testing.T) {
	// 5 % slower with no noise is significant, but under the 10 %
	// threshold; a 3 % threshold makes it a regression.
	var base, head Side
	for i := range 20 {
		base.Results = append(base.Results, run("s", "c", i, true, time.Second+time.Duration(i)*time.Millisecond))
		head.Results = append(head.Results, run("s", "c", i, true, 1050*time.Millisecond+time.Duration(i)*time.Millisecond))
	}
	e2e := metric(t, Compare(base, head, Thresholds{Default: DefaultThreshold}).Suites[0], "e2e")
	assert.Less(t, e2e.P, 0.05)
	assert.Equal(t, Within, e2e.Verdict)
	strict := Thresholds{Default: DefaultThreshold, Suites: map[string]Threshold{"s": {Latency: 0.03}}}
	rep := Compare(base, head, strict)
	assert.Equal(t, Regression, metric(t, rep.Suites[0], "e2e").Verdict)
	assert.True(t, rep.Failed())
}

// fiveByTen is a suite of 5 cases × 10 samples, all passing; fail lists
// case/sample pairs that fail instead.
func fiveByTen(fail map[string][]int) Side {
	var s Side
	for _, c := range []string{"add_numbers", "is_even", "max_of_two", "multiply", "string_length"} {
		for i := range 10 {
			ok := true
			for _, f := range fail[c] {
				ok = ok && f != i
			}
			s.Results = append(s.Results, run("simple", c, i, ok, time.Second))
		}
	}
	return s
}

func TestOneFlipIsFlakyNotARegression(t *testing.T) {
	base := fiveByTen(nil)
	head := fiveByTen(map[string][]int{"is_even": {3}})
	rep := Compare(base, head, Thresholds{Default: DefaultThreshold})
	s := rep.Suites[0]
	assert.Equal(t, 50, s.Pairs)
	assert.Equal(t, 1, s.Success.B)
	assert.Equal(t, 0, s.Success.C)
	assert.InDelta(t, 1.0, s.Success.P, 1e-12)
	assert.Equal(t, Same, s.Success.Verdict)
	assert.False(t, rep.Failed())
	fl := s.Flaky()
	require.Len(t, fl, 1)
	assert.Equal(t, "is_even", fl[0].Name)
	assert.Equal(t, StablePass, fl[0].Base)
	assert.Equal(t, Flaky, fl[0].Head)
	assert.Equal(t, 9, fl[0].HeadPassed)
	assert.Less(t, fl[0].HeadCI[0], 0.9)
	assert.Greater(t, fl[0].HeadCI[1], 0.9)

	var text, md bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	require.NoError(t, rep.WriteMarkdown(&md))
	assert.Contains(t, text.String(), "is_even: base stable pass 10/10")
	assert.Contains(t, text.String(), "head flaky 9/10")
	assert.Contains(t, text.String(), "wrong_answer 0->1")
	assert.Contains(t, text.String(), "verdict: PASS")
	assert.Contains(t, md.String(), "**Flaky cases**")
	assert.Contains(t, md.String(), "| wrong_answer | 0 | 1 |")
	assert.NotContains(t, md.String(), "REGRESSION")
}

func TestStableFailureIsARegression(t *testing.T) {
	base := fiveByTen(nil)
	head := fiveByTen(map[string][]int{"is_even": {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}})
	rep := Compare(base, head, Thresholds{Default: DefaultThreshold})
	s := rep.Suites[0]
	assert.Equal(t, 10, s.Success.B)
	assert.InDelta(t, 2.0/1024, s.Success.P, 1e-12)
	assert.Equal(t, Regression, s.Success.Verdict)
	assert.Equal(t, StableFail, s.Cases[1].Head)
	assert.True(t, rep.Failed())
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "suite simple: FAIL: success -20.0 pts (b=10 c=0)")
	assert.Contains(t, text.String(), "verdict: FAIL")
}

func TestUnpairedRunsAreCountedNotTested(t *testing.T) {
	base := fiveByTen(nil)
	head := fiveByTen(nil)
	head.Results = head.Results[:45] // string_length missing
	head.Results = append(head.Results, run("other", "x", 0, true, time.Second))
	rep := Compare(base, head, Thresholds{Default: DefaultThreshold})
	require.Len(t, rep.Suites, 1, "a suite on one side only is not compared")
	assert.Equal(t, 45, rep.Suites[0].Pairs)
	assert.Equal(t, 5, rep.Suites[0].BaseOnly)
	assert.Equal(t, 0, rep.Suites[0].HeadOnly)
}

func TestClass(t *testing.T) {
	r := run("s", "a", 0, false, time.Second)
	assert.Equal(t, "wrong_answer", Class(r))
	r.Stage2.SchemaValid = 0
	assert.Equal(t, "schema_invalid", Class(r))
	r = run("s", "a", 0, false, time.Second)
	r.Validation.Class = ""
	assert.Equal(t, "endpoint_error", Class(r))
	assert.Equal(t, "passed", Class(run("s", "a", 0, true, time.Second)))
}

func TestLoadThresholds(t *testing.T) {
	th, err := LoadThresholds("../../baselines/compare.json")
	require.NoError(t, err)
	assert.Equal(t, 0.10, th.For("simple").SuccessDrop)
	assert.Equal(t, 0.10, th.For("simple").Latency, "a suite inherits what it does not set")
	assert.Equal(t, 0.20, th.For("humaneval_sample").Latency)
	assert.Equal(t, DefaultThreshold, th.For("phase2"))

	dir := t.TempDir()
	th, err = LoadThresholds(dir + "/none.json")
	require.NoError(t, err)
	assert.Equal(t, DefaultThreshold, th.For("x"))
	for _, bad := range []struct{ name, doc string }{
		{"negative", `{"default": {"latency": -1}}`},
		{"unknown field", `{"default": {"latncy": 0.1}}`},
		{"alpha of 1", `{"suites": {"a": {"alpha": 1}}}`},
		{"not JSON", `{`},
	} {
		t.Run(bad.name, func(t *testing.T) {
			p := t.TempDir() + "/bad.json"
			require.NoError(t, writeFile(p, bad.doc))
			_, err := LoadThresholds(p)
			assert.Error(t, err, bad.doc)
		})
	}
}

func TestDrift(t *testing.T) {
	rec := fiveByTen(nil)
	live := fiveByTen(map[string][]int{"multiply": {0}})
	for _, r := range append(rec.Results, live.Results...) {
		r.Source = "def f(a, b):\n    return a * b\n"
	}
	live.Results[30].Source = "def f(a, b):\n    return a + b\n" // multiply#0
	live.Results[0].Stage1.SchemaValid = 0                       // add_numbers#0: the IR broke its schema
	live.Results[0].Success = false
	rep := Compare(rec, live, Thresholds{Default: DefaultThreshold})
	rep.Recordings = "recorded 2026-11-01"
	answers, schema := rep.Suites[0].Drift()
	assert.Equal(t, 1, answers)
	assert.Equal(t, 1, schema)

	var text, md bytes.Buffer
	require.NoError(t, rep.WriteDrift(&text))
	require.NoError(t, rep.WriteDriftMarkdown(&md))
	assert.Contains(t, text.String(), "recordings: recorded 2026-11-01")
	assert.Contains(t, text.String(), "suite simple: 1 of 50 answers changed, 1 changed schema validity")
	assert.Contains(t, text.String(), "add_numbers#0: passed -> schema_invalid, schema valid -> INVALID")
	assert.Contains(t, text.String(), "multiply#0: passed -> wrong_answer, answer changed\n      - return a * b\n      + return a + b")
	assert.Contains(t, text.String(), "verdict: PASS", "two flips of 50 are not a significant change")
	assert.Contains(t, md.String(), "| multiply#0 | passed | wrong_answer | `return a * b` → `return a + b` | valid -> valid |")
}

func TestBootstrapIsPaired(t *testing.T) {
	// Cases of very different latency, unchanged: resampling the pairs
	// together gives an interval of exactly 0; resampling the sides apart
	// would give ±30 % from the spread between cases alone.
	xs := []float64{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	m := Rank("e2e", "s", xs, xs, 0.05, 0.1)
	assert.Equal(t, 0.0, m.Lo)
	assert.Equal(t, 0.0, m.Hi)
	lo, hi := bootstrapMedianDiff(xs, xs[:9])
	assert.Less(t, lo, -0.3, "unequal lengths: the sides are resampled apart")
	assert.Greater(t, hi, 0.3)
}

func TestExitCode(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{fmt.Errorf("suite simple: %w", ErrRegression), 1},
		{errors.New("-old is required"), 2},
	} {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
