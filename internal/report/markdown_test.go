package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// fixtureSuites is the fixture run as a report's suites, with the expected
// category rates of the nontrivial suite and a caller's gate section.
func fixtureSuites() []SuiteReport {
	simple, nontrivial := fixtureSuite("simple"), fixtureSuite("nontrivial")
	sum := results.Summarize("simple", simple, nil)
	base := gate.FromSummary(sum, "lift-sys 2025-10-22, 32B")
	base.Recorded = "2025-10-22"
	g := gate.Evaluate(base, sum, gate.DefaultThresholds())
	expected := map[string]float64{"control_flow": 0.80, "list_operations": 0.90, "string_manipulation": 0.90}
	return []SuiteReport{
		{Summary: sum, Cases: simple, Gate: &g},
		{Summary: results.Summarize("nontrivial", nontrivial, expected), Cases: nontrivial},
	}
}

// TestWriteMarkdown compares the report of the fixture run with
// testdata/TestWriteMarkdown.md. After an intended change, regenerate it with
//
//	LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/report -run TestWriteMarkdown
//
// and review the diff.
func TestWriteMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, fixtureRun(), fixtureSuites()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", t.Name()+".md")
	if os.Getenv("LIFTTEST_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/report -run '^%s$')", err, t.Name())
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("report differs from %s (-want +got):\n%s\nIf the change is intended: LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/report -run '^%s$'", golden, diff, t.Name())
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	c := fixtureSuite("simple")[0]
	c.Case = "pipe|case"
	c.Success = false
	c.Error = "line one\nline | two <b>"
	var buf bytes.Buffer
	err := WriteMarkdown(&buf, fixtureRun(), []SuiteReport{{Summary: results.Summarize("x", []*record.Result{c}, nil), Cases: []*record.Result{c}}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`pipe\|case`, `line one line \| two &lt;b&gt;`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "<b>") {
		t.Error("report holds raw <b>: a table cell let HTML through")
	}
}

// TestFlakyCasesInReports: with samples, both reports list the flaky case
// with its interval, and pass^k beside pass@k.
func TestFlakyCasesInReports(t *testing.T) {
	var cases []*record.Result
	for _, name := range []string{"steady", "wobbly"} {
		for i := range 10 {
			cases = append(cases, &record.Result{Suite: "simple", Case: name, Sample: i, Success: name == "steady" || i != 3, E2E: msd(1000)})
		}
	}
	reps := []SuiteReport{{Summary: results.Summarize("simple", cases, nil), Cases: cases}}
	var md, html bytes.Buffer
	if err := WriteMarkdown(&md, fixtureRun(), reps); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, fixtureRun(), reps); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| k | pass@k | pass^k |", "1 stable pass, 0 stable fail, 1 flaky", "### Flaky cases", "| wobbly | 9/10 |", "| per successful solution USD | on failed runs USD |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(md.String(), "| steady | 10/10") {
		t.Error("a stable case is listed as flaky")
	}
	for _, want := range []string{"Flaky cases", "wobbly", "pass^k", "per successful solution USD"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}
