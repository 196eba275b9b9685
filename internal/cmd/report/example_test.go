package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// Rebuilding the report of a run from its journal; with no output flag the
// Markdown report goes to stdout.
func Example() {
	dir, err := os.MkdirTemp("", "report-cmd-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	journal := filepath.Join(dir, "run.jsonl")
	j, err := report.CreateJournal(journal, record.Meta{Started: time.Date(2025, 10, 22, 19, 28, 28, 0, time.UTC), Mode: "replay"})
	if err != nil {
		log.Fatal(err)
	}
	err = j.Append(&record.Result{
		Suite: "simple", Case: "is_even", Success: true, Compiled: true, Attempts: 1,
		Stage1: record.Stage{Recorded: true, Latency: msd(7639.18), OK: true}, Stage2: record.Stage{Latency: msd(5648.94), OK: true},
		E2E: msd(13288.12), CostUSD: 0.002315, Validation: record.Validation{Compiled: true, Class: "passed", Tests: []record.Test{{Passed: true}, {Passed: true}, {Passed: true}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	j.Close()

	var stdout, stderr bytes.Buffer
	if err := run(&stdout, &stderr, []string{"-journal", journal}); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "| is_even") || strings.HasPrefix(line, "## ") {
			fmt.Println(line)
		}
	}
	// Output:
	// ## Suite simple
	// | is_even | yes | 13.29 | 7.64 | 5.65 | 1 | 3/3 | 0.002315 |
}

// msd is a duration of ms milliseconds.
func msd(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
