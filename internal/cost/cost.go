// Package cost prices a pipeline run the way lift-sys's harness did: the
// seconds the GPU spent on the request times the GPU's hourly price, plus a
// flat overhead per request, with the hourly price taken from a table.
package cost

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultPerRequest is the original harness's flat overhead per request, USD.
const DefaultPerRequest = 0.0001

// Price is an hourly GPU price and a per-request overhead, in USD.
type Price struct {
	Name       string
	PerHour    float64
	PerRequest float64
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
	if v, err := strconv.ParseFloat(name, 64); err == nil && v >= 0 {
		return Price{Name: "custom", PerHour: v, PerRequest: DefaultPerRequest}, nil
	}
	return Price{}, fmt.Errorf("unknown GPU price %q: use one of %s, or a number of USD per hour", name, strings.Join(Names(), ", "))
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
	return fmt.Sprintf("%s (%.2f USD/h + %.4f USD/request)", p.Name, p.PerHour, p.PerRequest)
}
