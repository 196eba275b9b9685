package report

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/internal/stats"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// WriteMarkdown writes a run's report as Markdown, in the layout of
// lift-sys's baseline document: a header with the run's configuration and
// where its timings come from, then per suite the success, latency, case,
// cost and memory tables, category and complexity tables (with the
// expected rate beside the measured one when given), pass@k when the suite
// ran several samples, and the regression gate when the run was gated.
func WriteMarkdown(w io.Writer, run record.Meta, suites []SuiteReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("# lift-sys benchmark report\n\n")
	p("| run | |\n|---|---|\n")
	p("| started | %s |\n", cell(runStarted(run)))
	p("| mode | %s |\n", cell(orDash(run.Mode)))
	p("| endpoint | %s |\n", cell(orDash(run.Endpoint)))
	p("| model | %s |\n", cell(orDash(run.Model)))
	p("| GPU | %s |\n", cell(orDash(run.GPU)))
	p("| price | %s |\n", cell(priceText(run)))
	if run.Shard != "" {
		p("| shard | %s |\n", cell(run.Shard))
	}
	if run.Isolation != "" {
		p("| sandbox isolation | %s |\n", cell(run.Isolation))
	}
	if run.Commit != "" || run.GoVersion != "" {
		p("| build | %s |\n", cell(strings.TrimSpace(run.Commit+" "+run.GoVersion)))
	}
	p("\n%s\n\n%s\n", timingNote(run, allCases(suites)), unitsNote)

	if len(suites) > 1 {
		p("\n## Overview\n\n")
		p("| suite | runs | successful | success rate | E2E median s | cost total USD |\n")
		p("|---|---:|---:|---:|---:|---:|\n")
		for _, s := range suites {
			m := s.Summary
			p("| %s | %d | %d | %s | %s | %s |\n", cell(m.Suite), m.Runs, m.Successful, pct(m.SuccessRate), sec(m.E2E.Median), usd(m.CostTotalUSD))
		}
	}

	for _, s := range suites {
		writeSuiteMarkdown(bw, run, s)
	}
	return bw.Flush()
}

func writeSuiteMarkdown(bw *bufio.Writer, run record.Meta, s SuiteReport) {
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	m := s.Summary

	p("\n## Suite %s\n", cell(m.Suite))
	if m.CompileOnly {
		p("\nCompile-only suite: a case succeeds when its code compiles; no tests run.\n")
	}

	p("\n### Success\n\n")
	p("| runs | successful | failed | success rate (95 %% CI) | compiled | executed | IR schema-valid | code schema-valid |\n")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	exec := pct(m.ExecutionRate)
	if m.CompileOnly {
		exec = "– (compile only)"
	}
	p("| %d | %d | %d | %s | %s | %s | %s | %s |\n", m.Runs, m.Successful, m.Failed,
		pctCI(m.SuccessRate, m.SuccessCI), pct(m.CompileRate), exec, pct(m.IRSchemaValid), pct(m.CodeSchemaValid))

	p("\n### Latency\n\n")
	if m.Successful == 0 {
		p("No successful runs: no latency statistics.\n")
	} else {
		p("Seconds, over the %d successful runs.\n\n", m.Successful)
		p("| stage | mean | median | std | p95 | min–max |\n|---|---:|---:|---:|---:|---:|\n")
		for _, st := range []struct {
			name string
			d    statsRow
		}{
			{"stage 1 (prompt → IR)", row(m.Stage1)},
			{"stage 2 (IR → code)", row(m.Stage2)},
			{"E2E", row(m.E2E)},
		} {
			p("| %s | %s | %s | %s | %s | %s |\n", st.name, st.d.Mean, st.d.Median, st.d.Std, st.d.P95, st.d.Range)
		}
		p("\nE2E mean 95 %% bootstrap CI: %s s.", interval(m.E2EMeanCI[0], m.E2EMeanCI[1], sec))
		if m.ServerMean > 0 {
			p(" Server generation time (Modal's generation_time_ms, llama.cpp's timings or vLLM's /metrics with -server-metrics, both stages), mean per successful run: %s s; the rest of E2E is network, queueing and client work.", sec(m.ServerMean))
		}
		if line := streamingLine(m); line != "" {
			p(" %s", line)
		}
		p("\n")
	}

	p("\n### Cases\n\n")
	p("| case | success | E2E s | stage 1 s | stage 2 s | attempts | tests passed | cost USD |\n")
	p("|---|---|---:|---:|---:|---:|---:|---:|\n")
	rows := caseRows(s.Cases)
	for _, r := range rows {
		ok := "yes"
		if !r.Success {
			ok = "**no** (" + cell(r.Outcome) + ")"
		}
		p("| %s | %s | %s | %s | %s | %d | %s | %s |\n", cell(r.Name), ok, r.E2E, r.Stage1, r.Stage2, r.Attempts, r.Tests, r.Cost)
	}
	var failed []caseRow
	for _, r := range rows {
		if !r.Success {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		p("\nFailures:\n\n")
		for _, r := range failed {
			p("- %s: %s\n", cell(r.Name), cell(orDash(r.Error)))
		}
	}
	for _, c := range s.Cases {
		if fails := failedTests(c); len(fails) > 0 {
			p("\nFailing tests of %s:\n\n| args | expected | actual | class |\n|---|---|---|---|\n", cell(caseName(c)))
			for _, t := range fails {
				actual := t.Actual
				if t.Error != "" {
					actual = t.Error
				}
				p("| `%s` | `%s` | `%s` | %s |\n", code(t.Args), code(t.Expected), code(actual), cell(t.Class))
			}
		}
	}

	p("\n### Cost\n\n")
	p("| total USD | mean per run USD (95 %% CI) | tokens per run | attempts per run | price |\n|---:|---:|---:|---:|---|\n")
	p("| %s | %s (%s) | %s | %s | %s |\n", usd(m.CostTotalUSD), usd(m.CostMeanUSD),
		interval(m.CostMeanCI[0], m.CostMeanCI[1], usd), num(m.TokensMean, 0), num(m.AttemptsMean, 2), cell(priceText(run)))
	p("\n| stage 1 USD | stage 2 USD | stage 2 by attempt USD | per successful solution USD | on failed runs USD |\n|---:|---:|---|---:|---:|\n")
	p("| %s | %s | %s | %s | %s |\n", usd(m.Spend.Stage1), usd(m.Spend.Stage2), spendByAttempt(m.Spend), usd(m.Spend.PerSuccess), usd(m.Spend.Failed))
	if m.Spend.Split {
		p("\nSome runs did not record their stages' cost (an older journal): it is split by latency there.\n")
	}

	p("\n### Memory\n\n")
	p("| harness heap per run, mean MiB | peak MiB | validator peak RSS, mean MiB | max MiB |\n|---:|---:|---:|---:|\n")
	p("| %s | %s | %s | %s |\n", mb(m.MemoryMeanMB), mb(m.MemoryPeakMB), mb(m.PeakRSSMeanMB), mb(m.PeakRSSMaxMB))

	writeGroups(bw, "Category", m.ByCategory)
	writeGroups(bw, "Complexity", m.ByComplexity)

	if len(m.PassAtK) > 0 {
		p("\n### pass@k\n\n")
		p("Unbiased estimator of Chen et al. (2021) over %d samples per case, averaged over cases.\n\n", m.Samples)
		p("pass^k is the chance that all k samples pass, C(c, k)/C(n, k): reliability where pass@k is capability.\n\n")
		p("| k | pass@k | pass^k |\n|---:|---:|---:|\n")
		for _, k := range slices.Sorted(maps.Keys(m.PassAtK)) {
			p("| %d | %s | %s |\n", k, pct(m.PassAtK[k]), pct(m.PassHatK[k]))
		}
		if m.SuccessSpread.N > 0 {
			p("\nSuccess rate across samples: mean %s, min %s, max %s.\n",
				pct(m.SuccessSpread.Mean), pct(m.SuccessSpread.Min), pct(m.SuccessSpread.Max))
		}
		stable := map[string]int{}
		for _, c := range m.Stability {
			stable[c.Class]++
		}
		p("\nCases over their samples: %d stable pass, %d stable fail, %d flaky.\n", stable["stable pass"], stable["stable fail"], stable["flaky"])
		if fl := m.Flaky(); len(fl) > 0 {
			p("\n### Flaky cases\n\n| case | passed | pass rate | 95 %% CI (Wilson) |\n|---|---:|---:|---|\n")
			for _, c := range fl {
				p("| %s | %d/%d | %s | %s – %s |\n", cell(c.Case), c.Passed, c.Runs, pct(float64(c.Passed)/float64(c.Runs)), pct(c.CI[0]), pct(c.CI[1]))
			}
		}
	}

	if g := s.Gate; g != nil {
		p("\n### %s\n\n%s\n", cell(g.Title()), strings.TrimSpace(g.Markdown()))
	}
}

// spendByAttempt lists stage 2's cost by attempt: "#1 0.004096, #2 ...".
func spendByAttempt(c results.Cost) string {
	var parts []string
	for i, v := range c.ByAttempt {
		parts = append(parts, fmt.Sprintf("#%d %s", i+1, usd(v)))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func writeGroups(bw *bufio.Writer, title string, gs []results.Group) {
	if len(gs) == 0 {
		return
	}
	expected := slices.ContainsFunc(gs, func(g results.Group) bool { return g.HasExpected })
	fmt.Fprintf(bw, "\n### By %s\n\n| %s | runs | successful | success rate (95 %% CI) |", strings.ToLower(title), strings.ToLower(title))
	if expected {
		fmt.Fprintf(bw, " expected |")
	}
	fmt.Fprintf(bw, "\n|---|---:|---:|---:|")
	if expected {
		fmt.Fprintf(bw, "---:|")
	}
	fmt.Fprintln(bw)
	for _, g := range gs {
		fmt.Fprintf(bw, "| %s | %d | %d | %s |", cell(g.Name), g.Runs, g.Successful, pctCI(g.Rate, g.CI))
		if expected {
			e := "–"
			if g.HasExpected {
				e = pct(g.Expected)
			}
			fmt.Fprintf(bw, " %s |", e)
		}
		fmt.Fprintln(bw)
	}
}

// statsRow is a latency summary in display form.
type statsRow struct{ Mean, Median, Std, P95, Range string }

func row(s stats.Summary) statsRow {
	return statsRow{
		Mean: sec(s.Mean), Median: sec(s.Median), Std: sec(s.Std), P95: sec(s.P95),
		Range: sec(s.Min) + "–" + sec(s.Max),
	}
}

func failedTests(c *record.Result) []record.Test {
	var out []record.Test
	for _, t := range c.Validation.Tests {
		if !t.Passed {
			out = append(out, t)
		}
	}
	return out
}

// code makes text safe inside a Markdown code span in a table cell.
func code(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s)
}

func runStarted(run record.Meta) string {
	if run.Started.IsZero() {
		return "–"
	}
	return run.Started.UTC().Format(time.DateTime + " UTC")
}

func priceText(run record.Meta) string {
	switch {
	case run.Price != "":
		return run.Price
	case run.PerHour > 0:
		return fmt.Sprintf("%.2f USD/h", run.PerHour)
	}
	return "–"
}

func allCases(suites []SuiteReport) []*record.Result {
	var all []*record.Result
	for _, s := range suites {
		all = append(all, s.Cases...)
	}
	return all
}
