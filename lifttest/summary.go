package lifttest

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/lift-sys/lifttest/internal/results"
)

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
		for _, k := range ks {
			fmt.Fprintf(w, " pass^%d %.3f", k, s.PassHatK[k])
		}
		fmt.Fprintf(w, "; success across samples: mean %.3f, min %.3f, max %.3f\n", s.SuccessSpread.Mean, s.SuccessSpread.Min, s.SuccessSpread.Max)
		if fl := s.Flaky(); len(fl) > 0 {
			fmt.Fprintf(w, "  flaky cases:")
			for _, c := range fl {
				fmt.Fprintf(w, " %s %d/%d (95%% CI %.2f-%.2f)", c.Case, c.Passed, c.Runs, c.CI[0], c.CI[1])
			}
			fmt.Fprintln(w)
		}
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
