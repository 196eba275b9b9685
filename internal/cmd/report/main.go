package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

func main() {
	if err := run(os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "report:", err)
		}
		os.Exit(1)
	}
}

// run is the command, apart from the process: tests call it directly.
func run(stdout, stderr io.Writer, args []string) (err error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	journal := fs.String("journal", "", "the run's journal `files`: a path, a glob or a comma-separated list; the journals of a run's shards merge into one report (more may follow as arguments)")
	mdOut := fs.String("md", "", "write the Markdown report to `file`")
	htmlOut := fs.String("html", "", "write the HTML report to `file`")
	jsonOut := fs.String("json", "", "write the lift-sys results `file` (one per suite when there are several)")
	expectedFile := fs.String("expected", "", "JSON `file` of expected success rates by category, e.g. {\"arithmetic\": 0.95}")
	gateOn := fs.Bool("gate", false, "compare each suite with its baseline and fail on a crossed fail threshold")
	baselines := fs.String("baselines", "baselines", "the baseline `directory` of -gate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths, err := report.JournalPaths("-journal", append([]string{*journal}, fs.Args()...)...)
	if err != nil {
		fs.Usage()
		return err
	}

	var expected map[string]float64
	if *expectedFile != "" {
		b, err := os.ReadFile(*expectedFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &expected); err != nil {
			return fmt.Errorf("%s: %w", *expectedFile, err)
		}
		for k, v := range expected {
			if !(v >= 0 && v <= 1) {
				return fmt.Errorf("%s: expected rate of %q is %v, want a fraction in [0, 1]", *expectedFile, k, v)
			}
		}
	}

	runInfo, cases, err := report.MergeJournals(paths)
	if err != nil {
		return err
	}
	for _, w := range runInfo.Warnings {
		fmt.Fprintf(stderr, "report: warning: %s\n", w)
	}
	if len(cases) == 0 {
		return fmt.Errorf("%s: no cases", strings.Join(paths, ", "))
	}

	suites := bySuite(cases)
	reports := make([]report.SuiteReport, 0, len(suites))
	var failed []string
	for _, s := range suites {
		rep := report.SuiteReport{Summary: results.Summarize(s.name, s.cases, expected), Cases: s.cases}
		if *gateOn {
			g, err := evaluate(*baselines, rep.Summary)
			if err != nil {
				return err
			}
			if err := g.WriteText(stdout); err != nil {
				return err
			}
			rep.Gate = &g
			if g.Failed() {
				failed = append(failed, s.name)
			}
		}
		reports = append(reports, rep)
	}
	defer func() {
		if len(failed) > 0 && err == nil {
			err = fmt.Errorf("regression gate failed: %s crossed a fail threshold", strings.Join(failed, ", "))
		}
	}()

	if *mdOut == "" && *htmlOut == "" && *jsonOut == "" {
		return report.WriteMarkdown(stdout, runInfo.Meta, reports)
	}
	var written []string
	write := func(path string, f func(io.Writer) error) error {
		if err := report.WriteFileAtomic(path, f); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	if *mdOut != "" {
		if err := write(*mdOut, func(w io.Writer) error { return report.WriteMarkdown(w, runInfo.Meta, reports) }); err != nil {
			return err
		}
	}
	if *htmlOut != "" {
		if err := write(*htmlOut, func(w io.Writer) error { return report.WriteHTML(w, runInfo.Meta, reports) }); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		for _, s := range suites {
			path := *jsonOut
			if len(suites) > 1 {
				path = suitePath(path, s.name)
			}
			if err := write(path, func(w io.Writer) error { return report.WriteResultsJSON(w, runInfo.Meta, s.name, s.cases) }); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "report: %d cases in %d suites from %s\n", len(cases), len(suites), strings.Join(paths, ", "))
	for _, p := range written {
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	return nil
}

type suite struct {
	name  string
	cases []*record.Result
}

// bySuite groups cases by suite, keeping the journal's order.
func bySuite(cases []*record.Result) []suite {
	var out []suite
	index := make(map[string]int)
	for _, c := range cases {
		i, ok := index[c.Suite]
		if !ok {
			i = len(out)
			index[c.Suite] = i
			out = append(out, suite{name: c.Suite})
		}
		out[i].cases = append(out[i].cases, c)
	}
	return out
}

// suitePath inserts a suite's name before path's extension, made safe as a
// file name.
func suitePath(path, suite string) string {
	ext := filepath.Ext(path)
	safe := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, suite)
	if safe == "" {
		safe = "unnamed"
	}
	return strings.TrimSuffix(path, ext) + "-" + safe + ext
}

func evaluate(dir string, sum results.Summary) (gate.Report, error) {
	th, err := gate.LoadThresholds(dir)
	if err != nil {
		return gate.Report{}, err
	}
	b, err := gate.LoadBaseline(dir, sum.Suite)
	if err != nil {
		return gate.Report{}, err
	}
	return gate.Evaluate(b, sum, th), nil
}
