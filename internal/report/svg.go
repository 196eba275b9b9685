package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// The plots are inline SVG written here, not by a plotting library: the
// report must be one file that opens offline, and four simple chart types
// do not justify a dependency. Every piece of text goes through
// template.HTMLEscapeString, so a case name or an error message cannot
// inject markup.

// Palette: stage 1 and stage 2 are the Tableau blue and orange, which stay
// apart for the common colour-vision deficiencies; pass and fail add a
// symbol or a label wherever colour alone would carry the meaning.
const (
	colStage1 = "#4c78a8"
	colStage2 = "#f58518"
	colPass   = "#3a9a5b"
	colFail   = "#d64545"
	colNone   = "#e6e6e6"
	colCost   = "#72b7b2"
	colAxis   = "#999999"
	colGrid   = "#ececec"
	colText   = "#222222"
	colMuted  = "#666666"
	fontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
	chartW    = 900.0
)

type svgBuf struct{ b strings.Builder }

func esc(s string) string { return template.HTMLEscapeString(s) }

func (s *svgBuf) open(w, h float64, label string) {
	fmt.Fprintf(&s.b, `<svg class="chart" width="%g" height="%g" viewBox="0 0 %g %g" role="img" aria-label="%s" font-family="%s" font-size="12">`,
		w, h, w, h, esc(label), esc(fontStack))
}

func (s *svgBuf) rect(x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">`, x, y, math.Max(w, 0), h, fill)
	if title != "" {
		fmt.Fprintf(&s.b, `<title>%s</title>`, esc(title))
	}
	s.b.WriteString(`</rect>`)
}

func (s *svgBuf) line(x1, y1, x2, y2 float64, stroke string, width float64, dash string) {
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%g"`, x1, y1, x2, y2, stroke, width)
	if dash != "" {
		fmt.Fprintf(&s.b, ` stroke-dasharray="%s"`, dash)
	}
	s.b.WriteString(`/>`)
}

// text writes a label; anchor is start, middle or end.
func (s *svgBuf) text(x, y float64, anchor, fill string, weight int, str string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" fill="%s"`, x, y, anchor, fill)
	if weight != 0 {
		fmt.Fprintf(&s.b, ` font-weight="%d"`, weight)
	}
	fmt.Fprintf(&s.b, `>%s</text>`, esc(str))
}

func (s *svgBuf) circle(x, y, r float64, fill, stroke, title string) {
	fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s" stroke="%s" stroke-width="1.5"><title>%s</title></circle>`,
		x, y, r, fill, stroke, esc(title))
}

func (s *svgBuf) html() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // every text was escaped above
}

// niceScale returns an axis maximum at or above max and a tick step, both
// round numbers (1, 2 or 5 times a power of ten), for about n ticks.
func niceScale(max float64, n int) (top, step float64) {
	if !(max > 0) || math.IsInf(max, 0) {
		return 1, 0.2
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	return math.Ceil(max/step-1e-9) * step, step
}

// xAxis draws gridlines and tick labels for values 0..top at the bottom of
// a plot area [x0, x1] × [y0, y1].
func (s *svgBuf) xAxis(x0, x1, y0, y1, top, step float64, unit string, format func(float64) string) {
	for v := 0.0; v <= top+step/2; v += step {
		x := x0 + v/top*(x1-x0)
		s.line(x, y0, x, y1, colGrid, 1, "")
		s.text(x, y1+15, "middle", colMuted, 0, format(v))
	}
	s.line(x0, y1, x1, y1, colAxis, 1, "")
	s.text((x0+x1)/2, y1+32, "middle", colMuted, 0, unit)
}

func trimFloat(prec int) func(float64) string {
	return func(v float64) string {
		t := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.*f", prec, v), "0"), ".")
		if t == "" || t == "-0" {
			return "0"
		}
		return t
	}
}

// labelWidth estimates the width of the longest case label, to size the
// left margin (about 7 px per character at 12 px).
func labelWidth(cases []*record.Result) float64 {
	w := 60.0
	for _, c := range cases {
		w = math.Max(w, float64(len([]rune(caseName(c))))*7+22)
	}
	return math.Min(w, 260)
}

// failMark prefixes a failed case's label, so that failure does not rest on
// colour alone.
func failMark(c *record.Result) string {
	if c.Success {
		return caseName(c)
	}
	return "✗ " + caseName(c)
}

func labelColor(c *record.Result) string {
	if c.Success {
		return colText
	}
	return colFail
}

// stageChart draws each case's stage 1 and stage 2 latency as one stacked
// horizontal bar, in seconds.
func stageChart(cases []*record.Result) template.HTML {
	const rowH, barH, top, bottom = 24.0, 15.0, 30.0, 44.0
	left, right := labelWidth(cases), 64.0
	h := top + rowH*float64(len(cases)) + bottom
	var s svgBuf
	s.open(chartW, h, "Stage latency per case, seconds")
	maxS := 0.0
	for _, c := range cases {
		maxS = math.Max(maxS, (ms(c.Stage1.Latency)+ms(c.Stage2.Latency))/1000)
	}
	topV, step := niceScale(maxS, 6)
	x0, x1 := left, chartW-right
	scale := func(v float64) float64 { return v / topV * (x1 - x0) }
	y1 := top + rowH*float64(len(cases))
	s.xAxis(x0, x1, top-4, y1, topV, step, "seconds (client wall time)", trimFloat(1))
	legend(&s, x0, 14, []legendItem{{colStage1, "stage 1: prompt → IR", ""}, {colStage2, "stage 2: IR → code (all attempts)", ""}})
	for i, c := range cases {
		y := top + rowH*float64(i)
		a, b := ms(c.Stage1.Latency)/1000, ms(c.Stage2.Latency)/1000
		s.text(x0-8, y+rowH/2+4, "end", labelColor(c), 0, failMark(c))
		s.rect(x0, y+(rowH-barH)/2, scale(a), barH, colStage1, fmt.Sprintf("%s: stage 1 %.2f s", caseName(c), a))
		title := fmt.Sprintf("%s: stage 2 %.2f s", caseName(c), b)
		if c.Attempts > 1 {
			title += fmt.Sprintf(" (%d attempts)", c.Attempts)
		}
		s.rect(x0+scale(a), y+(rowH-barH)/2, scale(b), barH, colStage2, title)
		s.text(x0+scale(a+b)+6, y+rowH/2+4, "start", colText, 0, fmt.Sprintf("%.2f s", a+b))
	}
	return s.html()
}

// legendItem is a swatch and its label; ring and dot draw circles, as the
// strip plot does.
type legendItem struct {
	color, label string
	shape        string // "", "dot" or "ring"
}

func legend(s *svgBuf, x, y float64, items []legendItem) {
	for _, it := range items {
		switch it.shape {
		case "dot":
			s.circle(x+6, y-4, 5.5, it.color, "#ffffff", it.label)
		case "ring":
			s.circle(x+6, y-4, 5.5, "#ffffff", it.color, it.label)
		default:
			s.rect(x, y-10, 12, 12, it.color, "")
		}
		s.text(x+17, y, "start", colText, 0, it.label)
		x += 17 + float64(len([]rune(it.label)))*6.6 + 22
	}
}

// e2eChart is a strip plot of every run's E2E latency, successful runs
// filled, failed ones hollow red, with the median of the successful runs
// (the figure the baseline and the gate use) as a dashed line.
func e2eChart(sum results.Summary, cases []*record.Result) template.HTML {
	const h, top, bottom, left, right = 170.0, 34.0, 44.0, 20.0, 24.0
	var s svgBuf
	s.open(chartW, h, "E2E latency per run, seconds")
	maxS := 0.0
	for _, c := range cases {
		maxS = math.Max(maxS, ms(c.E2E)/1000)
	}
	topV, step := niceScale(maxS, 8)
	x0, x1, y0, y1 := left, chartW-right, top, h-bottom
	xOf := func(v float64) float64 { return x0 + v/topV*(x1-x0) }
	s.xAxis(x0, x1, y0, y1, topV, step, "E2E seconds (stage 1 + stage 2)", trimFloat(1))
	legend(&s, x0, 14, []legendItem{{colStage1, "successful run", "dot"}, {colFail, "failed run", "ring"}})
	if sum.E2E.N > 0 {
		x := xOf(sum.E2E.Median / 1000)
		s.line(x, y0-6, x, y1, colText, 1.5, "5 3")
		s.text(x+5, y0+4, "start", colText, 600, fmt.Sprintf("median %.2f s", sum.E2E.Median/1000))
	}
	mid := (y0 + y1) / 2
	for i, c := range cases {
		// A fixed jitter, so that equal latencies stay visible and the
		// file is the same on every run.
		dy := float64((i*7)%9-4) * 7
		title := fmt.Sprintf("%s: %.2f s", caseName(c), ms(c.E2E)/1000)
		if c.Success {
			s.circle(xOf(ms(c.E2E)/1000), mid+dy, 5.5, colStage1, "#ffffff", title)
		} else {
			s.circle(xOf(ms(c.E2E)/1000), mid+dy, 5.5, "#ffffff", colFail, title+" (failed: "+outcome(c)+")")
		}
	}
	return s.html()
}

// passMatrix draws one row per case and one cell per test: green passed,
// red failed, grey no such test. Hovering a cell shows the call, what it
// returned and what was expected.
func passMatrix(cases []*record.Result) template.HTML {
	const cell, gap, top, bottom = 18.0, 3.0, 26.0, 12.0
	left := labelWidth(cases)
	cols := 1
	for _, c := range cases {
		cols = max(cols, len(c.Validation.Tests))
	}
	w := math.Min(chartW, left+float64(cols)*(cell+gap)+120)
	h := top + float64(len(cases))*(cell+gap) + bottom
	var s svgBuf
	s.open(w, h, "Pass matrix: cases by tests")
	for j := range cols {
		s.text(left+float64(j)*(cell+gap)+cell/2, top-8, "middle", colMuted, 0, fmt.Sprint(j+1))
	}
	for i, c := range cases {
		y := top + float64(i)*(cell+gap)
		s.text(left-8, y+cell/2+4, "end", labelColor(c), 0, failMark(c))
		fn := c.Function
		if fn == "" {
			fn = c.Case
		}
		switch {
		case len(c.Validation.Tests) > 0:
			for j := range cols {
				x := left + float64(j)*(cell+gap)
				if j >= len(c.Validation.Tests) {
					s.rect(x, y, cell, cell, colNone, "")
					continue
				}
				t := c.Validation.Tests[j]
				got := t.Actual
				if t.Error != "" {
					got = t.Error
				}
				if t.Passed {
					s.rect(x, y, cell, cell, colPass, fmt.Sprintf("%s test %d: %s%s → %s (passed)", caseName(c), j+1, fn, callArgs(t.Args), t.Expected))
				} else {
					s.rect(x, y, cell, cell, colFail, fmt.Sprintf("%s test %d: %s%s → %s, want %s (%s)", caseName(c), j+1, fn, callArgs(t.Args), got, t.Expected, t.Class))
				}
			}
			s.text(left+float64(cols)*(cell+gap)+6, y+cell/2+4, "start", colMuted, 0, fmt.Sprintf("%d/%d", c.Validation.PassedTests(), len(c.Validation.Tests)))
		case c.CompileOnly && c.Compiled:
			s.rect(left, y, cell, cell, colPass, caseName(c)+": compiled (compile-only suite)")
			s.text(left+cell+6, y+cell/2+4, "start", colMuted, 0, "compiled")
		default:
			s.rect(left, y, cell, cell, colFail, caseName(c)+": no test ran: "+outcome(c))
			s.text(left+cell+6, y+cell/2+4, "start", colFail, 0, outcome(c))
		}
	}
	return s.html()
}

// callArgs turns a Python argument list "[2, 3]" into call syntax "(2, 3)".
func callArgs(args string) string {
	if strings.HasPrefix(args, "[") && strings.HasSuffix(args, "]") {
		return "(" + args[1:len(args)-1] + ")"
	}
	return "(*" + args + ")"
}

// costChart draws each case's estimated cost as a horizontal bar.
func costChart(cases []*record.Result) template.HTML {
	const rowH, barH, top, bottom = 22.0, 13.0, 10.0, 44.0
	left, right := labelWidth(cases), 90.0
	h := top + rowH*float64(len(cases)) + bottom
	var s svgBuf
	s.open(chartW, h, "Estimated cost per case, USD")
	maxV := 0.0
	for _, c := range cases {
		maxV = math.Max(maxV, c.CostUSD)
	}
	topV, step := niceScale(maxV, 6)
	x0, x1 := left, chartW-right
	y1 := top + rowH*float64(len(cases))
	s.xAxis(x0, x1, top-4, y1, topV, step, "USD per case run", trimFloat(6))
	for i, c := range cases {
		y := top + rowH*float64(i)
		s.text(x0-8, y+rowH/2+4, "end", labelColor(c), 0, failMark(c))
		w := c.CostUSD / topV * (x1 - x0)
		s.rect(x0, y+(rowH-barH)/2, w, barH, colCost, fmt.Sprintf("%s: %s USD", caseName(c), usd(c.CostUSD)))
		s.text(x0+w+6, y+rowH/2+4, "start", colText, 0, "$"+usd(c.CostUSD))
	}
	return s.html()
}
