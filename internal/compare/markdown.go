package compare

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the comparison as Markdown for a pull-request
// comment: the table per suite, failure classes base vs head, flaky cases
// and the retry attempt that recovered each retried case.
func (r Report) WriteMarkdown(w io.Writer) error {
	bw := &errWriter{w: w}
	verdict := "✅ no significant regression"
	if r.Failed() {
		verdict = "❌ regression: a significant change beyond its threshold"
	}
	fmt.Fprintf(bw, "### lifttest comparison: %s\n\n", verdict)
	fmt.Fprintf(bw, "- base: %s\n- head: %s\n", side(r.Base), side(r.Head))
	for _, s := range r.Suites {
		fmt.Fprintf(bw, "\n#### %s (%d paired runs)\n\n", s.Name, s.Pairs)
		fmt.Fprintf(bw, "| | base | head | delta [95%% CI] | p | verdict |\n|---|---:|---:|---|---:|---|\n")
		sc := s.Success
		fmt.Fprintf(bw, "| success | %d/%d | %d/%d | %s | %s | %s |\n", sc.Base, sc.N, sc.Head, sc.N, sc.delta(), pfmt(sc.P), mdVerdict(sc.Verdict))
		for _, m := range s.Metrics {
			fmt.Fprintf(bw, "| %s (median) | %s | %s | %s | %s | %s |\n", m.Name, m.value(m.BaseMedian), m.value(m.HeadMedian), m.delta(), pfmt(m.P), mdVerdict(m.Verdict))
		}
		fmt.Fprintf(bw, "\nThresholds: %s. Success: McNemar exact test (b: passed in base only, c: in head only); the rest: Mann-Whitney U, median change with a percentile-bootstrap interval.\n", s.Threshold)
		fmt.Fprintf(bw, "\n| outcome | base | head |\n|---|---:|---:|\n")
		for _, c := range s.Classes {
			fmt.Fprintf(bw, "| %s | %d | %d |\n", c.Class, c.Base, c.Head)
		}
		if fl := s.Flaky(); len(fl) > 0 {
			fmt.Fprintf(bw, "\n**Flaky cases** (pass rate, Wilson 95%% interval):\n\n| case | base | head |\n|---|---|---|\n")
			for _, c := range fl {
				fmt.Fprintf(bw, "| %s | %s | %s |\n", c.Name, c.base(), c.head())
			}
		}
		if rc := s.Retried(); len(rc) > 0 {
			fmt.Fprintf(bw, "\n**Recovered by retry** (passing stage-2 attempt #k × runs):\n\n| case | base | head |\n|---|---|---|\n")
			for _, c := range rc {
				fmt.Fprintf(bw, "| %s | %s | %s |\n", c.Name, recovery(c.RecoveredBase), recovery(c.Recovered))
			}
		}
		fmt.Fprintf(bw, "\n| cost (USD) | total | stage 1 | stage 2 by attempt | per success | on failures |\n|---|---:|---:|---|---:|---:|\n")
		fmt.Fprintf(bw, "| base | %.6f | %.6f | %s | %.6f | %.6f |\n", s.BaseCost.Total, s.BaseCost.Stage1, byAttempt(s.BaseCost), s.BaseCost.PerSuccess, s.BaseCost.Failed)
		fmt.Fprintf(bw, "| head | %.6f | %.6f | %s | %.6f | %.6f |\n", s.HeadCost.Total, s.HeadCost.Stage1, byAttempt(s.HeadCost), s.HeadCost.PerSuccess, s.HeadCost.Failed)
		if s.Failed() {
			fmt.Fprintf(bw, "\n**%s regressed:** %s\n", s.Name, strings.Join(s.reasons(), "; "))
		}
	}
	return bw.err
}

func mdVerdict(v Verdict) string {
	if v == Regression {
		return "**REGRESSION**"
	}
	return string(v)
}
