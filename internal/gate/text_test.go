package gate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/internal/results"
)

// textCases are the reports the text and Markdown tests render.
func textCases() []struct {
	name string
	r    Report
} {
	withSource := seed
	withSource.Source = "LIFTSYS.md §7"
	regressed := seedSummary()
	regressed.SuccessRate, regressed.Successful, regressed.Failed = 0.8, 4, 1
	regressed.E2E.Median, regressed.E2E.Mean = 18000, 21000
	regressed.CostMeanUSD = 0.0032
	slower := seedSummary()
	slower.E2E.Median = 17500
	compileOnly := seedSummary()
	compileOnly.CompileOnly = true
	return []struct {
		name string
		r    Report
	}{
		{"pass", Evaluate(withSource, seedSummary(), DefaultThresholds())},
		{"warn", Evaluate(withSource, slower, DefaultThresholds())},
		{"fail", Evaluate(withSource, regressed, DefaultThresholds())},
		{"no successful run", Evaluate(withSource, results.Summary{Suite: "simple", Runs: 5, Failed: 5, CostMeanUSD: 0.0001}, DefaultThresholds())},
		{"problem", Evaluate(withSource, compileOnly, DefaultThresholds())},
		{"empty shard", Evaluate(withSource, results.Summary{Suite: "simple"}, DefaultThresholds())},
	}
}

// TestWriteText compares each report with testdata/TestWriteText/<case>.txt.
// After an intended change, regenerate them with
//
//	LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/gate -run '^TestWriteText$'
//
// and review the diff.
func TestWriteText(t *testing.T) {
	for _, tc := range textCases() {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.r.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, ".txt", buf.String())
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if last := lines[len(lines)-1]; last != tc.r.Verdict() {
				t.Errorf("last line: got %q, want the verdict %q", last, tc.r.Verdict())
			}
			for _, row := range tc.r.Rows {
				if !strings.Contains(buf.String(), row.Metric) {
					t.Errorf("metric %q is not in the table", row.Metric)
				}
			}
		})
	}
}

// TestMarkdown compares each report with testdata/TestMarkdown/<case>.md.
func TestMarkdown(t *testing.T) {
	for _, tc := range textCases() {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, ".md", tc.r.Markdown())
		})
	}
}

func TestMarkdownEscapes(t *testing.T) {
	b := seed
	b.Source = "a | b\nc"
	md := Evaluate(b, seedSummary(), DefaultThresholds()).Markdown()
	if !strings.Contains(md, `a \| b c`) {
		t.Errorf("the source is not escaped:\n%s", md)
	}
}

// golden compares got with testdata/<test name><ext>, rewriting it under
// LIFTTEST_UPDATE_GOLDEN=1.
func golden(t *testing.T, ext, got string) {
	t.Helper()
	name := strings.ReplaceAll(t.Name(), " ", "_")
	file := filepath.Join("testdata", filepath.FromSlash(name)+ext)
	if os.Getenv("LIFTTEST_UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (create it with LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/gate -run '^%s$')", err, strings.Split(t.Name(), "/")[0])
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("differs from %s (-want +got):\n%s\nIf the change is intended: LIFTTEST_UPDATE_GOLDEN=1 go test ./internal/gate -run '^%s$'",
			file, diff, strings.Split(t.Name(), "/")[0])
	}
}
