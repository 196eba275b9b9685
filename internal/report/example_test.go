package report_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// A run journals each case as it finishes; the reports are rebuilt from
// the journal, here as the Markdown report's latency table.
func Example() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	journal := filepath.Join(dir, "run.jsonl")

	run := record.Meta{Started: time.Date(2025, 10, 22, 19, 28, 28, 0, time.UTC), Mode: "replay"}
	j, err := report.CreateJournal(journal, run)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		s1, s2   time.Duration
		passed   bool
		testsRun int
	}{{"add_numbers", 8852280 * time.Microsecond, 5778430 * time.Microsecond, true, 4}, {"multiply", 8892840 * time.Microsecond, 3956 * time.Millisecond, true, 4}} {
		err := j.Append(&record.Result{
			Suite: "simple", Case: c.name, Success: c.passed, Compiled: true,
			Stage1: record.Stage{Latency: c.s1, Recorded: true, OK: true}, Stage2: record.Stage{Latency: c.s2, Recorded: true, OK: true},
			E2E: c.s1 + c.s2, Validation: passing(c.testsRun), Attempts: 1,
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		log.Fatal(err)
	}

	run, cases, err := report.ReadJournal(journal)
	if err != nil && !errors.Is(err, report.ErrTruncated) {
		log.Fatal(err)
	}
	sum := results.Summarize("simple", cases, nil)
	fmt.Printf("%s: %d/%d successful, E2E median %.2f s\n", sum.Suite, sum.Successful, sum.Runs, sum.E2E.Median/1000)

	out := filepath.Join(dir, "report.md")
	err = report.WriteFileAtomic(out, func(w io.Writer) error {
		return report.WriteMarkdown(w, run, []report.SuiteReport{{Summary: sum, Cases: cases}})
	})
	if err != nil {
		log.Fatal(err)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(section(string(md), "### Cases"))
	// Output:
	// simple: 2/2 successful, E2E median 13.74 s
	// ### Cases
	//
	// | case | success | E2E s | stage 1 s | stage 2 s | attempts | tests passed | cost USD |
	// |---|---|---:|---:|---:|---:|---:|---:|
	// | add_numbers | yes | 14.63 | 8.85 | 5.78 | 1 | 4/4 | 0.000000 |
	// | multiply | yes | 12.85 | 8.89 | 3.96 | 1 | 4/4 | 0.000000 |
}

// section returns the lines of md from the heading up to the next heading.
func section(md, heading string) string {
	i := strings.Index(md, heading)
	if i < 0 {
		return ""
	}
	rest := md[i:]
	if j := strings.Index(rest[len(heading):], "\n###"); j >= 0 {
		rest = rest[:len(heading)+j]
	}
	return strings.TrimSpace(rest)
}

// passing is a validation of n tests that all passed.
func passing(n int) record.Validation {
	v := record.Validation{Compiled: true, Class: "passed"}
	for range n {
		v.Tests = append(v.Tests, record.Test{Passed: true})
	}
	return v
}
