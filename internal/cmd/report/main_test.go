package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// writeJournal writes a small two-suite journal: the simple suite's
// add_numbers and multiply, and a nontrivial letter_grade with a wrong
// answer.
func writeJournal(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "run.jsonl")
	j, err := report.CreateJournal(path, record.Meta{
		Started: time.Date(2025, 10, 22, 19, 28, 28, 0, time.UTC), Mode: "replay",
		Model: "Qwen/Qwen2.5-Coder-32B-Instruct", PerHour: 0.60,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*record.Result{
		mkCase("simple", "add_numbers", "arithmetic", 8852.28, 5778.43, 4, 4),
		mkCase("nontrivial", "letter_grade", "control_flow", 9412.57, 11873.20, 5, 7),
		mkCase("simple", "multiply", "arithmetic", 8892.84, 3956.00, 4, 4),
	} {
		if err := j.Append(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func mkCase(suite, name, category string, s1, s2 float64, passed, total int) *record.Result {
	c := &record.Result{
		Suite: suite, Case: name, Category: category, Prompt: "Create a function: " + name,
		Started: time.Date(2025, 10, 22, 19, 28, 28, 0, time.UTC), Mode: "replay",
		Stage1: record.Stage{Latency: msd(s1), Recorded: true, OK: true, Calls: 1}, Stage2: record.Stage{Latency: msd(s2), Recorded: true, OK: true, Calls: 1},
		E2E: msd(s1 + s2), CostUSD: (s1+s2)/1000*0.6/3600 + 0.0001, Attempts: 1, Compiled: true,
		Success: passed == total,
	}
	c.Validation = record.Validation{Compiled: true, Class: "passed"}
	if passed < total {
		c.Validation.Class = "wrong_answer"
	}
	for i := range total {
		c.Validation.Tests = append(c.Validation.Tests, record.Test{Args: "[1]", Passed: i < passed, Expected: "A", Actual: "A"})
	}
	return c
}

func TestRunWritesEveryReport(t *testing.T) {
	dir := t.TempDir()
	journal := writeJournal(t, dir)
	expected := filepath.Join(dir, "expected.json")
	if err := os.WriteFile(expected, []byte(`{"control_flow": 0.8}`), 0o644); err != nil {
		t.Fatal(err)
	}
	md, html, js := filepath.Join(dir, "r.md"), filepath.Join(dir, "r.html"), filepath.Join(dir, "results.json")
	var stdout, stderr bytes.Buffer
	err := run(&stdout, &stderr, []string{"-journal", journal, "-md", md, "-html", html, "-json", js, "-expected", expected})
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "3 cases in 2 suites") {
		t.Errorf("stdout = %q, want it to count 3 cases in 2 suites", stdout.String())
	}

	mdText := read(t, md)
	for _, want := range []string{"## Suite simple", "## Suite nontrivial", "| add_numbers | yes |", "letter_grade | **no**", "80.0 %"} {
		if !strings.Contains(mdText, want) {
			t.Errorf("%s lacks %q", md, want)
		}
	}
	if i, j := strings.Index(mdText, "## Suite simple"), strings.Index(mdText, "## Suite nontrivial"); i < j {
		t.Error("suites out of the canonical (name) order")
	}
	if !strings.Contains(read(t, html), "<svg") {
		t.Errorf("%s has no plot", html)
	}

	for suite, runs := range map[string]float64{"simple": 2, "nontrivial": 1} {
		var f struct {
			Summary map[string]any `json:"summary"`
		}
		path := filepath.Join(dir, "results-"+suite+".json")
		if err := json.Unmarshal([]byte(read(t, path)), &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := f.Summary["total_runs"]; got != runs {
			t.Errorf("%s: total_runs = %v, want %v", path, got, runs)
		}
	}
}

func TestRunMarkdownToStdout(t *testing.T) {
	journal := writeJournal(t, t.TempDir())
	var stdout, stderr bytes.Buffer
	if err := run(&stdout, &stderr, []string{"-journal", journal}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "# lift-sys benchmark report") {
		t.Errorf("stdout starts %q, want the Markdown report", stdout.String()[:min(60, stdout.Len())])
	}
}

func TestRunTruncatedJournal(t *testing.T) {
	journal := writeJournal(t, t.TempDir())
	b := []byte(read(t, journal))
	if err := os.WriteFile(journal, b[:len(b)-40], 0o644); err != nil { // cut into the last case
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(&stdout, &stderr, []string{"-journal", journal}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "warning") || !strings.Contains(stderr.String(), "truncated") {
		t.Errorf("stderr = %q, want a warning about the truncated line", stderr.String())
	}
	if strings.Contains(stdout.String(), "| multiply |") {
		t.Error("the cut-off case multiply was reported")
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	journal := writeJournal(t, dir)
	badRates := filepath.Join(dir, "rates.json")
	if err := os.WriteFile(badRates, []byte(`{"control_flow": 80}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no journal", nil, "-journal is required"},
		{"missing second journal", []string{"-journal", journal, "extra.jsonl"}, "extra.jsonl"},
		{"no journal", []string{}, "-journal is required"},
		{"missing journal", []string{"-journal", filepath.Join(dir, "nope.jsonl")}, "no such file"},
		{"rate as a percentage", []string{"-journal", journal, "-expected", badRates}, "want a fraction"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(&stdout, &stderr, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestSuitePath(t *testing.T) {
	for _, tt := range []struct{ path, suite, want string }{
		{"out/results.json", "simple", "out/results-simple.json"},
		{"results", "a/b", "results-a_b"},
		{"r.json", "", "r-unnamed.json"},
	} {
		if got := suitePath(tt.path, tt.suite); got != tt.want {
			t.Errorf("suitePath(%q, %q) = %q, want %q", tt.path, tt.suite, got, tt.want)
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
