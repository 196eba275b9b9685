package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
)

// Threshold is what counts as a practical change in one suite. A change
// fails the comparison only when it is significant at Alpha and larger
// than its threshold.
type Threshold struct {
	// Alpha is the significance level of every test (0.05).
	Alpha float64 `json:"alpha,omitempty"`
	// SuccessDrop is the smallest drop in the success rate, as a fraction
	// of the paired runs, that is a regression (0.05: 5 points).
	SuccessDrop float64 `json:"success_drop,omitempty"`
	// Latency, Tokens and Cost are the smallest relative increase of the
	// median that is a regression (0.10: 10 %).
	Latency float64 `json:"latency,omitempty"`
	Tokens  float64 `json:"tokens,omitempty"`
	Cost    float64 `json:"cost,omitempty"`
}

// DefaultThreshold is used for a suite the file does not name.
var DefaultThreshold = Threshold{Alpha: 0.05, SuccessDrop: 0.05, Latency: 0.10, Tokens: 0.10, Cost: 0.10}

// Thresholds are the default and the per-suite thresholds, as in
// baselines/compare.json:
//
//	{"default": {"alpha": 0.05, "success_drop": 0.05, "latency": 0.10, "tokens": 0.10, "cost": 0.10},
//	 "suites": {"humaneval_sample": {"success_drop": 0.25}}}
//
// A suite's entry overrides only the fields it sets.
type Thresholds struct {
	Default Threshold            `json:"default"`
	Suites  map[string]Threshold `json:"suites,omitempty"`
}

// For returns suite's thresholds.
func (th Thresholds) For(suite string) Threshold {
	t := th.Default.or(DefaultThreshold)
	if s, ok := th.Suites[suite]; ok {
		t = s.or(t)
	}
	return t
}

func (t Threshold) or(d Threshold) Threshold {
	pick := func(v, dv float64) float64 {
		if v == 0 {
			return dv
		}
		return v
	}
	return Threshold{
		Alpha: pick(t.Alpha, d.Alpha), SuccessDrop: pick(t.SuccessDrop, d.SuccessDrop),
		Latency: pick(t.Latency, d.Latency), Tokens: pick(t.Tokens, d.Tokens), Cost: pick(t.Cost, d.Cost),
	}
}

func (t Threshold) check(where string) error {
	for name, v := range map[string]float64{"alpha": t.Alpha, "success_drop": t.SuccessDrop, "latency": t.Latency, "tokens": t.Tokens, "cost": t.Cost} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || (name == "alpha" && v >= 1) {
			return fmt.Errorf("%s: %s is %v, want a non-negative fraction", where, name, v)
		}
	}
	return nil
}

// LoadThresholds reads a thresholds file; a missing file gives the
// defaults. Unknown fields are an error, so that a typo is not a silently
// ignored threshold.
func LoadThresholds(path string) (Thresholds, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Thresholds{Default: DefaultThreshold}, nil
	} else if err != nil {
		return Thresholds{}, err
	}
	var th Thresholds
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&th); err != nil {
		return Thresholds{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := th.Default.check(path + ": default"); err != nil {
		return Thresholds{}, err
	}
	for s, t := range th.Suites {
		if err := t.check(path + ": suite " + s); err != nil {
			return Thresholds{}, err
		}
	}
	th.Default = th.Default.or(DefaultThreshold)
	return th, nil
}
