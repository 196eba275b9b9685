package results

import (
	"maps"
	"math"
	"slices"
	"time"

	"github.com/lift-sys/lifttest/lifttest/record"

	"github.com/lift-sys/lifttest/internal/stats"
)

// Summary is one suite's figures, as the original lift-sys harness
// reported them (LIFTSYS.md §7) plus what an evaluation needs: intervals,
// rates by group, pass@k. Latencies are in milliseconds, costs in USD,
// memory in MiB.
//
// Which runs each figure covers follows the original: latency over the
// successful runs, cost and memory over all runs. A rate with nothing to
// count is 0, never NaN, so that a Summary always marshals to JSON.
type Summary struct {
	Suite string

	Runs, Successful, Failed int
	SuccessRate              float64    // Successful / Runs
	SuccessCI                [2]float64 // Wilson score interval, 95 %

	CompileOnly   bool    // every case is compile-only
	CompileRate   float64 // runs whose code compiled / runs
	ExecutionRate float64 // runs that passed every test / runs that have tests; 0 when none has

	// Stage1, Stage2 and E2E are client wall latency over the successful
	// runs, as the original; their percentiles are linear, see
	// package stats. E2E = stage 1 + stage 2.
	Stage1, Stage2, E2E stats.Summary
	E2EMeanCI           [2]float64 // percentile bootstrap 95 %, 2000 resamples, seed 1
	ServerMean          float64    // mean server time (generation_time_ms, both stages) over successful runs

	// Streaming, per streamed call over all runs, in ms (0 without
	// -stream): TTFT, TPOT, the mean and p99 inter-token latency, and the
	// server's own TPOT over the calls that reported it (llama.cpp).
	Streamed                                int
	TTFTMean, TPOTMean, ITLMean, ITLP99Mean float64
	ServerTimed                             int
	ServerTPOTMean                          float64

	CostTotalUSD, CostMeanUSD float64    // over all runs: a failed call is still paid for
	CostMeanCI                [2]float64 // percentile bootstrap 95 %, 2000 resamples, seed 1
	// Spend is where the money went: per stage, per stage-2 attempt, per
	// successful solution and on failed runs.
	Spend Cost

	MemoryMeanMB, MemoryPeakMB  float64 // harness allocation per case (HarnessBytes / 2^20), over all runs
	PeakRSSMeanMB, PeakRSSMaxMB float64 // validator peak RSS, over the runs that reached validation

	TokensMean, AttemptsMean float64 // over all runs

	// IRSchemaValid and CodeSchemaValid are the answers that matched the
	// stage's JSON Schema over those checked, pooled over all runs; 0 when
	// none was checked.
	IRSchemaValid, CodeSchemaValid float64

	// ByCategory and ByComplexity are sorted by name and empty when no case
	// has a category (complexity). Cases without one are left out.
	ByCategory, ByComplexity []Group

	// Samples is the most samples any case has (1 without -samples). A case
	// is identified by its Case name; its record with Sample index s is its
	// sample s.
	Samples int
	// PassAtK is the unbiased pass@k estimator of Chen et al. (2021) per
	// case (n = the case's samples, c = its successful ones), averaged over
	// cases, for k in {1, 5, 10} up to the fewest samples any case has, so
	// that it is defined for every case. Nil when Samples < 2.
	PassAtK map[int]float64
	// PassHatK is pass^k, the chance that all k samples of a case pass
	// (C(c, k)/C(n, k)), averaged over cases for the same k as PassAtK:
	// reliability where pass@k is capability. Nil when Samples < 2.
	PassHatK map[int]float64
	// Stability classifies each case over its samples (stable pass,
	// stable fail, flaky), in first-seen order; nil when Samples < 2.
	Stability []CaseStability
	// SuccessSpread is the distribution, over sample index s, of the
	// suite's success rate among the sample-s runs: how stable the rate is
	// across repeats. Zero when Samples < 2.
	SuccessSpread stats.Summary
}

// CaseStability is one case's outcome over its samples.
type CaseStability struct {
	Case         string
	Runs, Passed int
	// Class is "stable pass" (every sample passed), "stable fail" (none
	// did) or "flaky".
	Class string
	CI    [2]float64 // Wilson score interval of the pass rate, 95 %
}

// Flaky returns the cases that passed some samples and failed others.
func (s Summary) Flaky() []CaseStability {
	var out []CaseStability
	for _, c := range s.Stability {
		if c.Class == "flaky" {
			out = append(out, c)
		}
	}
	return out
}

// Group is the success of the runs that share a category or complexity.
type Group struct {
	Name             string
	Runs, Successful int
	Rate             float64    // Successful / Runs
	CI               [2]float64 // Wilson score interval, 95 %
	Expected         float64    // the expected rate, when HasExpected
	HasExpected      bool
}

const (
	level     = 0.95
	resamples = 2000
	seed      = 1 // fixed, so that a report's intervals are reproducible
	mib       = 1 << 20
)

// Summarize computes the Summary of cases, which are the runs of one suite
// (every sample of every case). expected maps a category to the success
// rate the suite's authors expect of it; nil when there are none.
func Summarize(suite string, cases []*record.Result, expected map[string]float64) Summary {
	s := Summary{Suite: suite, Runs: len(cases)}
	if len(cases) == 0 {
		s.SuccessCI = [2]float64{0, 1}
		return s
	}

	var (
		s1, s2, e2e, server           []float64 // successful runs
		cost, mem, rss                []float64
		tokens, attempts              []float64
		compiled                      int
		withTests, passedAll          int
		irChecked, irValid            int
		ttft, tpot, itl, itl99, stpot float64
		codeChecked, codeOK           int
	)
	s.CompileOnly = true
	for _, c := range cases {
		if c.Success {
			s.Successful++
			s1 = append(s1, ms(c.Stage1.Latency))
			s2 = append(s2, ms(c.Stage2.Latency))
			e2e = append(e2e, ms(c.E2E))
			server = append(server, ms(c.Stage1.Server+c.Stage2.Server))
		}
		s.CompileOnly = s.CompileOnly && c.CompileOnly
		if c.Compiled {
			compiled++
		}
		if n := len(c.Validation.Tests); n > 0 {
			withTests++
			if c.Validation.PassedTests() == n {
				passedAll++
			}
		}
		cost = append(cost, c.CostUSD)
		mem = append(mem, float64(c.HarnessBytes)/mib)
		if c.Validation.PeakRSS > 0 {
			rss = append(rss, float64(c.Validation.PeakRSS)/mib)
		}
		tokens = append(tokens, float64(c.Tokens))
		attempts = append(attempts, float64(c.Attempts))
		for _, st := range []record.Stage{c.Stage1, c.Stage2} {
			s.Streamed += st.Streamed
			s.ServerTimed += st.ServerTimed
			ttft += ms(st.TTFT)
			tpot += ms(st.TPOT)
			itl += ms(st.ITLMean)
			itl99 += ms(st.ITLP99)
			stpot += ms(st.ServerTPOT)
		}
		irChecked += c.Stage1.SchemaChecked
		irValid += c.Stage1.SchemaValid
		codeChecked += c.Stage2.SchemaChecked
		codeOK += c.Stage2.SchemaValid
	}
	s.Failed = s.Runs - s.Successful
	s.SuccessRate = ratio(s.Successful, s.Runs)
	s.SuccessCI = wilson(s.Successful, s.Runs)
	s.CompileRate = ratio(compiled, s.Runs)
	s.ExecutionRate = ratio(passedAll, withTests)

	s.Stage1, s.Stage2, s.E2E = stats.Describe(s1), stats.Describe(s2), stats.Describe(e2e)
	s.E2EMeanCI = bootstrap(e2e)
	s.ServerMean = mean(server)
	if s.Streamed > 0 {
		n := float64(s.Streamed)
		s.TTFTMean, s.TPOTMean, s.ITLMean, s.ITLP99Mean = ttft/n, tpot/n, itl/n, itl99/n
	}
	if s.ServerTimed > 0 {
		s.ServerTPOTMean = stpot / float64(s.ServerTimed)
	}

	s.CostTotalUSD = stats.Sum(cost)
	s.CostMeanUSD = mean(cost)
	s.CostMeanCI = bootstrap(cost)

	s.MemoryMeanMB, s.MemoryPeakMB = mean(mem), slices.Max(mem)
	if len(rss) > 0 {
		s.PeakRSSMeanMB, s.PeakRSSMaxMB = mean(rss), slices.Max(rss)
	}
	s.TokensMean, s.AttemptsMean = mean(tokens), mean(attempts)
	s.IRSchemaValid = ratio(irValid, irChecked)
	s.CodeSchemaValid = ratio(codeOK, codeChecked)

	s.ByCategory = groups(cases, func(c *record.Result) string { return c.Category }, expected)
	s.ByComplexity = groups(cases, func(c *record.Result) string { return c.Complexity }, nil)

	s.Spend = Attribute(cases)
	s.summarizeSamples(cases)
	return s
}

// summarizeSamples fills Samples, PassAtK and SuccessSpread.
func (s *Summary) summarizeSamples(cases []*record.Result) {
	type tally struct{ n, c int }
	var names []string // first-seen order, so that sums are deterministic
	perCase := map[string]*tally{}
	type rate struct{ runs, ok int }
	perSample := map[int]*rate{}
	for _, c := range cases {
		t := perCase[c.Case]
		if t == nil {
			t = &tally{}
			perCase[c.Case] = t
			names = append(names, c.Case)
		}
		r := perSample[c.Sample]
		if r == nil {
			r = &rate{}
			perSample[c.Sample] = r
		}
		t.n++
		r.runs++
		if c.Success {
			t.c++
			r.ok++
		}
	}
	fewest := math.MaxInt
	ns, cs := make([]int, len(names)), make([]int, len(names))
	for i, name := range names {
		ns[i], cs[i] = perCase[name].n, perCase[name].c
		s.Samples = max(s.Samples, ns[i])
		fewest = min(fewest, ns[i])
	}
	if s.Samples < 2 {
		return
	}
	s.PassAtK = map[int]float64{}
	for _, k := range []int{1, 5, 10} {
		if k > fewest {
			break
		}
		// Cannot fail: 1 <= k <= n and 0 <= c <= n for every case.
		if v, err := stats.MeanPassAtK(ns, cs, k); err == nil {
			s.PassAtK[k] = v
		}
		if v, err := stats.MeanPassHatK(ns, cs, k); err == nil {
			if s.PassHatK == nil {
				s.PassHatK = map[int]float64{}
			}
			s.PassHatK[k] = v
		}
	}
	for i, name := range names {
		cl := "flaky"
		switch cs[i] {
		case ns[i]:
			cl = "stable pass"
		case 0:
			cl = "stable fail"
		}
		s.Stability = append(s.Stability, CaseStability{Case: name, Runs: ns[i], Passed: cs[i], Class: cl, CI: wilson(cs[i], ns[i])})
	}
	var rates []float64
	for _, idx := range slices.Sorted(maps.Keys(perSample)) {
		r := perSample[idx]
		rates = append(rates, ratio(r.ok, r.runs))
	}
	s.SuccessSpread = stats.Describe(rates)
}

// groups tallies the cases by key, sorted by name; nil when no case has one.
func groups(cases []*record.Result, key func(*record.Result) string, expected map[string]float64) []Group {
	byName := map[string]*Group{}
	for _, c := range cases {
		name := key(c)
		if name == "" {
			continue
		}
		g := byName[name]
		if g == nil {
			g = &Group{Name: name}
			g.Expected, g.HasExpected = expected[name]
			byName[name] = g
		}
		g.Runs++
		if c.Success {
			g.Successful++
		}
	}
	var out []Group
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		g := byName[name]
		g.Rate = ratio(g.Successful, g.Runs)
		g.CI = wilson(g.Successful, g.Runs)
		out = append(out, *g)
	}
	return out
}

// ratio is a/b, 0 when b is 0: a rate with nothing to count.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// mean is stats.Mean, but 0 for no values so that the Summary stays finite.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return stats.Mean(xs)
}

func wilson(successes, n int) [2]float64 {
	lo, hi := stats.Wilson(successes, n, level)
	return [2]float64{lo, hi}
}

// bootstrap is the 95 % interval of the mean; zero for no values.
func bootstrap(xs []float64) [2]float64 {
	if len(xs) == 0 {
		return [2]float64{}
	}
	lo, hi := stats.BootstrapMeanCI(xs, level, resamples, seed)
	return [2]float64{lo, hi}
}

// ms is d in milliseconds, the unit of a Summary.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
