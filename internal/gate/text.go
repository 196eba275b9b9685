package gate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteText writes the report for a terminal or a CI log: a line naming
// the suite and the baseline, a fixed-width table of every gated metric
// with its status, the notes and problems, and the verdict as the last
// line, one of
//
//	gate: FAIL (1 metric crossed a fail threshold, 2 warnings)
//	gate: WARN (2 metrics crossed warn thresholds)
//	gate: PASS
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, r.Header())
	if len(r.Rows) > 0 {
		t := [][]string{{"metric", "unit", "baseline", "current", "change", "warn", "fail", "status"}}
		for _, row := range r.Rows {
			t = append(t, row.Cells())
		}
		// Numbers right-aligned so their digits line up.
		writeColumns(bw, t, []bool{false, false, true, true, true, false, false, false})
	}
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "note: %s\n", n)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(bw, "problem: %s\n", p)
	}
	fmt.Fprintln(bw, r.Verdict())
	return bw.Flush()
}

// Verdict is the report's last line: "gate: PASS", "gate: WARN (...)" or
// "gate: FAIL (...)" with the counts.
func (r Report) Verdict() string {
	fails, warns := r.count(Fail), r.count(Warn)
	switch {
	case r.Failed():
		v := fmt.Sprintf("gate: FAIL (%s, %s", crossed(fails, "fail"), plural(warns, "warning", "warnings"))
		if len(r.Problems) > 0 {
			v += "; " + plural(len(r.Problems), "problem", "problems")
		}
		return v + ")"
	case r.Warned():
		return fmt.Sprintf("gate: WARN (%s)", crossed(warns, "warn"))
	}
	return "gate: PASS"
}

// Title names the report for a heading, as a report.Section's title.
func (r Report) Title() string {
	return fmt.Sprintf("Regression gate: %s (baseline %s)", r.Suite, r.Baseline.Recorded)
}

// Markdown is the report as Markdown without a heading (see Title), for
// a report section or a pull-request comment: the baseline in a sentence,
// the table, notes and problems as a list, and the verdict in bold.
func (r Report) Markdown() string {
	var b strings.Builder
	b.WriteString(mdEscape(r.Header()) + "\n\n")
	if len(r.Rows) > 0 {
		b.WriteString("| metric | unit | baseline | current | change | warn | fail | status |\n")
		b.WriteString("|---|---|---:|---:|---:|---|---|---|\n")
		for _, row := range r.Rows {
			cells := row.Cells()
			for i, c := range cells {
				cells[i] = mdEscape(c)
			}
			if row.Status != OK {
				cells[7] = "**" + cells[7] + "**"
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	for _, n := range r.Notes {
		b.WriteString("- note: " + mdEscape(n) + "\n")
	}
	for _, p := range r.Problems {
		b.WriteString("- **problem**: " + mdEscape(p) + "\n")
	}
	if len(r.Notes)+len(r.Problems) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("**" + r.Verdict() + "**\n")
	return b.String()
}

// Header says what was compared with what, in a sentence.
func (r Report) Header() string {
	b := r.Baseline
	h := fmt.Sprintf("suite %s: %s against the baseline of %s (%s", r.Suite, plural(r.Runs, "run", "runs"), b.Recorded, plural(b.Runs, "run", "runs"))
	if b.PriceUSDPerHour > 0 {
		h += fmt.Sprintf(" at %.2f USD/h", b.PriceUSDPerHour)
	}
	h += ")"
	if b.Source != "" {
		h += ": " + b.Source
	}
	return h
}

// Cells formats a row for a table: metric, unit, baseline, current,
// change, warn, fail, status.
func (row Row) Cells() []string {
	return []string{row.Metric, row.Unit, value(row.Baseline, row.Unit), value(row.Current, row.Unit),
		changeText(row.Change), row.Warn, row.Fail, row.Status.String()}
}

// value formats x in unit at the precision the baseline table uses.
func value(x float64, unit string) string {
	switch unit {
	case "%":
		return strconv.FormatFloat(x, 'f', 1, 64)
	case "s":
		return strconv.FormatFloat(x, 'f', 2, 64)
	case "USD":
		return strconv.FormatFloat(x, 'f', 6, 64)
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

func changeText(c float64) string {
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return "n/a"
	}
	s := strconv.FormatFloat(c*100, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + " %"
}

// percent formats a fraction as a percentage without trailing zeros:
// 0.95 is "95 %", 0.925 "92.5 %".
func percent(f float64) string {
	return strconv.FormatFloat(round(f*100, 1e4), 'f', -1, 64) + " %"
}

// seconds formats a limit in ms as seconds to the millisecond, without
// trailing zeros, so that a limit of 19935 ms does not read as 19.93 s.
func seconds(ms float64) string { return strconv.FormatFloat(round(ms, 1)/1000, 'f', -1, 64) }

func signedPercent(f float64) string { return "+" + percent(f) }

func usd(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) + " USD" }

func crossed(n int, kind string) string {
	if n == 1 {
		return "1 metric crossed a " + kind + " threshold"
	}
	return fmt.Sprintf("%d metrics crossed %s thresholds", n, kind)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// writeColumns writes t as columns two spaces apart, right-aligning the
// columns marked in right. The last column is not padded, so lines have
// no trailing spaces.
func writeColumns(w io.Writer, t [][]string, right []bool) {
	width := make([]int, len(t[0]))
	for _, line := range t {
		for i, c := range line {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, line := range t {
		var b strings.Builder
		for i, c := range line {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case right[i]:
				b.WriteString(pad + c)
			case i == len(line)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// mdEscape keeps a cell or a line inside its Markdown table row or list
// item.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
