package stats

import (
	"fmt"
	"math"
	"slices"
)

// Method is how a quantile is read from a sample. The package doc compares
// them; the zero value is NearestRank.
type Method int

const (
	// NearestRank is the smallest x with at least p of the data at or below
	// it (rank ceil(p*n)); p = 0 gives the minimum.
	NearestRank Method = iota
	// Linear interpolates between the closest ranks at h = (n-1)p:
	// R-7, numpy's default, Excel PERCENTILE.INC.
	Linear
	// Exclusive interpolates at h = (n+1)p as Python's
	// statistics.quantiles(method="exclusive") does, extrapolating
	// past the extremes as Python does: what lift-sys used for p95/p99.
	Exclusive
)

// String names the method as the docs do.
func (m Method) String() string {
	switch m {
	case NearestRank:
		return "nearest-rank"
	case Linear:
		return "linear (R-7)"
	case Exclusive:
		return "exclusive (R-6, Python statistics.quantiles)"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Quantile returns the p-quantile of xs (p in [0, 1]) under method m.
// It returns NaN for empty xs or p outside [0, 1], and the single value for
// one observation. xs should not contain NaN.
func Quantile(xs []float64, p float64, m Method) float64 {
	if len(xs) == 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	s := sorted(xs)
	n := len(s)
	if n == 1 {
		return s[0]
	}
	switch m {
	case NearestRank:
		x := p * float64(n)
		// p*n lands a hair above an integer for p like 0.7 (0.7*10 =
		// 7.000000000000001); treat that as the integer it means.
		r := math.Round(x)
		if math.Abs(x-r) > 1e-9*math.Max(1, x) {
			r = math.Ceil(x)
		}
		return s[clamp(int(r), 1, n)-1]
	case Linear:
		h := float64(n-1) * p
		j := int(h)
		if j >= n-1 {
			return s[n-1]
		}
		return s[j] + (h-float64(j))*(s[j+1]-s[j])
	case Exclusive:
		h := float64(n+1) * p
		j := clamp(int(h), 1, n-1)
		return s[j-1] + (h-float64(j))*(s[j]-s[j-1])
	}
	panic(fmt.Sprintf("stats: unknown %v", m))
}

// Quantiles returns the n-1 cut points dividing xs into n groups of equal
// probability, as Python's statistics.quantiles(xs, n=n, method=...) does
// for Linear ("inclusive") and Exclusive. Cut i is the i/n quantile,
// computed in exact integer arithmetic so that it matches Python to the
// last bit. Empty xs gives n-1 NaNs; n < 1 panics, as Python raises.
func Quantiles(xs []float64, n int, m Method) []float64 {
	if n < 1 {
		panic(fmt.Sprintf("stats: Quantiles with n = %d, want n >= 1", n))
	}
	out := make([]float64, n-1)
	if len(xs) == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	s := sorted(xs)
	ld := len(s)
	if ld == 1 {
		for i := range out {
			out[i] = s[0]
		}
		return out
	}
	for k := range out {
		i := k + 1
		switch m {
		case NearestRank:
			out[k] = s[(i*ld+n-1)/n-1] // ceil(i*ld/n), never 0 for i >= 1
		case Linear: // Python's "inclusive" branch
			mm := ld - 1
			j := i * mm / n
			delta := i*mm - j*n
			out[k] = (s[j]*float64(n-delta) + s[j+1]*float64(delta)) / float64(n)
		case Exclusive:
			mm := ld + 1
			j := clamp(i*mm/n, 1, ld-1)
			delta := i*mm - j*n
			out[k] = (s[j-1]*float64(n-delta) + s[j]*float64(delta)) / float64(n)
		default:
			panic(fmt.Sprintf("stats: unknown %v", m))
		}
	}
	return out
}

// sorted returns a sorted copy, so that callers' slices stay untouched.
func sorted(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
