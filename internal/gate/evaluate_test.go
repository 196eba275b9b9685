package gate

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

func TestEvaluatePassesOnTheBaseline(t *testing.T) {
	r := Evaluate(seed, seedSummary(), DefaultThresholds())
	want := []Row{
		{Metric: "success rate", Unit: "%", Baseline: 100, Current: 100, Change: 0, Warn: "< 95 %", Fail: "< 90 %", Status: OK},
		{Metric: "E2E median", Unit: "s", Baseline: 13.29, Current: 13.29, Change: 0, Warn: "> +30 % (17.277 s)", Fail: "> +50 % (19.935 s)", Status: OK},
		{Metric: "E2E mean", Unit: "s", Baseline: 13.19, Current: 13.19, Change: 0, Warn: "> +30 % (17.147 s)", Fail: "> +50 % (19.785 s)", Status: OK},
		{Metric: "cost per request", Unit: "USD", Baseline: 0.002299, Current: 0.002299, Change: 0, Warn: "> 0.003 USD", Fail: "> 0.0035 USD", Status: OK},
	}
	if diff := cmp.Diff(want, r.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if r.Failed() || r.Warned() || r.Status() != OK || r.Verdict() != "gate: PASS" {
		t.Errorf("got Failed %v, Warned %v, %q; want a pass", r.Failed(), r.Warned(), r.Verdict())
	}
}

// TestEvaluateThresholds crosses each threshold in each direction. The
// seed baseline's E2E median is 13290 ms, so +30 % is 17277 ms and +50 %
// 19935 ms; its mean is 13190 ms (17147, 19785).
func TestEvaluateThresholds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		metric string
		set    func(*results.Summary)
		want   Status
	}{
		{"success exactly at warn", "success rate", func(s *results.Summary) { s.SuccessRate = 0.95 }, OK},
		{"success below warn", "success rate", func(s *results.Summary) { s.SuccessRate = 0.94 }, Warn},
		{"success exactly at fail", "success rate", func(s *results.Summary) { s.SuccessRate = 0.90 }, Warn},
		{"success below fail", "success rate", func(s *results.Summary) { s.SuccessRate = 0.8 }, Fail},
		{"success zero", "success rate", func(s *results.Summary) { s.SuccessRate = 0 }, Fail},

		{"median faster is better", "E2E median", func(s *results.Summary) { s.E2E.Median = 5000 }, OK},
		{"median exactly +30 %", "E2E median", func(s *results.Summary) { s.E2E.Median = 13290 * 1.3 }, OK},
		{"median above +30 %", "E2E median", func(s *results.Summary) { s.E2E.Median = 17278 }, Warn},
		{"median exactly +50 %", "E2E median", func(s *results.Summary) { s.E2E.Median = 13290 * 1.5 }, Warn},
		{"median above +50 %", "E2E median", func(s *results.Summary) { s.E2E.Median = 19936 }, Fail},

		{"mean faster is better", "E2E mean", func(s *results.Summary) { s.E2E.Mean = 1 }, OK},
		{"mean exactly +30 %", "E2E mean", func(s *results.Summary) { s.E2E.Mean = 17147 }, OK},
		{"mean above +30 %", "E2E mean", func(s *results.Summary) { s.E2E.Mean = 17148 }, Warn},
		{"mean exactly +50 %", "E2E mean", func(s *results.Summary) { s.E2E.Mean = 19785 }, Warn},
		{"mean above +50 %", "E2E mean", func(s *results.Summary) { s.E2E.Mean = 19786 }, Fail},

		{"cost cheaper is better", "cost per request", func(s *results.Summary) { s.CostMeanUSD = 0.0001 }, OK},
		{"cost exactly at warn", "cost per request", func(s *results.Summary) { s.CostMeanUSD = 0.003 }, OK},
		{"cost above warn", "cost per request", func(s *results.Summary) { s.CostMeanUSD = 0.0031 }, Warn},
		{"cost exactly at fail", "cost per request", func(s *results.Summary) { s.CostMeanUSD = 0.0035 }, Warn},
		{"cost above fail", "cost per request", func(s *results.Summary) { s.CostMeanUSD = 0.00351 }, Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seedSummary()
			tc.set(&s)
			r := Evaluate(seed, s, DefaultThresholds())
			for _, row := range r.Rows {
				want := OK
				if row.Metric == tc.metric {
					want = tc.want
				}
				if row.Status != want {
					t.Errorf("%s: got %v, want %v (row %+v)", row.Metric, row.Status, want, row)
				}
			}
			if got, want := r.Status(), tc.want; got != want {
				t.Errorf("report status: got %v, want %v", got, want)
			}
			if r.Failed() != (tc.want == Fail) || r.Warned() != (tc.want == Warn) {
				t.Errorf("got Failed %v, Warned %v, want status %v", r.Failed(), r.Warned(), tc.want)
			}
		})
	}
}

// A run better than its baseline in every metric passes: the thresholds
// have a direction.
func TestEvaluateBetterThanBaseline(t *testing.T) {
	b := seed
	b.SuccessRate, b.Successful = 0.8, 4
	s := seedSummary()
	s.SuccessRate, s.E2E.Median, s.E2E.Mean, s.CostMeanUSD = 1, 6000, 6000, 0.001
	r := Evaluate(b, s, DefaultThresholds())
	if r.Status() != OK {
		t.Errorf("got %s, want a pass:\n%+v", r.Verdict(), r.Rows)
	}
	if got := r.Rows[0].Change; math.Abs(got-0.25) > 1e-12 {
		t.Errorf("success change from 80 %% to 100 %%: got %v, want +0.25", got)
	}
}

func TestEvaluateZeroThresholdsAreDefaults(t *testing.T) {
	s := seedSummary()
	s.E2E.Median = 18000
	got, want := Evaluate(seed, s, Thresholds{}), Evaluate(seed, s, DefaultThresholds())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zero Thresholds (-defaults +zero):\n%s", diff)
	}
}

func TestEvaluateLeavesOutWhatDoesNotApply(t *testing.T) {
	t.Run("no successful run", func(t *testing.T) {
		s := results.Summary{Suite: "simple", Runs: 5, Failed: 5, CostMeanUSD: 0.0001}
		r := Evaluate(seed, s, DefaultThresholds())
		if got := metrics(r); !cmp.Equal(got, []string{"success rate", "cost per request"}) {
			t.Errorf("metrics: got %q, want success rate and cost only", got)
		}
		if !r.Failed() || len(r.Notes) != 1 {
			t.Errorf("got Failed %v, notes %q; want a failure and a note on latency", r.Failed(), r.Notes)
		}
	})
	t.Run("empty shard", func(t *testing.T) {
		r := Evaluate(seed, results.Summary{Suite: "simple"}, DefaultThresholds())
		if len(r.Rows) != 0 || r.Verdict() != "gate: PASS" || len(r.Notes) != 1 {
			t.Errorf("got rows %v, notes %q, %q; want no rows, a note and a pass", r.Rows, r.Notes, r.Verdict())
		}
	})
	t.Run("compile-only", func(t *testing.T) {
		b := seed
		b.Suite, b.CompileOnly = "phase2", true
		s := seedSummary()
		s.Suite, s.CompileOnly = "phase2", true
		r := Evaluate(b, s, DefaultThresholds())
		if got := metrics(r); !cmp.Equal(got, []string{"success (compiles)", "E2E median", "E2E mean", "cost per request"}) {
			t.Errorf("metrics: got %q", got)
		}
		if r.Status() != OK {
			t.Errorf("got %s, want a pass", r.Verdict())
		}
	})
}

func TestEvaluateProblemsFail(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Baseline, *results.Summary)
	}{
		{"another suite's baseline", func(b *Baseline, s *results.Summary) { b.Suite = "phase2" }},
		{"compile-only on one side", func(b *Baseline, s *results.Summary) { s.CompileOnly = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, s := seed, seedSummary()
			tc.set(&b, &s)
			r := Evaluate(b, s, DefaultThresholds())
			if len(r.Problems) != 1 || !r.Failed() {
				t.Errorf("got problems %q, Failed %v; want one problem and a failure", r.Problems, r.Failed())
			}
			if want := "gate: FAIL (0 metrics crossed fail thresholds, 0 warnings; 1 problem)"; r.Verdict() != want {
				t.Errorf("got %q, want %q", r.Verdict(), want)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []Status
		want     string
	}{
		{"pass", []Status{OK, OK}, "gate: PASS"},
		{"one warning", []Status{OK, Warn}, "gate: WARN (1 metric crossed a warn threshold)"},
		{"two warnings", []Status{Warn, Warn}, "gate: WARN (2 metrics crossed warn thresholds)"},
		{"one fail", []Status{Fail, OK}, "gate: FAIL (1 metric crossed a fail threshold, 0 warnings)"},
		{"fails and a warning", []Status{Fail, Warn, Fail}, "gate: FAIL (2 metrics crossed fail thresholds, 1 warning)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Report
			for _, st := range tc.statuses {
				r.Rows = append(r.Rows, Row{Status: st})
			}
			if got := r.Verdict(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func metrics(r Report) []string {
	var ms []string
	for _, row := range r.Rows {
		ms = append(ms, row.Metric)
	}
	return ms
}

// The per-case figures of the 2025-10-22 run (LIFTSYS.md §7), summarized
// by package results, pass against the seed baseline: the units of
// results.Summary (ms, USD, fractions) are the ones Evaluate expects.
func TestEvaluateSummarizedSeedRun(t *testing.T) {
	var cases []*record.Result
	for _, c := range []struct {
		name                string
		e2e, stage1, stage2 float64
		cost                float64
	}{
		{"add_numbers", 14630, 8850, 5780, 0.002538},
		{"multiply", 12850, 8890, 3960, 0.002241},
		{"string_length", 11350, 6920, 4430, 0.001991},
		{"max_of_two", 13840, 9100, 4750, 0.002407},
		{"is_even", 13290, 7640, 5650, 0.002315},
	} {
		cases = append(cases, &record.Result{
			Suite: "simple", Case: c.name, Compiled: true, Success: true, Attempts: 1,
			Stage1: record.Stage{Latency: msd(c.stage1), OK: true}, Stage2: record.Stage{Latency: msd(c.stage2), OK: true},
			E2E: msd(c.e2e), CostUSD: c.cost,
		})
	}
	r := Evaluate(seed, results.Summarize("simple", cases, nil), DefaultThresholds())
	if r.Status() != OK || len(r.Rows) != 4 {
		t.Errorf("got %s with %d rows, want a pass on 4 metrics:\n%+v", r.Verdict(), len(r.Rows), r.Rows)
	}
	for _, row := range r.Rows {
		if math.Abs(row.Change) > 0.001 {
			t.Errorf("%s: %v %s against the baseline's %v: change %+.4f, want within ±0.1 %%", row.Metric, row.Current, row.Unit, row.Baseline, row.Change)
		}
	}
}

// msd is a duration of ms milliseconds.
func msd(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
