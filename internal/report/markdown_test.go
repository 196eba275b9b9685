package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// fixtureSuites is the fixture run as a report's suites, with the expected
// category rates of the nontrivial suite and a caller's gate section.
func fixtureSuites() []SuiteReport {
	simple, nontrivial := fixtureSuite("simple"), fixtureSuite("nontrivial")
	expected := map[string]float64{"control_flow": 0.80, "list_operations": 0.90, "string_manipulation": 0.90}
	return []SuiteReport{
		{Summary: results.Summarize("simple", simple, nil), Cases: simple, Sections: []Section{{
			Title: "Regression gate (baseline 2025-10-22, 32B)",
			Markdown: "| metric | value | warn | fail | verdict |\n|---|---:|---:|---:|---|\n" +
				"| success rate | 100.0 % | < 95 % | < 90 % | ok |\n" +
				"| E2E median | 13.29 s | > 17 s | > 20 s | ok |\n" +
				"| cost per request | 0.002299 USD | > 0.003 | > 0.0035 | ok |",
		}}},
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
