package gate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/internal/stats"
)

// repoBaselines is the committed baselines directory, from this package.
const repoBaselines = "../../baselines"

// seed is the 2025-10-22 table of LIFTSYS.md §7 (32B, simple suite, warm).
var seed = Baseline{
	Suite: "simple", Recorded: "2025-10-22",
	Runs: 5, Successful: 5, SuccessRate: 1,
	E2EMedianMS: 13290, E2EMeanMS: 13190, E2EStdMS: 1230, E2EMinMS: 11350, E2EMaxMS: 14630,
	Stage1MeanMS: 8280, Stage1MedianMS: 8850, Stage2MeanMS: 4910, Stage2MedianMS: 4750,
	CostPerRequestUSD: 0.002299, CostTotalUSD: 0.011493, PriceUSDPerHour: 0.6,
}

// seedSummary is a run that reproduces the seed exactly.
func seedSummary() results.Summary {
	return results.Summary{
		Suite: "simple", Runs: 5, Successful: 5, SuccessRate: 1,
		E2E:         stats.Summary{N: 5, Median: 13290, Mean: 13190, Std: 1230, Min: 11350, Max: 14630},
		Stage1:      stats.Summary{N: 5, Median: 8850, Mean: 8280},
		Stage2:      stats.Summary{N: 5, Median: 4750, Mean: 4910},
		CostMeanUSD: 0.002299, CostTotalUSD: 0.011493,
	}
}

// TestSeedBaseline holds baselines/simple.json to the figures of §7.
func TestSeedBaseline(t *testing.T) {
	got, err := LoadBaseline(repoBaselines, "simple")
	if err != nil {
		t.Fatal(err)
	}
	got.Source = "" // prose
	if diff := cmp.Diff(seed, got); diff != "" {
		t.Errorf("baselines/simple.json differs from LIFTSYS.md §7 (-want +got):\n%s", diff)
	}
}

func TestLoadBaselineMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadBaseline(dir, "phase2")
	if err == nil {
		t.Fatal("LoadBaseline of a missing file: got no error")
	}
	want := fmt.Sprintf("gate: no baseline for suite %q: %s does not exist; record one with `make baseline SUITE=phase2` and commit it",
		"phase2", filepath.Join(dir, "phase2.json"))
	if err.Error() != want {
		t.Errorf("got error\n%s\nwant\n%s", err, want)
	}
	if !errors.Is(err, ErrNoBaseline) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want an error that is ErrNoBaseline and fs.ErrNotExist", err)
	}
}

func TestLoadBaselineRejects(t *testing.T) {
	valid, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(from, to string) string {
		t.Helper()
		if !strings.Contains(string(valid), from) {
			t.Fatalf("%q is not in %s", from, valid)
		}
		return strings.Replace(string(valid), from, to, 1)
	}
	for _, tc := range []struct {
		name, suite, file, want string
		invalid                 bool // wraps ErrInvalid
	}{
		{name: "misspelt key gates nothing", suite: "simple", file: edit(`"e2e_median_ms"`, `"e2e_medain_ms"`), want: `unknown field "e2e_medain_ms"`},
		{name: "percentage for a fraction", suite: "simple", file: edit(`"success_rate":1`, `"success_rate":100`), want: "success_rate 100 is outside [0, 1]", invalid: true},
		{name: "another suite's file", suite: "simple", file: edit(`"suite":"simple"`, `"suite":"phase2"`), want: `it is the baseline of suite "phase2", want "simple"`, invalid: true},
		{name: "latency missing", suite: "simple", file: edit(`"e2e_mean_ms":13190`, `"e2e_mean_ms":0`), want: "e2e_median_ms and e2e_mean_ms are required", invalid: true},
		{name: "no runs", suite: "simple", file: edit(`"runs":5`, `"runs":0`), want: "runs 0: a baseline needs at least one run", invalid: true},
		{name: "not a date", suite: "simple", file: edit(`"2025-10-22"`, `"22/10/2025"`), want: `recorded "22/10/2025" is not a date`, invalid: true},
		{name: "trailing data", suite: "simple", file: string(valid) + "{}", want: "data after the JSON object"},
		{name: "escapes the directory", suite: "../simple", file: string(valid), want: `invalid suite name "../simple"`, invalid: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "simple.json"), []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadBaseline(dir, tc.suite)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
			if got := errors.Is(err, ErrInvalid); got != tc.invalid {
				t.Errorf("errors.Is(err, ErrInvalid) = %v, want %v", got, tc.invalid)
			}
		})
	}
}

func TestFromSummary(t *testing.T) {
	s := seedSummary()
	s.E2E.Mean = 13192.034791602055 // the unrounded figures of a real run
	s.CostMeanUSD = 0.002298672465267009
	b := FromSummary(s, "make baseline, commit abc123")
	if _, err := time.Parse(time.DateOnly, b.Recorded); err != nil {
		t.Errorf("Recorded %q is not a date: %v", b.Recorded, err)
	}
	want := seed
	want.Recorded, want.Source, want.PriceUSDPerHour = b.Recorded, "make baseline, commit abc123", 0
	want.E2EMeanMS, want.CostPerRequestUSD = 13192, 0.0022987
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("FromSummary (-want +got):\n%s", diff)
	}

	none := FromSummary(results.Summary{Suite: "simple", Runs: 5, Failed: 5, E2E: stats.Summary{Median: 1}}, "")
	if none.E2EMedianMS != 0 {
		t.Errorf("no successful run: got E2EMedianMS %v, want 0 (not gated)", none.E2EMedianMS)
	}
}

func TestWriteBaselineRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "baselines")
	for _, b := range []Baseline{seed, {Suite: "nontrivial/phase1", Recorded: "2026-01-02", Runs: 5, Successful: 4, SuccessRate: 0.8,
		E2EMedianMS: 20000, E2EMeanMS: 21000, CostPerRequestUSD: 0.0031}} {
		if err := WriteBaseline(dir, b); err != nil {
			t.Fatal(err)
		}
		got, err := LoadBaseline(dir, b.Suite)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, got); diff != "" {
			t.Errorf("LoadBaseline after WriteBaseline (-want +got):\n%s", diff)
		}
	}
	fi, err := os.Stat(Path(dir, "simple"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("baseline mode: got %v, want 0644", fi.Mode().Perm())
	}
	assertNoTemp(t, dir)
}

func TestWriteBaselineRejectsInvalid(t *testing.T) {
	dir := t.TempDir()
	b := seed
	b.SuccessRate = 95
	if err := WriteBaseline(dir, b); !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	if _, err := os.Stat(Path(dir, "simple")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an invalid baseline was written: stat: %v", err)
	}
}

// TestWriteBaselineAtomic checks that a reader never sees half a baseline
// while it is rewritten, and that a failed write leaves neither a partial
// file nor a temporary one.
func TestWriteBaselineAtomic(t *testing.T) {
	dir := t.TempDir()
	if err := WriteBaseline(dir, seed); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := LoadBaseline(dir, "simple"); err != nil {
				t.Errorf("a reader saw a partial baseline: %v", err)
				return
			}
		}
	}()
	for i := range 200 {
		b := seed
		b.Source = strings.Repeat("x", i*50) // vary the size
		if err := WriteBaseline(dir, b); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	wg.Wait()
	assertNoTemp(t, dir)

	// A rename that fails (a directory is in the way) leaves the
	// directory as it was, without the temporary file.
	blocked := t.TempDir()
	if err := os.MkdirAll(filepath.Join(blocked, "simple.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteBaseline(blocked, seed); err == nil {
		t.Fatal("WriteBaseline over a directory: got no error")
	}
	assertNoTemp(t, blocked)
}

// assertNoTemp fails if dir holds a temporary file of writeFileAtomic.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
