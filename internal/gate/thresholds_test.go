package gate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadThresholdsAbsent(t *testing.T) {
	got, err := LoadThresholds(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DefaultThresholds(), got); diff != "" {
		t.Errorf("no thresholds.json (-want defaults +got):\n%s", diff)
	}
}

// The committed baselines directory may hold a thresholds.json; whatever
// it says must load.
func TestLoadThresholdsCommitted(t *testing.T) {
	if _, err := LoadThresholds(repoBaselines); err != nil {
		t.Fatal(err)
	}
}

func TestLoadThresholdsOverride(t *testing.T) {
	dir := t.TempDir()
	writeThresholds(t, dir, `{
	  "e2e_increase_warn": 0.2,
	  "suites": {"expanded": {"success_rate_warn": 0.7, "success_rate_fail": 0.6}}
	}`)
	th, err := LoadThresholds(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultThresholds()
	want.E2EIncreaseWarn = 0.2
	if diff := cmp.Diff(want, th.For("simple")); diff != "" {
		t.Errorf("For(simple): only the general override applies (-want +got):\n%s", diff)
	}
	want.SuccessRateWarn, want.SuccessRateFail = 0.7, 0.6
	if diff := cmp.Diff(want, th.For("expanded")); diff != "" {
		t.Errorf("For(expanded): the suite's override on top (-want +got):\n%s", diff)
	}

	// Evaluate picks the suite's thresholds itself: 65 % success warns
	// for expanded, where the default would fail it.
	b := seed
	b.Suite = "expanded"
	s := seedSummary()
	s.Suite, s.SuccessRate = "expanded", 0.65
	if got := Evaluate(b, s, th).Rows[0].Status; got != Warn {
		t.Errorf("expanded at 65 %% success: got %v, want %v", got, Warn)
	}
}

func TestLoadThresholdsRejects(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"unknown key", `{"success_warn": 0.9}`, `unknown field "success_warn"`},
		{"percentage for a fraction", `{"success_rate_warn": 95}`, "success_rate_warn 95 is outside [0, 1]"},
		{"fail milder than warn", `{"e2e_increase_fail": 0.2}`, "e2e_increase_fail 0.2 is below e2e_increase_warn 0.3"},
		{"swapped in a suite", `{"suites": {"expanded": {"success_rate_fail": 0.97}}}`, `suites["expanded"]: success_rate_fail 0.97 is above success_rate_warn 0.95`},
		{"negative cost", `{"cost_per_request_warn_usd": -1}`, "cost_per_request_warn_usd -1 is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeThresholds(t, dir, tc.file)
			_, err := LoadThresholds(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, "thresholds.json")) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadThresholdsInvalidErrIs(t *testing.T) {
	dir := t.TempDir()
	writeThresholds(t, dir, `{"cost_per_request_fail_usd": 0.001}`)
	if _, err := LoadThresholds(dir); !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
}

func writeThresholds(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "thresholds.json"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
