// Package cost prices a pipeline run the way lift-sys's harness did: the
// seconds the GPU spent on the request times the GPU's hourly price, plus a
// flat overhead per request, with the hourly price taken from a table.
package cost

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultPerRequest is the original harness's flat overhead per request, USD.
const DefaultPerRequest = 0.0001

// Price is an hourly GPU price and a per-request overhead, in USD; or, for
// an API provider, a price per million input and output tokens (then the
// run's cost is its tokens, not its time).
type Price struct {
	Name       string
	PerHour    float64
	PerRequest float64
	// PerMInput and PerMOutput are USD per million input (prompt) and
	// output (completion) tokens; a token price has one of them non-zero.
	PerMInput, PerMOutput float64
}

// TokenPriced reports whether p prices tokens rather than GPU time.
func (p Price) TokenPriced() bool { return p.PerMInput > 0 || p.PerMOutput > 0 }

// Time is the GPU time d at p's hourly price, without the per-request
// overhead: a stage's or an attempt's share of a run.
func (p Price) Time(d time.Duration) float64 { return d.Seconds() * p.PerHour / 3600 }

// Tokens prices in input and out output tokens at p's token price.
func (p Price) Tokens(in, out int) float64 {
	return float64(in)*p.PerMInput/1e6 + float64(out)*p.PerMOutput/1e6
}

// parseTokens parses "tokens:IN/OUT", USD per million input and output
// tokens, e.g. "tokens:0.15/0.60".
func parseTokens(name string) (Price, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(name), "tokens:")
	if !ok {
		return Price{}, false
	}
	a, b, ok := strings.Cut(rest, "/")
	in, err1 := strconv.ParseFloat(a, 64)
	out, err2 := strconv.ParseFloat(b, 64)
	if !ok || err1 != nil || err2 != nil || !(in >= 0) || !(out >= 0) || in+out == 0 || math.IsInf(in+out, 0) {
		return Price{}, false
	}
	return Price{Name: "tokens", PerMInput: in, PerMOutput: out}, true
}

// Table lists the GPU prices lifttest knows by name (USD per hour).
// "original" is the flat 0.60 USD/h the original harness used for every
// model (the A10G rate of the time), kept so figures compare with its
// recorded baselines.
var Table = map[string]Price{
	"A10G":      {Name: "A10G", PerHour: 1.10, PerRequest: DefaultPerRequest},
	"A100-80GB": {Name: "A100-80GB", PerHour: 4.00, PerRequest: DefaultPerRequest},
	"H100":      {Name: "H100", PerHour: 4.00, PerRequest: DefaultPerRequest},
	"original":  {Name: "original", PerHour: 0.60, PerRequest: DefaultPerRequest},
}

// Lookup finds a price by table name (case-insensitive) or parses a plain
// number as a custom USD-per-hour rate.
func Lookup(name string) (Price, error) {
	for k, p := range Table {
		if strings.EqualFold(k, name) {
			return p, nil
		}
	}
	if p, ok := parseTokens(name); ok {
		return p, nil
	}
	if v, err := strconv.ParseFloat(name, 64); err == nil && v >= 0 {
		return Price{Name: "custom", PerHour: v, PerRequest: DefaultPerRequest}, nil
	}
	return Price{}, fmt.Errorf("unknown GPU price %q: use one of %s, a number of USD per hour, or tokens:IN/OUT (USD per million input/output tokens)", name, strings.Join(Names(), ", "))
}

// Names lists the table's names, sorted.
func Names() []string {
	var names []string
	for k := range Table {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Of prices one request whose GPU time was d. As in the original harness,
// the GPU time is the request's end-to-end latency.
func (p Price) Of(d time.Duration) float64 {
	return d.Seconds()*p.PerHour/3600 + p.PerRequest
}

func (p Price) String() string {
	if p.TokenPriced() {
		return fmt.Sprintf("%s (%.4g USD/M input + %.4g USD/M output tokens)", p.Name, p.PerMInput, p.PerMOutput)
	}
	return fmt.Sprintf("%s (%.2f USD/h + %.4f USD/request)", p.Name, p.PerHour, p.PerRequest)
}
