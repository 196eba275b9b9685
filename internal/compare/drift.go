package compare

import (
	"fmt"
	"io"
	"strings"
)

// Drift counts, for a suite compared as a drift report (base: a replay of
// the cassettes, head: a live run of the same cases), the paired runs whose
// final code changed and those whose schema validity changed.
func (s Suite) Drift() (answers, schema int) {
	for _, c := range s.Changed {
		if c.AnswerChanged {
			answers++
		}
		if c.BaseSchema != c.HeadSchema {
			schema++
		}
	}
	return answers, schema
}

func yesNo(b bool) string {
	if b {
		return "valid"
	}
	return "INVALID"
}

// WriteDrift writes a drift report: base is the recordings (a replay), head
// a live run of their cases. It lists which answers changed and how their
// outcome and schema validity moved, then the comparison of success and
// latency.
func (r Report) WriteDrift(w io.Writer) error {
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "drift: the live endpoint against the cassettes' recordings\n")
	if r.Recordings != "" {
		fmt.Fprintf(bw, "recordings: %s\n", r.Recordings)
	}
	for _, s := range r.Suites {
		a, sc := s.Drift()
		fmt.Fprintf(bw, "suite %s: %d of %d answers changed, %d changed schema validity\n", s.Name, a, s.Pairs, sc)
		for _, c := range s.Changed {
			fmt.Fprintf(bw, "  %s#%d: %s -> %s", c.Case, c.Sample, c.BaseClass, c.HeadClass)
			if c.AnswerChanged {
				fmt.Fprint(bw, ", answer changed")
			}
			if c.BaseSchema != c.HeadSchema {
				fmt.Fprintf(bw, ", schema %s -> %s", yesNo(c.BaseSchema), yesNo(c.HeadSchema))
			}
			fmt.Fprintln(bw)
			if c.AnswerChanged {
				fmt.Fprintf(bw, "      - %.100s\n      + %.100s\n", c.BaseLine, c.HeadLine)
			}
		}
	}
	if bw.err != nil {
		return bw.err
	}
	fmt.Fprintln(bw)
	return r.WriteText(bw)
}

// WriteDriftMarkdown is WriteDrift as Markdown.
func (r Report) WriteDriftMarkdown(w io.Writer) error {
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "## lifttest drift: live endpoint vs recordings\n\n")
	if r.Recordings != "" {
		fmt.Fprintf(bw, "Recordings: %s\n\n", r.Recordings)
	}
	for _, s := range r.Suites {
		a, sc := s.Drift()
		fmt.Fprintf(bw, "- **%s**: %d of %d answers changed, %d changed schema validity\n", s.Name, a, s.Pairs, sc)
	}
	for _, s := range r.Suites {
		if len(s.Changed) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n| %s case | recorded | live | answer (first changed line) | schema |\n|---|---|---|---|---|\n", s.Name)
		for _, c := range s.Changed {
			ans := "same"
			if c.AnswerChanged {
				ans = fmt.Sprintf("`%.60s` → `%.60s`", strings.ReplaceAll(c.BaseLine, "`", "'"), strings.ReplaceAll(c.HeadLine, "`", "'"))
			}
			fmt.Fprintf(bw, "| %s#%d | %s | %s | %s | %s -> %s |\n", c.Case, c.Sample, c.BaseClass, c.HeadClass, ans, yesNo(c.BaseSchema), yesNo(c.HeadSchema))
		}
	}
	fmt.Fprintln(bw)
	if bw.err != nil {
		return bw.err
	}
	return r.WriteMarkdown(bw)
}
