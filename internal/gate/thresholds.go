package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// thresholdsName is the optional thresholds file in the baselines
// directory.
const thresholdsName = "thresholds"

// Thresholds says when a metric of a run, compared with its suite's
// baseline, warns and when it fails. A metric crosses a threshold only
// strictly: a success rate of exactly 0.95 does not warn at
// SuccessRateWarn 0.95, an E2E median exactly +30 % above the baseline does
// not warn at E2EIncreaseWarn 0.30.
//
// The zero Thresholds means DefaultThresholds to Evaluate. In
// baselines/thresholds.json every key is optional and overrides its
// default:
//
//	{
//	  "success_rate_warn": 0.9,
//	  "suites": {"expanded": {"success_rate_warn": 0.7, "success_rate_fail": 0.6}}
//	}
type Thresholds struct {
	// SuccessRateWarn and SuccessRateFail are absolute floors on the
	// fraction of runs that succeeded (compiled, for a compile-only
	// suite): the run warns or fails when its rate is below them. Lower is
	// worse. Defaults 0.95 and 0.90 (LIFTSYS.md §7).
	SuccessRateWarn float64 `json:"success_rate_warn"`
	SuccessRateFail float64 `json:"success_rate_fail"`

	// E2EIncreaseWarn and E2EIncreaseFail bound the E2E median and the E2E
	// mean relative to the baseline's: 0.30 warns above baseline × 1.30.
	// Higher is worse. Defaults 0.30 and 0.50, which on the 2025-10-22
	// baseline are §7's 17 s and 20 s.
	E2EIncreaseWarn float64 `json:"e2e_increase_warn"`
	E2EIncreaseFail float64 `json:"e2e_increase_fail"`

	// CostPerRequestWarnUSD and CostPerRequestFailUSD are absolute
	// ceilings on the mean cost per request, in USD: the baseline's cost
	// is shown beside them but does not move them. Higher is worse.
	// Defaults 0.003 and 0.0035.
	CostPerRequestWarnUSD float64 `json:"cost_per_request_warn_usd"`
	CostPerRequestFailUSD float64 `json:"cost_per_request_fail_usd"`

	// Suites overrides some of the thresholds above for one suite, by
	// name: a suite with expected failures (expanded) needs a lower
	// success floor than simple.
	Suites map[string]Override `json:"suites,omitempty"`
}

// Override is a suite's exception to Thresholds: each field that is set
// replaces the general threshold of the same name.
type Override struct {
	SuccessRateWarn       *float64 `json:"success_rate_warn,omitempty"`
	SuccessRateFail       *float64 `json:"success_rate_fail,omitempty"`
	E2EIncreaseWarn       *float64 `json:"e2e_increase_warn,omitempty"`
	E2EIncreaseFail       *float64 `json:"e2e_increase_fail,omitempty"`
	CostPerRequestWarnUSD *float64 `json:"cost_per_request_warn_usd,omitempty"`
	CostPerRequestFailUSD *float64 `json:"cost_per_request_fail_usd,omitempty"`
}

// DefaultThresholds are the regression thresholds of LIFTSYS.md §7.
func DefaultThresholds() Thresholds {
	return Thresholds{
		SuccessRateWarn: 0.95, SuccessRateFail: 0.90,
		E2EIncreaseWarn: 0.30, E2EIncreaseFail: 0.50,
		CostPerRequestWarnUSD: 0.003, CostPerRequestFailUSD: 0.0035,
	}
}

// LoadThresholds reads dir/thresholds.json over DefaultThresholds, or
// returns DefaultThresholds when there is no such file. Unknown keys and
// inconsistent thresholds (a fail threshold milder than its warn
// threshold, for any suite) are errors wrapping ErrInvalid.
func LoadThresholds(dir string) (Thresholds, error) {
	th := DefaultThresholds()
	p := filepath.Join(dir, thresholdsName+".json")
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return th, nil
	}
	if err != nil {
		return Thresholds{}, fmt.Errorf("gate: %w", err)
	}
	if err := decodeStrict(data, &th); err != nil {
		return Thresholds{}, fmt.Errorf("gate: %s: %w", p, err)
	}
	if err := th.validate(); err != nil {
		return Thresholds{}, fmt.Errorf("gate: %s: %w", p, err)
	}
	return th, nil
}

// For is the thresholds that apply to suite: th with the suite's
// Override applied, and no Suites.
func (th Thresholds) For(suite string) Thresholds {
	o := th.Suites[suite]
	th.Suites = nil
	set := func(dst *float64, src *float64) {
		if src != nil {
			*dst = *src
		}
	}
	set(&th.SuccessRateWarn, o.SuccessRateWarn)
	set(&th.SuccessRateFail, o.SuccessRateFail)
	set(&th.E2EIncreaseWarn, o.E2EIncreaseWarn)
	set(&th.E2EIncreaseFail, o.E2EIncreaseFail)
	set(&th.CostPerRequestWarnUSD, o.CostPerRequestWarnUSD)
	set(&th.CostPerRequestFailUSD, o.CostPerRequestFailUSD)
	return th
}

// isZero reports whether th is the zero Thresholds, which Evaluate reads
// as the defaults.
func (th Thresholds) isZero() bool {
	return th.SuccessRateWarn == 0 && th.SuccessRateFail == 0 && th.E2EIncreaseWarn == 0 && th.E2EIncreaseFail == 0 &&
		th.CostPerRequestWarnUSD == 0 && th.CostPerRequestFailUSD == 0 && len(th.Suites) == 0
}

// validate checks the general thresholds and each suite's.
func (th Thresholds) validate() error {
	errs := []error{th.For("").check("")}
	for _, suite := range slices.Sorted(maps.Keys(th.Suites)) {
		errs = append(errs, th.For(suite).check(fmt.Sprintf("suites[%q]: ", suite)))
	}
	return errors.Join(errs...)
}

// check validates thresholds without Suites; where prefixes the messages.
func (th Thresholds) check(where string) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s"+format, append([]any{ErrInvalid, where}, args...)...))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"success_rate_warn", th.SuccessRateWarn}, {"success_rate_fail", th.SuccessRateFail}} {
		if !(f.v >= 0 && f.v <= 1) {
			bad("%s %v is outside [0, 1] (a fraction, not a percentage)", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"e2e_increase_warn", th.E2EIncreaseWarn}, {"e2e_increase_fail", th.E2EIncreaseFail},
		{"cost_per_request_warn_usd", th.CostPerRequestWarnUSD}, {"cost_per_request_fail_usd", th.CostPerRequestFailUSD},
	} {
		if !(f.v >= 0) {
			bad("%s %v is negative", f.name, f.v)
		}
	}
	// A fail threshold milder than its warn threshold would fail a run
	// that does not warn: almost certainly two values swapped.
	if th.SuccessRateFail > th.SuccessRateWarn {
		bad("success_rate_fail %v is above success_rate_warn %v", th.SuccessRateFail, th.SuccessRateWarn)
	}
	if th.E2EIncreaseFail < th.E2EIncreaseWarn {
		bad("e2e_increase_fail %v is below e2e_increase_warn %v", th.E2EIncreaseFail, th.E2EIncreaseWarn)
	}
	if th.CostPerRequestFailUSD < th.CostPerRequestWarnUSD {
		bad("cost_per_request_fail_usd %v is below cost_per_request_warn_usd %v", th.CostPerRequestFailUSD, th.CostPerRequestWarnUSD)
	}
	return errors.Join(errs...)
}
