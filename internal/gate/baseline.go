package gate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/results"
)

// ErrNoBaseline is wrapped by LoadBaseline's error when the suite has no
// baseline file.
var ErrNoBaseline = errors.New("no baseline")

// ErrInvalid is wrapped by the errors for a baseline or thresholds file
// that parses but makes no sense (a rate above 1, a fail threshold milder
// than its warn threshold).
var ErrInvalid = errors.New("invalid")

// Baseline is one suite's reference figures, committed as
// baselines/<suite>.json. Latencies are milliseconds over the successful
// runs, as in the original harness's summary; costs are USD over all runs.
// The JSON keys are meant to be read and, for a seed like the 2025-10-22
// table, written by hand.
type Baseline struct {
	Suite    string `json:"suite"`
	Recorded string `json:"recorded"`         // the run's date, YYYY-MM-DD
	Source   string `json:"source,omitempty"` // where the figures come from: run, commit, model, endpoint

	Runs        int     `json:"runs"`
	Successful  int     `json:"successful"`
	CompileOnly bool    `json:"compile_only,omitempty"` // success means compiled: the suite has no tests
	SuccessRate float64 `json:"success_rate"`           // in [0, 1]

	E2EMedianMS    float64 `json:"e2e_median_ms"`
	E2EMeanMS      float64 `json:"e2e_mean_ms"`
	E2EStdMS       float64 `json:"e2e_std_ms"` // sample standard deviation
	E2EMinMS       float64 `json:"e2e_min_ms"`
	E2EMaxMS       float64 `json:"e2e_max_ms"`
	Stage1MeanMS   float64 `json:"stage1_mean_ms"`
	Stage1MedianMS float64 `json:"stage1_median_ms"`
	Stage2MeanMS   float64 `json:"stage2_mean_ms"`
	Stage2MedianMS float64 `json:"stage2_median_ms"`

	CostPerRequestUSD float64 `json:"cost_per_request_usd"`
	CostTotalUSD      float64 `json:"cost_total_usd"`
	// PriceUSDPerHour is the GPU price the costs were computed at
	// (record.Meta.PerHour). FromSummary cannot know it; the caller sets
	// it. Cost is only comparable at the same price.
	PriceUSDPerHour float64 `json:"price_usd_per_hour,omitempty"`
}

// Path is the baseline file of suite under dir: dir/<suite>.json. A suite
// with a subset, "nontrivial/phase1", lives in a subdirectory.
func Path(dir, suite string) string {
	return filepath.Join(dir, filepath.FromSlash(suite)+".json")
}

// LoadBaseline reads Path(dir, suite). A missing file is an error wrapping
// ErrNoBaseline and fs.ErrNotExist that names the file and the command
// that records it; unknown keys and impossible figures are errors too, so
// that a typo in a hand-edited baseline does not silently gate nothing.
func LoadBaseline(dir, suite string) (Baseline, error) {
	if err := checkSuiteName(suite); err != nil {
		return Baseline{}, err
	}
	p := Path(dir, suite)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Baseline{}, &missingError{suite: suite, path: p}
	}
	if err != nil {
		return Baseline{}, fmt.Errorf("gate: %w", err)
	}
	var b Baseline
	if err := decodeStrict(data, &b); err != nil {
		return Baseline{}, fmt.Errorf("gate: %s: %w", p, err)
	}
	if b.Suite != suite {
		return Baseline{}, fmt.Errorf("gate: %s: %w: it is the baseline of suite %q, want %q", p, ErrInvalid, b.Suite, suite)
	}
	if err := b.validate(); err != nil {
		return Baseline{}, fmt.Errorf("gate: %s: %w", p, err)
	}
	return b, nil
}

// FromSummary is a baseline of this run, recorded today (UTC), with note
// as its Source. Figures are rounded to what a person compares (0.1 ms,
// 1e-7 USD), so the file stays readable and diffs stay small.
// PriceUSDPerHour is left 0: set it from the run's record.Meta.PerHour.
func FromSummary(s results.Summary, note string) Baseline {
	b := Baseline{
		Suite:             s.Suite,
		Recorded:          time.Now().UTC().Format(time.DateOnly),
		Source:            note,
		Runs:              s.Runs,
		Successful:        s.Successful,
		CompileOnly:       s.CompileOnly,
		SuccessRate:       round(s.SuccessRate, 1e6),
		CostPerRequestUSD: round(s.CostMeanUSD, 1e7),
		CostTotalUSD:      round(s.CostTotalUSD, 1e7),
	}
	// Latencies are over the successful runs: with none they are unknown,
	// left 0, and Evaluate does not compare them.
	if s.Successful > 0 {
		b.E2EMedianMS, b.E2EMeanMS, b.E2EStdMS = round(s.E2E.Median, 10), round(s.E2E.Mean, 10), round(s.E2E.Std, 10)
		b.E2EMinMS, b.E2EMaxMS = round(s.E2E.Min, 10), round(s.E2E.Max, 10)
		b.Stage1MeanMS, b.Stage1MedianMS = round(s.Stage1.Mean, 10), round(s.Stage1.Median, 10)
		b.Stage2MeanMS, b.Stage2MedianMS = round(s.Stage2.Mean, 10), round(s.Stage2.Median, 10)
	}
	return b
}

// WriteBaseline writes b to Path(dir, b.Suite), indented, creating the
// directory. The write is atomic: a temporary file in the same directory
// is synced and renamed over the old baseline, so an interrupted run never
// leaves half a baseline to be committed.
func WriteBaseline(dir string, b Baseline) error {
	if err := checkSuiteName(b.Suite); err != nil {
		return err
	}
	if err := b.validate(); err != nil {
		return fmt.Errorf("gate: baseline of suite %q: %w", b.Suite, err)
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("gate: %w", err)
	}
	p := Path(dir, b.Suite)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("gate: %w", err)
	}
	return writeFileAtomic(p, append(data, '\n'))
}

// validate rejects figures no run can produce.
func (b Baseline) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
	}
	if b.Recorded != "" {
		if _, err := time.Parse(time.DateOnly, b.Recorded); err != nil {
			bad("recorded %q is not a date YYYY-MM-DD", b.Recorded)
		}
	}
	if b.Runs <= 0 {
		bad("runs %d: a baseline needs at least one run", b.Runs)
	}
	if b.Successful < 0 || b.Successful > b.Runs {
		bad("successful %d is outside [0, runs %d]", b.Successful, b.Runs)
	}
	if !(b.SuccessRate >= 0 && b.SuccessRate <= 1) {
		bad("success_rate %v is outside [0, 1] (a fraction, not a percentage)", b.SuccessRate)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"e2e_median_ms", b.E2EMedianMS}, {"e2e_mean_ms", b.E2EMeanMS}, {"e2e_std_ms", b.E2EStdMS},
		{"e2e_min_ms", b.E2EMinMS}, {"e2e_max_ms", b.E2EMaxMS},
		{"stage1_mean_ms", b.Stage1MeanMS}, {"stage1_median_ms", b.Stage1MedianMS},
		{"stage2_mean_ms", b.Stage2MeanMS}, {"stage2_median_ms", b.Stage2MedianMS},
		{"cost_per_request_usd", b.CostPerRequestUSD}, {"cost_total_usd", b.CostTotalUSD},
		{"price_usd_per_hour", b.PriceUSDPerHour},
	} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			bad("%s %v is not a non-negative number", f.name, f.v)
		}
	}
	if b.Successful > 0 && (b.E2EMedianMS == 0 || b.E2EMeanMS == 0) {
		bad("e2e_median_ms and e2e_mean_ms are required when successful > 0")
	}
	if b.E2EMinMS > b.E2EMedianMS || (b.E2EMaxMS > 0 && b.E2EMedianMS > b.E2EMaxMS) {
		bad("e2e_median_ms %v is outside [e2e_min_ms %v, e2e_max_ms %v]", b.E2EMedianMS, b.E2EMinMS, b.E2EMaxMS)
	}
	return errors.Join(errs...)
}

// missingError is LoadBaseline's error for a suite without a baseline: it
// says how to record one, and is both ErrNoBaseline and fs.ErrNotExist.
type missingError struct{ suite, path string }

func (e *missingError) Error() string {
	return fmt.Sprintf("gate: no baseline for suite %q: %s does not exist; record one with `make baseline SUITE=%s` and commit it",
		e.suite, e.path, e.suite)
}

func (e *missingError) Unwrap() []error { return []error{ErrNoBaseline, fs.ErrNotExist} }

// checkSuiteName keeps a suite's baseline inside the baselines directory
// and away from thresholds.json.
func checkSuiteName(suite string) error {
	if suite == "" || suite == "." || suite != path.Clean(suite) || path.IsAbs(suite) || suite == ".." || strings.HasPrefix(suite, "../") ||
		strings.ContainsAny(suite, `\:`) || suite == thresholdsName {
		return fmt.Errorf("gate: %w suite name %q for a baseline file", ErrInvalid, suite)
	}
	return nil
}

// decodeStrict decodes one JSON value into v, rejecting unknown keys and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// round rounds x to 1/per.
func round(x, per float64) float64 { return math.Round(x*per) / per }

// writeFileAtomic writes data to path through a synced temporary file in
// the same directory (rename is atomic only within one file system),
// renamed over path. On error path is untouched and the temporary file is
// removed.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("gate: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("gate: write %s: %w", path, err)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a baseline is committed and shared.
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
