package report

import (
	"bufio"
	"fmt"
	"html"
	"html/template"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// WriteHTML writes a run's report as one self-contained HTML file: inline
// CSS and inline SVG plots (stage latency per case, E2E distribution, pass
// matrix, cost per case), no scripts and no external references, so that
// it opens offline and can be attached to a CI run as is. It holds the same
// tables as WriteMarkdown, each case's prompt, error and generated source,
// and the regression gate when the run was gated.
func WriteHTML(w io.Writer, run record.Meta, suites []SuiteReport) error {
	d := htmlData{
		Run:    runTable(run),
		Timing: template.HTML(inline(timingNote(run, allCases(suites)))), // escaped by inline
		Units:  unitsNote,
	}
	if len(suites) > 1 {
		t := table{Head: []string{"suite", "runs", "successful", "success rate", "E2E median s", "cost total USD"}, Num: []bool{false, true, true, true, true, true}}
		for _, s := range suites {
			m := s.Summary
			t.Rows = append(t.Rows, []tcell{{Text: m.Suite}, {Text: fmt.Sprint(m.Runs)}, {Text: fmt.Sprint(m.Successful)},
				{Text: pct(m.SuccessRate)}, {Text: sec(m.E2E.Median)}, {Text: usd(m.CostTotalUSD)}})
		}
		d.Overview = &t
	}
	for i, s := range suites {
		d.Suites = append(d.Suites, htmlSuiteOf(i, run, s))
	}
	bw := bufio.NewWriter(w)
	if err := htmlTmpl.Execute(bw, d); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return bw.Flush()
}

type htmlData struct {
	Run      []kv
	Timing   template.HTML
	Units    string
	Overview *table
	Suites   []htmlSuite
}

type kv struct{ K, V string }

type kpi struct{ Label, Value, Sub, Class string }

type table struct {
	Head []string
	Num  []bool // right-align column i (numbers)
	Rows [][]tcell
}

type tcell struct{ Text, Class string }

type htmlSuite struct {
	ID, Name, Note                          string
	KPIs                                    []kpi
	StageChart, E2EChart, Matrix, CostChart template.HTML
	Success, Latency, Cases, Cost, Memory   table
	Spend                                   table
	LatencyNote                             string
	Groups                                  []namedTable
	PassAtK                                 *namedTable
	Flaky                                   *namedTable
	Details                                 []caseDetail
	Gate                                    *htmlGate
}

type namedTable struct {
	Title, Note string
	Table       table
}

type caseDetail struct {
	Name, Outcome, Prompt, Error, Function, Source string
	Success                                        bool
	Fails                                          *table // the failing tests
}

type htmlGate struct {
	Title, Header, Verdict string
	Failed                 bool
	Table                  table
	Notes, Problems        []string
}

func runTable(run record.Meta) []kv {
	out := []kv{{"started", runStarted(run)}, {"mode", orDash(run.Mode)}, {"endpoint", orDash(run.Endpoint)},
		{"model", orDash(run.Model)}, {"GPU", orDash(run.GPU)}, {"price", priceText(run)}}
	if run.Shard != "" {
		out = append(out, kv{"shard", run.Shard})
	}
	if run.Isolation != "" {
		out = append(out, kv{"sandbox isolation", run.Isolation})
	}
	if b := strings.TrimSpace(run.Commit + " " + run.GoVersion); b != "" {
		out = append(out, kv{"build", b})
	}
	return out
}

func htmlSuiteOf(i int, run record.Meta, s SuiteReport) htmlSuite {
	m := s.Summary
	h := htmlSuite{
		ID:         fmt.Sprintf("suite-%d", i+1),
		Name:       m.Suite,
		StageChart: stageChart(s.Cases),
		E2EChart:   e2eChart(m, s.Cases),
		Matrix:     passMatrix(s.Cases),
		CostChart:  costChart(s.Cases),
	}
	if m.CompileOnly {
		h.Note = "Compile-only suite: a case succeeds when its code compiles; no tests run."
	}
	rateClass := "kpi-good"
	if m.Failed > 0 {
		rateClass = "kpi-bad"
	}
	h.KPIs = []kpi{
		{"success", fmt.Sprintf("%d/%d", m.Successful, m.Runs), pctCI(m.SuccessRate, m.SuccessCI), rateClass},
		{"E2E median", sec(m.E2E.Median) + " s", "p95 " + sec(m.E2E.P95) + " s, mean " + sec(m.E2E.Mean) + " s", ""},
		{"stage 1 / stage 2 median", sec(m.Stage1.Median) + " / " + sec(m.Stage2.Median) + " s", "successful runs", ""},
		{"cost per run", "$" + usd(m.CostMeanUSD), "total $" + usd(m.CostTotalUSD), ""},
	}

	exec := pct(m.ExecutionRate)
	if m.CompileOnly {
		exec = "– (compile only)"
	}
	h.Success = table{
		Head: []string{"runs", "successful", "failed", "success rate (95 % CI)", "compiled", "executed", "IR schema-valid", "code schema-valid"},
		Num:  []bool{true, true, true, true, true, true, true, true},
		Rows: [][]tcell{{{Text: fmt.Sprint(m.Runs)}, {Text: fmt.Sprint(m.Successful)}, {Text: fmt.Sprint(m.Failed)},
			{Text: pctCI(m.SuccessRate, m.SuccessCI)}, {Text: pct(m.CompileRate)}, {Text: exec}, {Text: pct(m.IRSchemaValid)}, {Text: pct(m.CodeSchemaValid)}}},
	}

	if m.Successful > 0 {
		h.Latency = table{Head: []string{"stage (s)", "mean", "median", "std", "p95", "min–max"}, Num: []bool{false, true, true, true, true, true}}
		for _, st := range []struct {
			name string
			r    statsRow
		}{{"stage 1 (prompt → IR)", row(m.Stage1)}, {"stage 2 (IR → code)", row(m.Stage2)}, {"E2E", row(m.E2E)}} {
			h.Latency.Rows = append(h.Latency.Rows, []tcell{{Text: st.name}, {Text: st.r.Mean}, {Text: st.r.Median}, {Text: st.r.Std}, {Text: st.r.P95}, {Text: st.r.Range}})
		}
		h.LatencyNote = fmt.Sprintf("Over the %d successful runs. E2E mean 95 %% bootstrap CI: %s s.", m.Successful, interval(m.E2EMeanCI[0], m.E2EMeanCI[1], sec))
		if m.ServerMean > 0 {
			h.LatencyNote += fmt.Sprintf(" Server generation time (Modal's generation_time_ms, llama.cpp's timings or vLLM's /metrics with -server-metrics, both stages), mean per successful run: %s s; the rest of E2E is network, queueing and client work.", sec(m.ServerMean))
		}
		if line := streamingLine(m); line != "" {
			h.LatencyNote += " " + line
		}
	} else {
		h.LatencyNote = "No successful runs: no latency statistics."
	}

	h.Cases = table{Head: []string{"case", "success", "E2E s", "stage 1 s", "stage 2 s", "attempts", "tests passed", "cost USD"},
		Num: []bool{false, false, true, true, true, true, true, true}}
	for _, r := range caseRows(s.Cases) {
		ok := tcell{Text: "yes", Class: "good"}
		if !r.Success {
			ok = tcell{Text: "no (" + r.Outcome + ")", Class: "bad"}
		}
		h.Cases.Rows = append(h.Cases.Rows, []tcell{{Text: r.Name}, ok, {Text: r.E2E}, {Text: r.Stage1}, {Text: r.Stage2},
			{Text: fmt.Sprint(r.Attempts)}, {Text: r.Tests}, {Text: r.Cost}})
	}

	h.Cost = table{Head: []string{"total USD", "mean per run USD (95 % CI)", "tokens per run", "attempts per run", "price"},
		Num: []bool{true, true, true, true, false},
		Rows: [][]tcell{{{Text: usd(m.CostTotalUSD)}, {Text: usd(m.CostMeanUSD) + " (" + interval(m.CostMeanCI[0], m.CostMeanCI[1], usd) + ")"},
			{Text: num(m.TokensMean, 0)}, {Text: num(m.AttemptsMean, 2)}, {Text: priceText(run)}}}}
	h.Spend = table{Head: []string{"stage 1 USD", "stage 2 USD", "stage 2 by attempt USD", "per successful solution USD", "on failed runs USD"},
		Num:  []bool{true, true, false, true, true},
		Rows: [][]tcell{{{Text: usd(m.Spend.Stage1)}, {Text: usd(m.Spend.Stage2)}, {Text: spendByAttempt(m.Spend)}, {Text: usd(m.Spend.PerSuccess)}, {Text: usd(m.Spend.Failed)}}}}
	h.Memory = table{Head: []string{"harness heap per run, mean MiB", "peak MiB", "validator peak RSS, mean MiB", "max MiB"},
		Num:  []bool{true, true, true, true},
		Rows: [][]tcell{{{Text: mb(m.MemoryMeanMB)}, {Text: mb(m.MemoryPeakMB)}, {Text: mb(m.PeakRSSMeanMB)}, {Text: mb(m.PeakRSSMaxMB)}}}}

	for _, g := range []struct {
		title string
		gs    []results.Group
	}{{"category", m.ByCategory}, {"complexity", m.ByComplexity}} {
		if len(g.gs) > 0 {
			h.Groups = append(h.Groups, namedTable{Title: "By " + g.title, Table: groupTable(g.title, g.gs)})
		}
	}
	if len(m.PassAtK) > 0 {
		t := table{Head: []string{"k", "pass@k", "pass^k"}, Num: []bool{true, true, true}}
		for _, k := range slices.Sorted(maps.Keys(m.PassAtK)) {
			t.Rows = append(t.Rows, []tcell{{Text: fmt.Sprint(k)}, {Text: pct(m.PassAtK[k])}, {Text: pct(m.PassHatK[k])}})
		}
		if fl := m.Flaky(); len(fl) > 0 {
			ft := table{Head: []string{"case", "passed", "pass rate", "95 % CI (Wilson)"}, Num: []bool{false, true, true, false}}
			for _, c := range fl {
				ft.Rows = append(ft.Rows, []tcell{{Text: c.Case}, {Text: fmt.Sprintf("%d/%d", c.Passed, c.Runs)},
					{Text: pct(float64(c.Passed) / float64(c.Runs))}, {Text: pct(c.CI[0]) + " – " + pct(c.CI[1])}})
			}
			h.Flaky = &namedTable{Title: "Flaky cases", Table: ft, Note: "Cases that passed some samples and failed others."}
		}
		h.PassAtK = &namedTable{Title: "pass@k", Table: t,
			Note: fmt.Sprintf("Unbiased estimator of Chen et al. (2021) over %d samples per case, averaged over cases.", m.Samples)}
	}

	for _, c := range s.Cases {
		d := caseDetail{Name: caseName(c), Outcome: outcome(c), Success: c.Success,
			Prompt: c.Prompt, Error: c.Error, Function: c.Function, Source: c.Source}
		if fails := failedTests(c); len(fails) > 0 {
			d.Fails = &table{Head: []string{"call", "expected", "actual", "class"}}
			for _, t := range fails {
				actual := t.Actual
				if t.Error != "" {
					actual = t.Error
				}
				d.Fails.Rows = append(d.Fails.Rows, []tcell{{Text: orDash(c.Function) + callArgs(t.Args)}, {Text: t.Expected}, {Text: actual, Class: "bad"}, {Text: t.Class}})
			}
		}
		h.Details = append(h.Details, d)
	}
	if g := s.Gate; g != nil {
		hg := &htmlGate{Title: g.Title(), Header: g.Header(), Verdict: g.Verdict(), Failed: g.Failed(), Notes: g.Notes, Problems: g.Problems}
		hg.Table.Head = []string{"metric", "unit", "baseline", "current", "change", "warn", "fail", "status"}
		for _, row := range g.Rows {
			var cells []tcell
			for i, c := range row.Cells() {
				cl := ""
				if i == 7 && row.Status != gate.OK {
					cl = "bad"
				}
				cells = append(cells, tcell{Text: c, Class: cl})
			}
			hg.Table.Rows = append(hg.Table.Rows, cells)
		}
		h.Gate = hg
	}
	return h
}

func groupTable(name string, gs []results.Group) table {
	expected := slices.ContainsFunc(gs, func(g results.Group) bool { return g.HasExpected })
	t := table{Head: []string{name, "runs", "successful", "success rate (95 % CI)"}, Num: []bool{false, true, true, true}}
	if expected {
		t.Head = append(t.Head, "expected")
		t.Num = append(t.Num, true)
	}
	for _, g := range gs {
		r := []tcell{{Text: g.Name}, {Text: fmt.Sprint(g.Runs)}, {Text: fmt.Sprint(g.Successful)}, {Text: pctCI(g.Rate, g.CI)}}
		if expected {
			e := tcell{Text: "–"}
			if g.HasExpected {
				e.Text = pct(g.Expected)
				if g.Rate < g.Expected {
					r[3].Class = "bad"
				}
			}
			r = append(r, e)
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"align": func(t table, i int) string {
		if i < len(t.Num) && t.Num[i] {
			return "num"
		}
		return ""
	},
}).Parse(htmlSource))

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lift-sys benchmark report</title>
<style>
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; background: #fafafa; margin: 0; line-height: 1.45; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 16px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-top: 16px; border-top: 2px solid #e3e3e3; }
h3 { font-size: 16px; margin: 26px 0 8px; }
p.note { color: #555; font-size: 13.5px; margin: 6px 0; }
table { border-collapse: collapse; font-size: 13.5px; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fbfbfc; }
.num { text-align: right; }
.good { color: #26794a; }
.bad { color: #c23030; font-weight: 600; }
table.run th { background: none; color: #666; font-weight: normal; padding-left: 0; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 8px; }
.kpi { flex: 1 1 180px; border: 1px solid #e3e3e3; border-radius: 8px; padding: 10px 14px; background: #fcfcfd; }
.kpi .label { font-size: 12px; color: #666; text-transform: uppercase; letter-spacing: .04em; }
.kpi .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpi .sub { font-size: 12.5px; color: #555; }
.kpi-good .value { color: #26794a; }
.kpi-bad .value { color: #c23030; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 4px 0 8px; }
details { border: 1px solid #e6e6e6; border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f8fa; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 12.5px; }
code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; }
footer { color: #888; font-size: 12px; margin-top: 40px; }
</style>
</head>
<body>
<main>
<h1>lift-sys benchmark report</h1>
<table class="run"><tbody>
{{- range .Run}}
<tr><th>{{.K}}</th><td>{{.V}}</td></tr>
{{- end}}
</tbody></table>
<p class="note">{{.Timing}}</p>
<p class="note">{{.Units}}</p>
{{- with .Overview}}
<h2>Overview</h2>
{{template "table" .}}
{{- end}}
{{- range .Suites}}
<section id="{{.ID}}">
<h2>Suite {{.Name}}</h2>
{{- with .Note}}<p class="note">{{.}}</p>{{end}}
<div class="kpis">
{{- range .KPIs}}
<div class="kpi {{.Class}}"><div class="label">{{.Label}}</div><div class="value">{{.Value}}</div><div class="sub">{{.Sub}}</div></div>
{{- end}}
</div>
<h3>Stage latency per case</h3>
{{.StageChart}}
<h3>E2E latency distribution</h3>
{{.E2EChart}}
<h3>Pass matrix</h3>
<p class="note">One row per case, one cell per test: green passed, red failed. Hover a cell for the call and its result.</p>
{{.Matrix}}
<h3>Cost per case</h3>
{{.CostChart}}
<h3>Success</h3>
{{template "table" .Success}}
<h3>Latency</h3>
{{- if .Latency.Rows}}
{{template "table" .Latency}}
{{- end}}
<p class="note">{{.LatencyNote}}</p>
<h3>Cases</h3>
{{template "table" .Cases}}
<h3>Cost</h3>
{{template "table" .Cost}}
{{template "table" .Spend}}
<h3>Memory</h3>
{{template "table" .Memory}}
{{- range .Groups}}
<h3>{{.Title}}</h3>
{{template "table" .Table}}
{{- end}}
{{- with .PassAtK}}
<h3>{{.Title}}</h3>
<p class="note">{{.Note}}</p>
{{template "table" .Table}}
{{- end}}
{{- with .Flaky}}
<h3>{{.Title}}</h3>
<p class="note">{{.Note}}</p>
{{template "table" .Table}}
{{- end}}
{{- with .Gate}}
<h3>{{.Title}}</h3>
<p>{{.Header}}</p>
{{- if .Table.Rows}}{{template "table" .Table}}{{end}}
{{- if or .Notes .Problems}}<ul>{{range .Notes}}<li>note: {{.}}</li>{{end}}{{range .Problems}}<li class="bad"><b>problem</b>: {{.}}</li>{{end}}</ul>{{end}}
<p class="{{if .Failed}}bad{{else}}good{{end}}"><b>{{.Verdict}}</b></p>
{{- end}}
<h3>Case details</h3>
{{- range .Details}}
<details{{if not .Success}} open{{end}}><summary><span class="{{if .Success}}good{{else}}bad{{end}}">{{if .Success}}✓{{else}}✗{{end}}</span> {{.Name}} <span class="note">({{.Outcome}})</span></summary>
<p><b>Prompt:</b> {{.Prompt}}</p>
{{- with .Error}}<p class="bad">{{.}}</p>{{end}}
{{- with .Fails}}{{template "table" .}}{{end}}
{{- with .Source}}<pre><code>{{.}}</code></pre>{{end}}
</details>
{{- end}}
</section>
{{- end}}
<footer>Written by lifttest. Self-contained: no scripts, no external resources.</footer>
</main>
</body>
</html>
{{define "table"}}<table>
<thead><tr>{{range $i, $h := .Head}}<th class="{{align $ $i}}">{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{- $t := .}}
{{- range .Rows}}
<tr>{{range $i, $c := .}}<td class="{{align $t $i}} {{$c.Class}}">{{$c.Text}}</td>{{end}}</tr>
{{- end}}
</tbody></table>{{end}}
`

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	boldSpan = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// inline escapes a note written for both reports, then turns its `code`
// and **bold** into markup. Entities are decoded first: Markdown meant for
// GitHub writes &lt; for <.
func inline(s string) string {
	s = template.HTMLEscapeString(html.UnescapeString(s))
	s = codeSpan.ReplaceAllString(s, "<code>$1</code>")
	return boldSpan.ReplaceAllString(s, "<b>$1</b>")
}
