package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// mergeCases are a run of two suites, in the order the run made them.
func mergeCases() []*record.Result {
	var out []*record.Result
	for i, name := range []string{"add_numbers", "multiply", "string_length", "max_of_two", "is_even"} {
		out = append(out, mkCase("simple", name, "arithmetic", 8000+float64(i)*300, 4000+float64(i)*200, 4, 4))
	}
	for i, name := range []string{"letter_grade", "filter_even", "count_words"} {
		out = append(out, mkCase("nontrivial", name, "control_flow", 9000+float64(i)*100, 9000, 3+i%2, 4))
	}
	return out
}

func journalOf(t *testing.T, path string, meta record.Meta, cases []*record.Result) {
	t.Helper()
	j, err := report.CreateJournal(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if err := j.Append(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

// The journals of three shards merge into the report of the whole run.
func TestMergeShardJournals(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	meta := record.Meta{Started: start, Mode: "live", Model: "m", PerHour: 0.6}
	cases := mergeCases()
	journalOf(t, filepath.Join(dir, "whole.jsonl"), meta, cases)
	for k := 1; k <= 3; k++ {
		m := meta
		m.Started, m.Shard = start.Add(time.Duration(k)*time.Second), fmt.Sprintf("%d/3", k)
		var mine []*record.Result
		for i, c := range cases {
			if i%3 == k-1 {
				mine = append(mine, c)
			}
		}
		journalOf(t, filepath.Join(dir, fmt.Sprintf("journal-shard%dof3.jsonl", k)), m, mine)
	}
	// The merged run starts at the earliest shard's start: give the whole
	// run that start too, so that the reports can be equal.
	m := meta
	m.Started = start.Add(time.Second)
	journalOf(t, filepath.Join(dir, "whole-same-start.jsonl"), m, cases)

	var whole, merged, stderr bytes.Buffer
	if err := run(&whole, &stderr, []string{"-journal", filepath.Join(dir, "whole-same-start.jsonl")}); err != nil {
		t.Fatal(err)
	}
	if err := run(&merged, &stderr, []string{"-journal", filepath.Join(dir, "journal-shard*of3.jsonl")}); err != nil {
		t.Fatal(err, stderr.String())
	}
	if whole.String() != merged.String() {
		t.Errorf("merged report differs from the whole run's:\n--- whole\n%s\n--- merged\n%s", whole.String(), merged.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("warnings for a complete set of shards: %s", stderr.String())
	}

	// A missing shard is said; the same journal twice is refused.
	stderr.Reset()
	if err := run(&merged, &stderr, []string{"-journal", filepath.Join(dir, "journal-shard1of3.jsonl") + "," + filepath.Join(dir, "journal-shard2of3.jsonl")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "shard 3/3 is missing") {
		t.Errorf("stderr = %q, want the missing shard named", stderr.String())
	}
	one := filepath.Join(dir, "journal-shard1of3.jsonl")
	err := run(&merged, &stderr, []string{"-journal", one, one})
	if err == nil || !strings.Contains(err.Error(), "was run in") {
		t.Errorf("the same journal twice: err = %v, want a duplicate case named", err)
	}
}

// -gate over merged journals gives the run's verdict and fails the command.
func TestGateOverJournals(t *testing.T) {
	dir := t.TempDir()
	journal := filepath.Join(dir, "j.jsonl")
	journalOf(t, journal, record.Meta{Mode: "live"}, mergeCases()[:5])
	base := filepath.Join(dir, "baselines")
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// A baseline twice as fast as the run: the E2E median crosses +50 %.
	err := os.WriteFile(filepath.Join(base, "simple.json"), []byte(`{"suite": "simple", "recorded": "2026-11-01", "runs": 5,
		"successful": 5, "success_rate": 1, "e2e_median_ms": 6000, "e2e_mean_ms": 6000, "cost_per_request_usd": 0.0022}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = run(&stdout, &stderr, []string{"-journal", journal, "-gate", "-baselines", base})
	if err == nil || !strings.Contains(err.Error(), "regression gate failed: simple") {
		t.Fatalf("err = %v, want the gate to fail on simple\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "gate: FAIL") {
		t.Errorf("stdout lacks the verdict:\n%s", stdout.String())
	}
}
