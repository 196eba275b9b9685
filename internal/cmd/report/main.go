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
func run(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	journal := fs.String("journal", "", "the run's journal `file` (JSON Lines)")
	mdOut := fs.String("md", "", "write the Markdown report to `file`")
	htmlOut := fs.String("html", "", "write the HTML report to `file`")
	jsonOut := fs.String("json", "", "write the lift-sys results `file` (one per suite when there are several)")
	expectedFile := fs.String("expected", "", "JSON `file` of expected success rates by category, e.g. {\"arithmetic\": 0.95}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *journal == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-journal is required and no positional arguments are accepted")
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

	runInfo, cases, err := report.ReadJournal(*journal)
	if errors.Is(err, report.ErrTruncated) {
		fmt.Fprintf(stderr, "report: warning: %v\n", err)
	} else if err != nil {
		return err
	}
	if len(cases) == 0 {
		return fmt.Errorf("%s: no cases", *journal)
	}

	suites := bySuite(cases)
	reports := make([]report.SuiteReport, 0, len(suites))
	for _, s := range suites {
		reports = append(reports, report.SuiteReport{Summary: results.Summarize(s.name, s.cases, expected), Cases: s.cases})
	}

	if *mdOut == "" && *htmlOut == "" && *jsonOut == "" {
		return report.WriteMarkdown(stdout, runInfo, reports)
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
		if err := write(*mdOut, func(w io.Writer) error { return report.WriteMarkdown(w, runInfo, reports) }); err != nil {
			return err
		}
	}
	if *htmlOut != "" {
		if err := write(*htmlOut, func(w io.Writer) error { return report.WriteHTML(w, runInfo, reports) }); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		for _, s := range suites {
			path := *jsonOut
			if len(suites) > 1 {
				path = suitePath(path, s.name)
			}
			if err := write(path, func(w io.Writer) error { return report.WriteResultsJSON(w, runInfo, s.name, s.cases) }); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "report: %d cases in %d suites from %s\n", len(cases), len(suites), *journal)
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
