// Command compare compares two sets of lifttest journals, base and head,
// paired by suite, case and sample (see package compare), and exits with
// status 1 when head regressed: a significant change that is also beyond
// the suite's practical threshold (baselines/compare.json).
//
//	go run ./internal/cmd/compare -old 'base/journal-*.jsonl' -new head/journal.jsonl [-md comment.md] [-drift]
//
// Exit status: 0 no regression, 1 regression, 2 bad usage or unreadable
// journals.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/compare"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/internal/schema"
)

func main() {
	err := run(os.Stdout, os.Stderr, os.Args[1:])
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "compare:", err)
	}
	os.Exit(compare.ExitCode(err))
}

// run is the command, apart from the process: tests call it directly.
func run(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	oldSpec := fs.String("old", "", "the base run's journal `files`: a path, a glob or a comma-separated list (a run's shards merge)")
	newSpec := fs.String("new", "", "the head run's journal `files`, as -old")
	thFile := fs.String("thresholds", "baselines/compare.json", "the practical thresholds `file` (missing: the defaults)")
	mdOut := fs.String("md", "", "also write the comparison as Markdown (a PR comment) to `file`")
	recordings := fs.String("recordings", "cassettes", "with -drift: the cassette `directory` whose metadata sidecar (recorded.json) says what they were recorded against")
	drift := fs.Bool("drift", false, "a drift report: -old is a replay of the cassettes, -new a live run of the same cases; lists the changed answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: pass -old and -new", fs.Args())
	}
	oldPaths, err := report.JournalPaths("-old", *oldSpec)
	if err != nil {
		return err
	}
	newPaths, err := report.JournalPaths("-new", *newSpec)
	if err != nil {
		return err
	}
	th, err := compare.LoadThresholds(*thFile)
	if err != nil {
		return err
	}
	base, err := load(stderr, oldPaths)
	if err != nil {
		return err
	}
	head, err := load(stderr, newPaths)
	if err != nil {
		return err
	}
	rep := compare.Compare(base, head, th)
	if len(rep.Suites) == 0 {
		return fmt.Errorf("no case of %s was run in %s: nothing to compare", strings.Join(oldPaths, ", "), strings.Join(newPaths, ", "))
	}
	if *drift {
		rep.Recordings = recordingsInfo(*recordings)
		err = rep.WriteDrift(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if *mdOut != "" {
		write := rep.WriteMarkdown
		if *drift {
			write = rep.WriteDriftMarkdown
		}
		if err := report.WriteFileAtomic(*mdOut, write); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *mdOut)
	}
	if rep.Failed() {
		return compare.ErrRegression
	}
	return nil
}

// recordingsInfo describes the cassettes in dir from their sidecar.
func recordingsInfo(dir string) string {
	m, ok, err := cassette.ReadMeta(dir)
	switch {
	case err != nil:
		return "unknown: " + err.Error()
	case !ok:
		return fmt.Sprintf("unknown: %s has no %s (record mode writes it: re-record to know their age)", dir, cassette.MetaFile)
	}
	return m.Describe(time.Now(), cassette.SchemaHash(schema.IR().JSON()), cassette.SchemaHash(schema.Code().JSON()))
}

func load(stderr io.Writer, paths []string) (compare.Side, error) {
	m, rs, err := report.MergeJournals(paths)
	if err != nil {
		return compare.Side{}, err
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(stderr, "compare: warning: %s\n", w)
	}
	return compare.Side{Meta: m.Meta, Results: rs}, nil
}
