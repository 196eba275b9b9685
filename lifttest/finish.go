package lifttest

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/internal/results"
)

// BaselineDir is the default Options.Baselines: the committed baselines
// and thresholds the gate reads, relative to the working directory (the
// module root under go test).
const BaselineDir = "baselines"

// ErrGate is returned by Finish when a suite crossed a fail threshold.
var ErrGate = errors.New("lifttest: regression gate failed")

// run describes the run for journals and reports.
func (h *Harness) run() results.Run {
	return results.Run{
		Started: h.started, Mode: h.opts.Mode.String(), Endpoint: h.info.Host, Model: h.info.Model, GPU: h.info.GPU,
		Price: h.price.String(), PricePerH: h.price.PerHour, GoVersion: runtime.Version(),
	}
}

// collect keeps a finished Test run for Finish and, with a results
// directory, appends it to the journal at once, so an interrupted run loses
// at most the case in flight.
func (h *Harness) collect(r *Result) error {
	rec := r.Record()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tested = append(h.tested, rec)
	if h.opts.Results == "" {
		return nil
	}
	if h.journal == nil {
		if err := os.MkdirAll(h.opts.Results, 0o755); err != nil {
			return fmt.Errorf("lifttest: results directory: %w", err)
		}
		path := filepath.Join(h.opts.Results, "journal-"+h.stamp()+".jsonl")
		j, err := report.CreateJournal(path, h.run())
		if err != nil {
			return err
		}
		h.journal = j
	}
	return h.journal.Append(rec)
}

func (h *Harness) stamp() string { return h.started.Format("20060102-150405") }

// Finish ends a run of suites: it prints a summary per suite (with the
// category and complexity tables, and pass@k when cases were sampled),
// writes the results file, Markdown and HTML reports into the results
// directory when there is one, evaluates the regression gate (-gate) and
// writes baselines (-write-baseline). It returns ErrGate, wrapped, when a
// suite crossed a fail threshold.
func (h *Harness) Finish(w io.Writer, suites []Suite) error {
	h.mu.Lock()
	cases := slices.Clone(h.tested)
	j := h.journal
	h.mu.Unlock()
	if j != nil {
		if err := j.Close(); err != nil {
			return err
		}
	}
	if len(cases) == 0 {
		return nil
	}
	var reps []report.SuiteReport
	var failed []string
	for _, s := range suites {
		mine := slices.DeleteFunc(slices.Clone(cases), func(c results.Case) bool { return c.Suite != s.Name })
		if len(mine) == 0 {
			continue
		}
		// In the suite's order, whatever order -concurrency finished them in.
		order := make(map[string]int, len(s.Cases))
		for i, c := range s.Cases {
			order[c.Name] = i
		}
		slices.SortStableFunc(mine, func(a, b results.Case) int {
			return cmp.Or(cmp.Compare(order[a.Case], order[b.Case]), cmp.Compare(a.Sample, b.Sample))
		})
		key := s.key()
		sum := results.Summarize(key, mine, s.ExpectedRates)
		writeSummary(w, sum)
		rep := report.SuiteReport{Summary: sum, Cases: mine}
		if h.opts.Gate {
			g, err := h.gate(key, sum)
			if err != nil {
				return err
			}
			fmt.Fprintln(w)
			if err := g.WriteText(w); err != nil {
				return err
			}
			rep.Sections = append(rep.Sections, report.Section{Title: g.Title(), Markdown: g.Markdown()})
			if g.Failed() {
				failed = append(failed, key)
			}
		}
		if h.opts.WriteBaseline {
			b := gate.FromSummary(sum, fmt.Sprintf("lifttest %s run of %s", h.opts.Mode, h.started.Format(time.DateOnly)))
			b.PriceUSDPerHour = h.price.PerHour
			if err := gate.WriteBaseline(h.opts.Baselines, b); err != nil {
				return err
			}
			fmt.Fprintf(w, "baseline written: %s\n", gate.Path(h.opts.Baselines, key))
		}
		reps = append(reps, rep)
	}
	if h.opts.Results != "" && len(reps) > 0 {
		if err := h.writeReports(w, reps); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s crossed a fail threshold (see the table above)", ErrGate, strings.Join(failed, ", "))
	}
	return nil
}

func (h *Harness) gate(key string, sum results.Summary) (gate.Report, error) {
	th, err := gate.LoadThresholds(h.opts.Baselines)
	if err != nil {
		return gate.Report{}, err
	}
	b, err := gate.LoadBaseline(h.opts.Baselines, key)
	if err != nil {
		return gate.Report{}, err
	}
	return gate.Evaluate(b, sum, th), nil
}

func (h *Harness) writeReports(w io.Writer, reps []report.SuiteReport) error {
	run := h.run()
	dir, stamp := h.opts.Results, h.stamp()
	for _, r := range reps {
		name := strings.ReplaceAll(r.Summary.Suite, "/", "-")
		path := filepath.Join(dir, name+"-"+stamp+".json")
		if err := report.WriteFileAtomic(path, func(out io.Writer) error {
			return report.WriteResultsJSON(out, run, r.Summary.Suite, r.Cases)
		}); err != nil {
			return err
		}
		fmt.Fprintf(w, "results: %s\n", path)
	}
	md := filepath.Join(dir, "report-"+stamp+".md")
	if err := report.WriteFileAtomic(md, func(out io.Writer) error { return report.WriteMarkdown(out, run, reps) }); err != nil {
		return err
	}
	html := filepath.Join(dir, "report-"+stamp+".html")
	if err := report.WriteFileAtomic(html, func(out io.Writer) error { return report.WriteHTML(out, run, reps) }); err != nil {
		return err
	}
	fmt.Fprintf(w, "reports: %s, %s\n", md, html)
	return nil
}

// writeSummary prints a suite's figures as the original's summary did, with
// the category analysis and pass@k when they apply.
func writeSummary(w io.Writer, s results.Summary) {
	kind := ""
	if s.CompileOnly {
		kind = " (compile-only: success means the code compiles and defines the function)"
	}
	fmt.Fprintf(w, "\nsuite %s%s: %d/%d successful (%.1f%%, 95%% CI %.1f-%.1f%%), compile rate %.1f%%",
		s.Suite, kind, s.Successful, s.Runs, 100*s.SuccessRate, 100*s.SuccessCI[0], 100*s.SuccessCI[1], 100*s.CompileRate)
	if !s.CompileOnly {
		fmt.Fprintf(w, ", execution rate %.1f%%", 100*s.ExecutionRate)
	}
	fmt.Fprintln(w)
	if s.E2E.N > 0 {
		fmt.Fprintf(w, "  E2E median %.2f s, mean %.2f s, p95 %.2f s; cost %.6f USD per request, %.6f USD total\n",
			s.E2E.Median/1000, s.E2E.Mean/1000, s.E2E.P95/1000, s.CostMeanUSD, s.CostTotalUSD)
	}
	if len(s.PassAtK) > 0 {
		var ks []int
		for k := range s.PassAtK {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		fmt.Fprintf(w, "  %d samples per case:", s.Samples)
		for _, k := range ks {
			fmt.Fprintf(w, " pass@%d %.3f", k, s.PassAtK[k])
		}
		fmt.Fprintf(w, "; success across samples: mean %.3f, min %.3f, max %.3f\n", s.SuccessSpread.Mean, s.SuccessSpread.Min, s.SuccessSpread.Max)
	}
	for _, g := range []struct {
		title  string
		groups []results.Group
	}{{"category", s.ByCategory}, {"complexity", s.ByComplexity}} {
		if len(g.groups) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\truns\tsuccessful\trate\texpected\t\n", g.title)
		for _, gr := range g.groups {
			exp := "-"
			if gr.HasExpected {
				exp = fmt.Sprintf("%.0f%%", 100*gr.Expected)
			}
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%.0f%%\t%s\t\n", gr.Name, gr.Runs, gr.Successful, 100*gr.Rate, exp)
		}
		tw.Flush()
	}
}
