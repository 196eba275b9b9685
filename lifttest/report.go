package lifttest

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteBenchSummary writes, after the benchmarks, a table per suite in the
// shape of the original harness's report: per case E2E, stage latencies,
// attempts, tests and cost, then the suite's statistics. Every line starts
// with "# " so benchstat skips it.
func (h *Harness) WriteBenchSummary(w io.Writer) {
	h.mu.Lock()
	var names []string
	for s := range h.benched {
		names = append(names, s)
	}
	slices.Sort(names)
	benched := make(map[string][]*Result, len(names))
	for _, s := range names {
		benched[s] = slices.Clone(h.benched[s])
	}
	h.mu.Unlock()
	if len(names) == 0 {
		return
	}
	timing := "measured"
	if h.opts.Mode == ModeReplay {
		timing = "recorded"
	}
	fmt.Fprintf(w, "# lifttest %s (%s timings), price %s\n", h.opts.Mode, timing, h.price)
	for _, suite := range names {
		results := benched[suite]
		s := Summarize(results)
		fmt.Fprintf(w, "# suite=%s: %d runs, %d successful\n", suite, s.Runs, s.Successful)
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "case\tsuccess\te2e s\tstage1 s\tstage2 s\tattempts\ttests\tcost USD\t")
		for _, r := range results {
			fmt.Fprintf(tw, "%s\t%v\t%.2f\t%.2f\t%.2f\t%d\t%d/%d\t%.6f\t\n", r.Case, r.Success, r.E2E.Seconds(),
				r.Stage1.Latency.Seconds(), r.Stage2.Latency.Seconds(), r.Attempts, r.PassedTests(), len(r.Validation.Tests), r.Cost)
		}
		tw.Flush()
		for line := range strings.SplitSeq(strings.TrimRight(b.String(), "\n"), "\n") {
			fmt.Fprintf(w, "#   %s\n", line)
		}
		if s.Successful > 0 {
			fmt.Fprintf(w, "#   E2E median %s, mean %s, std %s, range %s-%s s\n", secs(s.E2E.Median), secs(s.E2E.Mean), secs(s.E2E.Std), secs(s.E2E.Min), secs(s.E2E.Max))
			fmt.Fprintf(w, "#   stage 1 mean %s / median %s; stage 2 mean %s / median %s (seconds)\n", secs(s.Stage1.Mean), secs(s.Stage1.Median), secs(s.Stage2.Mean), secs(s.Stage2.Median))
		}
		fmt.Fprintf(w, "#   cost mean %.6f USD per request, total %.6f USD\n", s.CostMean, s.CostTotal)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
