package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// SuiteReport is one suite's part of a report: its summary, its cases in
// the order to show them, and the regression gate's verdict when the run
// was gated. Each writer renders the gate from its rows, in its own format.
type SuiteReport struct {
	Summary results.Summary
	Cases   []*record.Result
	Gate    *gate.Report
}

// Number formats, shared by the Markdown and HTML reports so that both show
// the same digits.

// sec formats milliseconds as seconds.
func sec(ms float64) string { return num(ms/1000, 2) }

// pct formats a rate in [0, 1] as a percentage.
func pct(rate float64) string {
	if math.IsNaN(rate) {
		return "–"
	}
	return num(rate*100, 1) + " %"
}

// pctCI formats a rate with its confidence interval.
func pctCI(rate float64, ci [2]float64) string {
	if ci == [2]float64{} || math.IsNaN(ci[0]) || math.IsNaN(ci[1]) {
		return pct(rate)
	}
	return fmt.Sprintf("%s (%s–%s)", pct(rate), num(ci[0]*100, 1), pct(ci[1]))
}

func usd(x float64) string { return num(x, 6) }

func mb(x float64) string { return num(x, 2) }

func num(x float64, prec int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

// interval formats a confidence interval already in display units, or "–"
// when there is none (fewer than two runs).
func interval(lo, hi float64, f func(float64) string) string {
	if lo == 0 && hi == 0 || math.IsNaN(lo) || math.IsNaN(hi) {
		return "–"
	}
	return f(lo) + "–" + f(hi)
}

// timingNote says where a run's latencies come from.
func timingNote(run record.Meta, cases []*record.Result) string {
	recorded, measured := 0, 0
	for _, c := range cases {
		switch c.Timing() {
		case "recorded":
			recorded++
		case "measured":
			measured++
		}
	}
	mode := run.Mode
	if mode == "" {
		mode = "unknown"
	}
	switch {
	case recorded > 0 && measured == 0:
		return fmt.Sprintf("Mode %s: latencies are **recorded**: replayed from the cassettes, as measured when they were recorded, not on this run. Cost follows from those latencies.", mode)
	case measured > 0 && recorded == 0:
		return fmt.Sprintf("Mode %s: latencies are **measured** on this run, against %s.", mode, orDash(run.Endpoint))
	case recorded > 0:
		return fmt.Sprintf("Mode %s: **mixed** timing: %d case runs with recorded latencies (from cassettes), %d measured on this run.", mode, recorded, measured)
	}
	return fmt.Sprintf("Mode %s: no case recorded where its timings came from.", mode)
}

const unitsNote = "Units: latencies in seconds of client wall time around a stage's HTTP calls, retries included; " +
	"E2E = stage 1 + stage 2 (validation excluded). Latency statistics cover successful runs; " +
	"rates, cost and memory cover all runs. std is the sample standard deviation; " +
	"p95 interpolates linearly between the closest ranks (Hyndman & Fan type 7, numpy's default). " +
	"Intervals are 95 %: Wilson score for rates, bootstrap for means. Cost in USD, memory in MiB."

// cellEscaper makes text safe inside a Markdown table cell: a pipe would
// end the cell, a newline the row, and < would start raw HTML on GitHub.
var cellEscaper = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "&", "&amp;")

func cell(s string) string { return cellEscaper.Replace(s) }

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// caseRow is one case as both reports show it.
type caseRow struct {
	Name, Outcome                    string
	Success                          bool
	E2E, Stage1, Stage2, Tests, Cost string
	Attempts                         int
	Error                            string
}

func caseRows(cases []*record.Result) []caseRow {
	rows := make([]caseRow, 0, len(cases))
	for _, c := range cases {
		r := caseRow{
			Name:     caseName(c),
			Success:  c.Success,
			E2E:      sec(ms(c.E2E)),
			Stage1:   sec(ms(c.Stage1.Latency)),
			Stage2:   sec(ms(c.Stage2.Latency)),
			Attempts: c.Attempts,
			Cost:     usd(c.CostUSD),
			Error:    c.Error,
		}
		switch {
		case c.CompileOnly:
			r.Tests = "compile only"
		default:
			r.Tests = fmt.Sprintf("%d/%d", c.Validation.PassedTests(), len(c.Validation.Tests))
		}
		r.Outcome = outcome(c)
		rows = append(rows, r)
	}
	return rows
}

// caseName tells samples of one case apart.
func caseName(c *record.Result) string {
	if c.Sample > 0 {
		return fmt.Sprintf("%s #%d", c.Case, c.Sample)
	}
	return c.Case
}

// outcome is a short word for a case's result: the class of its first
// failing test, else the stage that failed.
func outcome(c *record.Result) string {
	switch {
	case c.Success:
		return "pass"
	case !c.Stage1.OK:
		return "stage 1 failed"
	case !c.Stage2.OK:
		return "stage 2 failed"
	case !c.Compiled:
		return "syntax error"
	}
	for _, t := range c.Validation.Tests {
		if !t.Passed && t.Class != "" {
			return t.Class
		}
	}
	return "fail"
}

// ms is d in milliseconds, the unit of lift-sys's files and of Summary.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// msDuration is the inverse of ms, for lift-sys's files read back.
func msDuration(x float64) time.Duration {
	return time.Duration(math.Round(x * float64(time.Millisecond)))
}

// streamingLine is the streamed calls' timings, in one sentence: TTFT,
// TPOT, ITL mean and p99, and the server's own TPOT where it reported one;
// "" without streamed or server-timed calls.
func streamingLine(m results.Summary) string {
	var out string
	if m.Streamed > 0 {
		out = fmt.Sprintf("Streaming, per streamed call (%d): TTFT %.1f ms, TPOT %.2f ms, ITL mean %.2f ms, ITL p99 %.2f ms.",
			m.Streamed, m.TTFTMean, m.TPOTMean, m.ITLMean, m.ITLP99Mean)
	}
	if m.ServerTimed > 0 {
		if out != "" {
			out += " "
		}
		out += fmt.Sprintf("The server's own TPOT (llama.cpp timings, %d calls): %.2f ms", m.ServerTimed, m.ServerTPOTMean)
		if m.Streamed > 0 && m.ServerTPOTMean > 0 {
			out += fmt.Sprintf("; lifttest's TPOT / the server's: %.3f", m.TPOTMean/m.ServerTPOTMean)
		}
		out += "."
	}
	return out
}
