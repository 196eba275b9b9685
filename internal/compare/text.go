package compare

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

func side(m record.Meta) string {
	s := m.Mode + " run"
	if !m.Started.IsZero() {
		s += " of " + m.Started.UTC().Format("2006-01-02 15:04Z")
	}
	if m.Model != "" {
		s += ", model " + m.Model
	}
	if m.Endpoint != "" {
		s += ", endpoint " + m.Endpoint
	}
	if m.Commit != "" {
		s += ", commit " + m.Commit
	}
	return s
}

func (t Threshold) String() string {
	return fmt.Sprintf("alpha %.2g; regression beyond: success -%.0f pts, latency +%.0f%%, tokens +%.0f%%, cost +%.0f%%",
		t.Alpha, 100*t.SuccessDrop, 100*t.Latency, 100*t.Tokens, 100*t.Cost)
}

func (m Metric) value(v float64) string {
	switch m.Unit {
	case "s":
		return strconv.FormatFloat(v, 'f', 3, 64) + "s"
	case "USD":
		return fmt.Sprintf("$%.6f", v)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func (m Metric) delta() string {
	if m.BaseMedian == 0 {
		if m.HeadMedian == 0 {
			return "0"
		}
		return "? (base 0)"
	}
	return fmt.Sprintf("%s [%s, %s]", pct(m.Delta), pct(m.Lo), pct(m.Hi))
}

func (s Success) delta() string {
	return fmt.Sprintf("%+.1f pts (b=%d c=%d)", 100*s.Delta, s.B, s.C)
}

// Flaky returns the cases flaky on either side.
func (s Suite) Flaky() []Case {
	var out []Case
	for _, c := range s.Cases {
		if c.Base == Flaky || c.Head == Flaky {
			out = append(out, c)
		}
	}
	return out
}

func (c Case) head() string {
	return fmt.Sprintf("%s %d/%d [%.2f, %.2f]", c.Head, c.HeadPassed, c.HeadRuns, c.HeadCI[0], c.HeadCI[1])
}

func (c Case) base() string {
	return fmt.Sprintf("%s %d/%d [%.2f, %.2f]", c.Base, c.BasePassed, c.BaseRuns, c.BaseCI[0], c.BaseCI[1])
}

// recovery formats {1: 8, 2: 2} as "1st 8, 2nd 2".
func recovery(m map[int]int) string {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("#%d×%d", k, m[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// Retried returns the cases that some run of either side passed only after
// a retry.
func (s Suite) Retried() []Case {
	var out []Case
	for _, c := range s.Cases {
		if len(c.Recovered) > 1 || len(c.RecoveredBase) > 1 || c.Recovered[1] != c.HeadPassed || c.RecoveredBase[1] != c.BasePassed {
			out = append(out, c)
		}
	}
	return out
}

// byAttempt formats stage 2's cost by attempt.
func byAttempt(c results.Cost) string {
	var parts []string
	for i, v := range c.ByAttempt {
		parts = append(parts, fmt.Sprintf("#%d $%.6f", i+1, v))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// WriteText writes the comparison as text, in benchstat's spirit: one
// table per suite, then the verdict.
func (r Report) WriteText(w io.Writer) error {
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "base: %s\nhead: %s\n", side(r.Base), side(r.Head))
	for _, s := range r.Suites {
		fmt.Fprintf(bw, "\nsuite %s: %d paired runs", s.Name, s.Pairs)
		if s.BaseOnly+s.HeadOnly > 0 {
			fmt.Fprintf(bw, " (unpaired: %d base only, %d head only)", s.BaseOnly, s.HeadOnly)
		}
		fmt.Fprintf(bw, "; %s\n", s.Threshold)
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\tbase\thead\tdelta [95% CI]\tp\tverdict")
		sc := s.Success
		fmt.Fprintf(tw, "success\t%d/%d\t%d/%d\t%s\t%s\t%s\n", sc.Base, sc.N, sc.Head, sc.N, sc.delta(), pfmt(sc.P), sc.Verdict)
		for _, m := range s.Metrics {
			fmt.Fprintf(tw, "%s (median)\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.value(m.BaseMedian), m.value(m.HeadMedian), m.delta(), pfmt(m.P), m.Verdict)
		}
		tw.Flush()
		for _, m := range s.Metrics {
			if m.Note != "" {
				fmt.Fprintf(bw, "note: %s: %s\n", m.Name, m.Note)
				break
			}
		}
		fmt.Fprintf(bw, "failure classes (base -> head):")
		for _, c := range s.Classes {
			fmt.Fprintf(bw, " %s %d->%d", c.Class, c.Base, c.Head)
		}
		fmt.Fprintln(bw)
		if fl := s.Flaky(); len(fl) > 0 {
			fmt.Fprintf(bw, "flaky cases (Wilson 95%% interval of the pass rate):\n")
			for _, c := range fl {
				fmt.Fprintf(bw, "  %s: base %s, head %s\n", c.Name, c.base(), c.head())
			}
		}
		if rc := s.Retried(); len(rc) > 0 {
			fmt.Fprintf(bw, "recovered by retry (passing attempt #k × runs):\n")
			for _, c := range rc {
				fmt.Fprintf(bw, "  %s: base %s, head %s\n", c.Name, recovery(c.RecoveredBase), recovery(c.Recovered))
			}
		}
		for _, x := range []struct {
			name string
			c    results.Cost
		}{{"base", s.BaseCost}, {"head", s.HeadCost}} {
			fmt.Fprintf(bw, "cost %s: total $%.6f = stage1 $%.6f + stage2 $%.6f (by attempt: %s); per successful solution $%.6f; on failed runs $%.6f",
				x.name, x.c.Total, x.c.Stage1, x.c.Stage2, byAttempt(x.c), x.c.PerSuccess, x.c.Failed)
			if x.c.Split {
				fmt.Fprint(bw, " (stage costs split by latency: not recorded)")
			}
			fmt.Fprintln(bw)
		}
		if s.Failed() {
			fmt.Fprintf(bw, "suite %s: FAIL: %s\n", s.Name, strings.Join(s.reasons(), "; "))
		} else {
			fmt.Fprintf(bw, "suite %s: ok\n", s.Name)
		}
	}
	if len(r.Suites) == 0 {
		fmt.Fprintln(bw, "\nno suite has a case run on both sides: nothing to compare")
	}
	if r.Failed() {
		fmt.Fprintln(bw, "\nverdict: FAIL (a significant change beyond its threshold)")
	} else {
		fmt.Fprintln(bw, "\nverdict: PASS")
	}
	return bw.err
}

func (s Suite) reasons() []string {
	var out []string
	if s.Success.Verdict == Regression {
		out = append(out, fmt.Sprintf("success %s, p=%.3g", s.Success.delta(), s.Success.P))
	}
	for _, m := range s.Metrics {
		if m.Verdict == Regression {
			out = append(out, fmt.Sprintf("%s %s, p=%.3g", m.Name, pct(m.Delta), m.P))
		}
	}
	return out
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
