package stats

import (
	"math"
	"math/rand/v2"
)

// Wilson returns the Wilson score interval for successes out of n trials at
// confidence level (0.95 for 95 %). Unlike the normal approximation it
// stays within [0, 1] and is not degenerate at 0/n or n/n, which is where
// small suites often land. n = 0 gives (0, 1): nothing is known.
func Wilson(successes, n int, level float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	z := zFor(level)
	nf := float64(n)
	p := float64(successes) / nf
	z2 := z * z
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	lo, hi = max(0, center-half), min(1, center+half)
	// At the extremes the bound is exact; rounding would otherwise leave
	// 2.8e-17 or 0.9999999999999999.
	if successes <= 0 {
		lo = 0
	}
	if successes >= n {
		hi = 1
	}
	return lo, hi
}

// BootstrapMeanCI returns a percentile bootstrap confidence interval for
// the mean of xs at level (0.95 for 95 %): the (1-level)/2 and
// 1-(1-level)/2 Linear quantiles of the means of resamples resamples drawn
// with replacement. The draws come from math/rand/v2's PCG seeded with
// (seed, seed), so an interval is reproducible from its seed. Fewer than
// two values give (mean, mean), NaN for none; resamples < 1 means 2000.
func BootstrapMeanCI(xs []float64, level float64, resamples int, seed uint64) (lo, hi float64) {
	if len(xs) < 2 {
		m := Mean(xs)
		return m, m
	}
	if resamples < 1 {
		resamples = 2000
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	n := len(xs)
	means := make([]float64, resamples)
	draw := make([]float64, n)
	for r := range means {
		for i := range draw {
			draw[i] = xs[rng.IntN(n)]
		}
		means[r] = Mean(draw)
	}
	tail := (1 - level) / 2
	return Quantile(means, tail, Linear), Quantile(means, 1-tail, Linear)
}

// zFor is the two-sided z score for a confidence level: 1.96 for 0.95.
func zFor(level float64) float64 { return NormalQuantile(1 - (1-level)/2) }

// NormalQuantile is the inverse of the standard normal CDF: the z with
// P(Z <= z) = p. NaN outside (0, 1) except ±Inf at 0 and 1. It uses
// Acklam's rational approximation (relative error 1.15e-9) refined by one
// Halley step against math.Erfc, which brings it to about 1e-15.
func NormalQuantile(p float64) float64 {
	switch {
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case !(p > 0 && p < 1):
		return math.NaN()
	}
	const (
		a1, a2, a3 = -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02
		a4, a5, a6 = 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
		b1, b2, b3 = -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02
		b4, b5     = 6.680131188771972e+01, -1.328068155288572e+01
		c1, c2, c3 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00
		c4, c5, c6 = -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
		d1, d2, d3 = 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00
		d4         = 3.754408661907416e+00
		pLow       = 0.02425
	)
	var x float64
	switch {
	case p < pLow:
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((c1*q+c2)*q+c3)*q+c4)*q+c5)*q + c6) / ((((d1*q+d2)*q+d3)*q+d4)*q + 1)
	case p <= 1-pLow:
		q := p - 0.5
		r := q * q
		x = (((((a1*r+a2)*r+a3)*r+a4)*r+a5)*r + a6) * q / (((((b1*r+b2)*r+b3)*r+b4)*r+b5)*r + 1)
	default:
		q := math.Sqrt(-2 * math.Log1p(-p))
		x = -(((((c1*q+c2)*q+c3)*q+c4)*q+c5)*q + c6) / ((((d1*q+d2)*q+d3)*q+d4)*q + 1)
	}
	// One Halley step on Phi(x) - p.
	e := 0.5*math.Erfc(-x/math.Sqrt2) - p
	u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
	return x - u/(1+x*u/2)
}
