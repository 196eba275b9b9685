package results

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lift-sys/lifttest/internal/stats"
	"github.com/lift-sys/lifttest/lifttest/record"
	// lifttest's flags (-live, -record, -endpoint, -gpu) are defined in
	// every test binary, so that `go test ./... -live` does not stop here
	// with "flag provided but not defined".
)

// baseline is lift-sys's 2025-10-22 run of the simple suite (32B, warm):
// stage latencies in ms, cost as the original priced it, 0.60 USD/h on
// the E2E seconds plus 0.0001 USD per request.
func baseline() []*record.Result {
	names := []string{"add_numbers", "multiply", "string_length", "max_of_two", "is_even"}
	s1 := []float64{8850, 8890, 6920, 9100, 7640}
	s2 := []float64{5780, 3960, 4430, 4750, 5650}
	cases := make([]*record.Result, len(names))
	for i, name := range names {
		e2e := s1[i] + s2[i]
		cases[i] = &record.Result{
			Suite: "simple", Case: name, Success: true, Compiled: true,
			Stage1: record.Stage{Latency: msd(s1[i]), OK: true},
			Stage2: record.Stage{Latency: msd(s2[i]), OK: true},
			E2E:    msd(e2e), CostUSD: e2e/1000*0.6/3600 + 0.0001,
			Validation: passing(4, 4), Attempts: 1,
		}
	}
	return cases
}

var approx = cmpopts.EquateApprox(0, 1e-9)

// The original's figures, recomputed with Python's statistics module:
// stdev(e2e) = 1226.817..., mean(cost) = 0.002299, sum(cost) = 0.011495
// (LIFTSYS.md quotes 0.011493, summed from costs rounded to 6 places).
func TestSummarizeBaseline(t *testing.T) {
	cases := baseline()
	s := Summarize("simple", cases, nil)

	want := struct {
		Runs, Successful, Failed int
		SuccessRate              float64
		E2E, Stage1, Stage2      [3]float64 // mean, median, std
		E2ERange                 [2]float64
		CostMean, CostTotal      float64
	}{
		Runs: 5, Successful: 5, SuccessRate: 1,
		E2E:      [3]float64{13194, 13290, 1226.8170197710822},
		Stage1:   [3]float64{8280, 8850, 952.4442240887389},
		Stage2:   [3]float64{4914, 4750, 784.6846500346493},
		E2ERange: [2]float64{11350, 14630},
		CostMean: 0.002299, CostTotal: 0.011495,
	}
	got := want
	got.Runs, got.Successful, got.Failed, got.SuccessRate = s.Runs, s.Successful, s.Failed, s.SuccessRate
	got.E2E = [3]float64{s.E2E.Mean, s.E2E.Median, s.E2E.Std}
	got.Stage1 = [3]float64{s.Stage1.Mean, s.Stage1.Median, s.Stage1.Std}
	got.Stage2 = [3]float64{s.Stage2.Mean, s.Stage2.Median, s.Stage2.Std}
	got.E2ERange = [2]float64{s.E2E.Min, s.E2E.Max}
	got.CostMean, got.CostTotal = s.CostMeanUSD, s.CostTotalUSD
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("Summarize(baseline) mismatch (-want +got):\n%s", diff)
	}
	if got := fmt.Sprintf("%.6f", s.CostMeanUSD); got != "0.002299" {
		t.Errorf("cost per request = %s, want 0.002299 as the original reported", got)
	}

	t.Run("intervals", func(t *testing.T) {
		if lo, hi := s.SuccessCI[0], s.SuccessCI[1]; math.Abs(lo-0.5655175352168254) > 1e-9 || hi != 1 {
			t.Errorf("SuccessCI = %v, want [0.5655, 1] (Wilson 5/5)", s.SuccessCI)
		}
		if lo, hi := s.E2EMeanCI[0], s.E2EMeanCI[1]; !(lo < s.E2E.Mean && s.E2E.Mean < hi) {
			t.Errorf("E2EMeanCI = %v does not contain the mean %v", s.E2EMeanCI, s.E2E.Mean)
		}
		if lo, hi := s.CostMeanCI[0], s.CostMeanCI[1]; !(lo < s.CostMeanUSD && s.CostMeanUSD < hi) {
			t.Errorf("CostMeanCI = %v does not contain the mean %v", s.CostMeanCI, s.CostMeanUSD)
		}
		if again := Summarize("simple", cases, nil); again.E2EMeanCI != s.E2EMeanCI || again.CostMeanCI != s.CostMeanCI {
			t.Errorf("bootstrap intervals differ between two calls: %v %v, then %v %v",
				s.E2EMeanCI, s.CostMeanCI, again.E2EMeanCI, again.CostMeanCI)
		}
	})
	t.Run("percentiles are linear", func(t *testing.T) {
		if got, want := s.E2E.P95, 14474.0; math.Abs(got-want) > 1e-9 {
			t.Errorf("E2E.P95 = %v, want %v (linear, R-7)", got, want)
		}
	})
	t.Run("one sample per case", func(t *testing.T) {
		if s.Samples != 1 || s.PassAtK != nil || s.SuccessSpread != (stats.Summary{}) {
			t.Errorf("Samples, PassAtK, SuccessSpread = %d, %v, %+v; want 1, nil, zero", s.Samples, s.PassAtK, s.SuccessSpread)
		}
	})
}

// Failed runs are paid for, so they count in cost and memory, but their
// latency would flatter or smear the figures, as in the original.
func TestSummarizeFailedRuns(t *testing.T) {
	cases := baseline()
	cases = append(cases,
		&record.Result{Suite: "simple", Case: "timeout", E2E: msd(120000), CostUSD: 0.0201,
			Stage1: record.Stage{Latency: msd(120000)}, HarnessBytes: 4 << 20, Attempts: 1},
		&record.Result{Suite: "simple", Case: "bad_ir", E2E: msd(900), CostUSD: 0.0003,
			Stage1: record.Stage{Latency: msd(900)}, HarnessBytes: 2 << 20, Attempts: 1})
	s := Summarize("simple", cases, nil)

	if s.Runs != 7 || s.Successful != 5 || s.Failed != 2 {
		t.Errorf("Runs, Successful, Failed = %d, %d, %d; want 7, 5, 2", s.Runs, s.Successful, s.Failed)
	}
	if got, want := s.SuccessRate, 5.0/7; math.Abs(got-want) > 1e-12 {
		t.Errorf("SuccessRate = %v, want %v", got, want)
	}
	if s.E2E.N != 5 || s.E2E.Mean != 13194 || s.E2E.Max != 14630 || s.Stage1.Max != 9100 {
		t.Errorf("latency includes failed runs: E2E %+v, Stage1 %+v", s.E2E, s.Stage1)
	}
	if got, want := s.CostTotalUSD, 0.011495+0.0201+0.0003; math.Abs(got-want) > 1e-12 {
		t.Errorf("CostTotalUSD = %v, want %v", got, want)
	}
	if got, want := s.CostMeanUSD, (0.011495+0.0201+0.0003)/7; math.Abs(got-want) > 1e-12 {
		t.Errorf("CostMeanUSD = %v, want %v", got, want)
	}
	if got, want := [2]float64{s.MemoryMeanMB, s.MemoryPeakMB}, [2]float64{6.0 / 7, 4}; cmp.Diff(want, got, approx) != "" {
		t.Errorf("MemoryMeanMB, MemoryPeakMB = %v, want %v", got, want)
	}
	// Tests ran on the five successful runs only; all passed.
	if s.CompileRate != 5.0/7 || s.ExecutionRate != 1 {
		t.Errorf("CompileRate, ExecutionRate = %v, %v; want 5/7, 1", s.CompileRate, s.ExecutionRate)
	}
}

func TestSummarizeRates(t *testing.T) {
	c := func(name string, compiled bool, passed, total, attempts, tokens int, rssMB int64, ir, code [2]int) *record.Result {
		return &record.Result{
			Case: name, Compiled: compiled, Success: total > 0 && passed == total,
			Validation: withRSS(passing(passed, total), rssMB<<20), Attempts: attempts, Tokens: tokens,
			HarnessBytes: 1 << 20,
			Stage1:       record.Stage{SchemaChecked: ir[0], SchemaValid: ir[1], Server: msd(1000), Latency: msd(1500)},
			Stage2:       record.Stage{SchemaChecked: code[0], SchemaValid: code[1], Server: msd(500), Latency: msd(800)},
		}
	}
	cases := []*record.Result{
		c("a", true, 3, 3, 1, 100, 10, [2]int{1, 1}, [2]int{1, 1}),
		c("b", true, 1, 3, 2, 200, 20, [2]int{1, 1}, [2]int{2, 1}),
		c("c", false, 0, 0, 5, 300, 0, [2]int{1, 0}, [2]int{5, 3}), // never reached validation
		c("d", true, 2, 2, 4, 400, 30, [2]int{0, 0}, [2]int{0, 0}),
	}
	s := Summarize("rates", cases, nil)
	got := map[string]float64{
		"CompileRate": s.CompileRate, "ExecutionRate": s.ExecutionRate,
		"IRSchemaValid": s.IRSchemaValid, "CodeSchemaValid": s.CodeSchemaValid,
		"TokensMean": s.TokensMean, "AttemptsMean": s.AttemptsMean,
		"PeakRSSMeanMB": s.PeakRSSMeanMB, "PeakRSSMaxMB": s.PeakRSSMaxMB,
		"ServerMean": s.ServerMean, "MemoryMeanMB": s.MemoryMeanMB,
	}
	want := map[string]float64{
		"CompileRate": 0.75, "ExecutionRate": 2.0 / 3, // c has no tests: not counted
		"IRSchemaValid": 2.0 / 3, "CodeSchemaValid": 5.0 / 8, // pooled over runs
		"TokensMean": 250, "AttemptsMean": 3,
		"PeakRSSMeanMB": 20, "PeakRSSMaxMB": 30, // over the validated runs
		"ServerMean": 1500, "MemoryMeanMB": 1,
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("Summarize rates mismatch (-want +got):\n%s", diff)
	}
	if s.CompileOnly {
		t.Error("CompileOnly = true for a suite with tests, want false")
	}
}

func TestSummarizeCompileOnly(t *testing.T) {
	tests := []struct {
		name        string
		compileOnly []bool
		want        bool
	}{
		{"every case compile-only", []bool{true, true, true}, true},
		{"one case with tests", []bool{true, false, true}, false},
		{"no case compile-only", []bool{false}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cases []*record.Result
			for i, co := range tt.compileOnly {
				cases = append(cases, &record.Result{Case: fmt.Sprint("case", i), CompileOnly: co, Compiled: i != 1, Success: i != 1})
			}
			s := Summarize("phase2", cases, nil)
			if s.CompileOnly != tt.want {
				t.Errorf("CompileOnly = %v, want %v", s.CompileOnly, tt.want)
			}
		})
	}
	t.Run("compile rate without tests", func(t *testing.T) {
		cases := []*record.Result{
			{Case: "fizzbuzz", CompileOnly: true, Compiled: true, Success: true},
			{Case: "factorial", CompileOnly: true, Compiled: true, Success: true},
			{Case: "is_prime", CompileOnly: true, Compiled: false},
			{Case: "find_max", CompileOnly: true, Compiled: true, Success: true},
		}
		s := Summarize("phase2", cases, nil)
		if s.CompileRate != 0.75 || s.ExecutionRate != 0 || s.SuccessRate != 0.75 {
			t.Errorf("CompileRate, ExecutionRate, SuccessRate = %v, %v, %v; want 0.75, 0 (no tests), 0.75",
				s.CompileRate, s.ExecutionRate, s.SuccessRate)
		}
	})
}

func TestSummarizeGroups(t *testing.T) {
	c := func(name, category, complexity string, ok bool) *record.Result {
		return &record.Result{Case: name, Category: category, Complexity: complexity, Success: ok}
	}
	cases := []*record.Result{
		c("sum_list", "lists", "easy", true),
		c("dedupe", "lists", "medium", false),
		c("reverse", "strings", "easy", true),
		c("palindrome", "strings", "easy", true),
		c("is_prime", "math", "medium", true),
		c("untagged", "", "", false),
	}
	expected := map[string]float64{"lists": 0.9, "strings": 0.8, "dicts": 0.7}
	s := Summarize("expanded", cases, expected)

	wilson := func(k, n int) [2]float64 {
		lo, hi := stats.Wilson(k, n, 0.95)
		return [2]float64{lo, hi}
	}
	wantCat := []Group{
		{Name: "lists", Runs: 2, Successful: 1, Rate: 0.5, CI: wilson(1, 2), Expected: 0.9, HasExpected: true},
		{Name: "math", Runs: 1, Successful: 1, Rate: 1, CI: wilson(1, 1)},
		{Name: "strings", Runs: 2, Successful: 2, Rate: 1, CI: wilson(2, 2), Expected: 0.8, HasExpected: true},
	}
	if diff := cmp.Diff(wantCat, s.ByCategory, approx); diff != "" {
		t.Errorf("ByCategory mismatch (-want +got):\n%s", diff)
	}
	wantCx := []Group{
		{Name: "easy", Runs: 3, Successful: 3, Rate: 1, CI: wilson(3, 3)},
		{Name: "medium", Runs: 2, Successful: 1, Rate: 0.5, CI: wilson(1, 2)},
	}
	if diff := cmp.Diff(wantCx, s.ByComplexity, approx); diff != "" {
		t.Errorf("ByComplexity mismatch (-want +got):\n%s", diff)
	}
	t.Run("none when no case has one", func(t *testing.T) {
		s := Summarize("simple", baseline(), expected)
		if len(s.ByCategory) != 0 || len(s.ByComplexity) != 0 {
			t.Errorf("ByCategory, ByComplexity = %v, %v; want empty", s.ByCategory, s.ByComplexity)
		}
	})
}

// samples returns n samples of case name; the ones listed in passing pass.
func samples(name string, n int, passing ...int) []*record.Result {
	out := make([]*record.Result, n)
	for i := range out {
		out[i] = &record.Result{Suite: "simple", Case: name, Sample: i, E2E: msd(1000)}
	}
	for _, i := range passing {
		out[i].Success = true
	}
	return out
}

func TestSummarizeSamples(t *testing.T) {
	tests := []struct {
		name    string
		cases   []*record.Result
		samples int
		passAtK map[int]float64
		spread  stats.Summary
	}{
		{
			name:    "3 of 10 samples pass",
			cases:   samples("add_numbers", 10, 0, 4, 7),
			samples: 10,
			// 1 - C(7,5)/C(10,5) = 0.91666...
			passAtK: map[int]float64{1: 0.3, 5: 1 - 21.0/252, 10: 1},
			spread: stats.Summary{N: 10, Mean: 0.3, Median: 0, Std: 0.4830458915396479, Max: 1,
				P90: 1, P95: 1, P99: 1},
		},
		{
			name:    "averaged over cases",
			cases:   append(samples("add_numbers", 10, 0, 4, 7), samples("multiply", 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)...),
			samples: 10,
			passAtK: map[int]float64{1: 0.65, 5: (1 + 1 - 21.0/252) / 2, 10: 1},
			// sample rates: 1, .5, .5, .5, 1, .5, .5, 1, .5, .5
			spread: stats.Summary{N: 10, Mean: 0.65, Median: 0.5, Std: 0.24152294576982397, Min: 0.5, Max: 1,
				P50: 0.5, P90: 1, P95: 1, P99: 1},
		},
		{
			name:    "k only up to the fewest samples of any case",
			cases:   append(samples("add_numbers", 10, 0), samples("multiply", 3, 1)...),
			samples: 10,
			passAtK: map[int]float64{1: (0.1 + 1.0/3) / 2},
			// sample 0: 1/2, sample 1: 1/2, sample 2: 0/2, samples 3..9: 0/1.
			spread: stats.Describe([]float64{0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0}),
		},
		{
			name:    "two samples: pass@1 only",
			cases:   samples("is_even", 2, 1),
			samples: 2,
			passAtK: map[int]float64{1: 0.5},
			spread:  stats.Describe([]float64{0, 1}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize("simple", tt.cases, nil)
			if s.Samples != tt.samples {
				t.Errorf("Samples = %d, want %d", s.Samples, tt.samples)
			}
			if diff := cmp.Diff(tt.passAtK, s.PassAtK, approx); diff != "" {
				t.Errorf("PassAtK mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.spread, s.SuccessSpread, approx); diff != "" {
				t.Errorf("SuccessSpread mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummarizeEmpty(t *testing.T) {
	want := Summary{Suite: "simple", SuccessCI: [2]float64{0, 1}}
	if diff := cmp.Diff(want, Summarize("simple", nil, nil)); diff != "" {
		t.Errorf("Summarize(nil) mismatch (-want +got):\n%s", diff)
	}
}

// Every figure is finite even when no run succeeded, so a Summary always
// marshals to JSON.
func TestSummarizeNoSuccessIsFinite(t *testing.T) {
	s := Summarize("simple", []*record.Result{{Case: "a", CostUSD: 0.001}, {Case: "b", CostUSD: 0.002}}, nil)
	for name, v := range map[string]float64{
		"E2E.Mean": s.E2E.Mean, "E2E.Std": s.E2E.Std, "E2EMeanCI[0]": s.E2EMeanCI[0],
		"ServerMean": s.ServerMean, "ExecutionRate": s.ExecutionRate, "IRSchemaValid": s.IRSchemaValid,
		"PeakRSSMeanMB": s.PeakRSSMeanMB, "CostMeanCI[1]": s.CostMeanCI[1],
	} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s = %v, want a finite number", name, v)
		}
	}
	if s.Failed != 2 || s.SuccessRate != 0 || s.SuccessCI[0] != 0 {
		t.Errorf("Failed, SuccessRate, SuccessCI = %d, %v, %v; want 2, 0, [0 ...]", s.Failed, s.SuccessRate, s.SuccessCI)
	}
}

// The 2025-10-22 baseline of lift-sys's simple suite, summarized as the
// original harness reported it (latency over successful runs, in seconds).
func ExampleSummarize() {
	var cases []*record.Result
	for i, ms := range [][2]float64{{8850, 5780}, {8890, 3960}, {6920, 4430}, {9100, 4750}, {7640, 5650}} {
		e2e := ms[0] + ms[1]
		cases = append(cases, &record.Result{
			Suite: "simple", Case: fmt.Sprint("case", i), Success: true,
			Stage1: record.Stage{Latency: msd(ms[0])}, Stage2: record.Stage{Latency: msd(ms[1])},
			E2E: msd(e2e), CostUSD: e2e/1000*0.6/3600 + 0.0001,
		})
	}
	s := Summarize("simple", cases, nil)
	fmt.Printf("success %d/%d, 95%% CI [%.2f, %.2f]\n", s.Successful, s.Runs, s.SuccessCI[0], s.SuccessCI[1])
	fmt.Printf("E2E median %.2f s, mean %.2f s, std %.2f s, range %.2f-%.2f s\n",
		s.E2E.Median/1000, s.E2E.Mean/1000, s.E2E.Std/1000, s.E2E.Min/1000, s.E2E.Max/1000)
	fmt.Printf("stage 1 mean %.2f s, median %.2f s; stage 2 mean %.2f s, median %.2f s\n",
		s.Stage1.Mean/1000, s.Stage1.Median/1000, s.Stage2.Mean/1000, s.Stage2.Median/1000)
	fmt.Printf("cost $%.6f per request, $%.6f total\n", s.CostMeanUSD, s.CostTotalUSD)
	// Output:
	// success 5/5, 95% CI [0.57, 1.00]
	// E2E median 13.29 s, mean 13.19 s, std 1.23 s, range 11.35-14.63 s
	// stage 1 mean 8.28 s, median 8.85 s; stage 2 mean 4.91 s, median 4.75 s
	// cost $0.002299 per request, $0.011495 total
}

// msd is a duration of ms milliseconds.
func msd(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// passing is a validation of total tests, the first passed of which passed.
func passing(passed, total int) record.Validation {
	v := record.Validation{Compiled: true, Class: "passed"}
	for i := range total {
		v.Tests = append(v.Tests, record.Test{Passed: i < passed})
	}
	if passed < total {
		v.Class = "wrong_answer"
	}
	return v
}

func withRSS(v record.Validation, rss int64) record.Validation {
	v.PeakRSS = rss
	return v
}

func TestSummarizeStabilityAndPassHatK(t *testing.T) {
	cases := append(samples("add_numbers", 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), samples("is_even", 10, 0, 1, 2, 4, 5, 6, 7, 8, 9)...)
	cases = append(cases, samples("multiply", 10)...)
	s := Summarize("simple", cases, nil)
	// pass^5: add_numbers 1, is_even C(9,5)/C(10,5) = 0.5, multiply 0.
	if got, want := s.PassHatK[5], 1.5/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("pass^5 = %v, want %v", got, want)
	}
	if got, want := s.PassHatK[1], s.PassAtK[1]; math.Abs(got-want) > 1e-12 {
		t.Errorf("pass^1 = %v, want pass@1 %v", got, want)
	}
	var classes []string
	for _, c := range s.Stability {
		classes = append(classes, c.Case+":"+c.Class)
	}
	if diff := cmp.Diff([]string{"add_numbers:stable pass", "is_even:flaky", "multiply:stable fail"}, classes); diff != "" {
		t.Errorf("Stability mismatch (-want +got):\n%s", diff)
	}
	fl := s.Flaky()
	if len(fl) != 1 || fl[0].Case != "is_even" || fl[0].Passed != 9 || !(fl[0].CI[0] < 0.9 && fl[0].CI[1] > 0.9) {
		t.Errorf("Flaky() = %+v, want is_even 9/10 with a Wilson interval around 0.9", fl)
	}
}
