package stats

import "math"

// Summary describes a sample. Std is the sample standard deviation (n-1
// denominator, as Python's statistics.stdev and the lift-sys harness), 0
// for fewer than two values. Median is the true median; the P fields use
// the Method the Summary was made with, Linear for [Describe].
type Summary struct {
	N                  int
	Mean, Median, Std  float64
	Min, Max           float64
	P50, P90, P95, P99 float64
}

// Describe summarizes xs with Linear percentiles. Empty xs gives the
// zero Summary.
func Describe(xs []float64) Summary { return DescribeWith(xs, Linear) }

// DescribeWith summarizes xs with percentiles under method m; use
// Exclusive to reproduce lift-sys's P95/P99. Empty xs gives the zero Summary.
func DescribeWith(xs []float64, m Method) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := sorted(xs)
	return Summary{
		N:      len(s),
		Mean:   Mean(s),
		Median: median(s),
		Std:    StdDev(s),
		Min:    s[0],
		Max:    s[len(s)-1],
		P50:    Quantile(s, 0.50, m),
		P90:    Quantile(s, 0.90, m),
		P95:    Quantile(s, 0.95, m),
		P99:    Quantile(s, 0.99, m),
	}
}

// Mean is the arithmetic mean, NaN for empty xs. It sums with Neumaier's
// compensation so that long runs of similar latencies lose no digits.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return Sum(xs) / float64(len(xs))
}

// Sum is the sum of xs with Neumaier's compensation, 0 for empty xs.
func Sum(xs []float64) float64 {
	var s, c float64
	for _, x := range xs {
		t := s + x
		if math.Abs(s) >= math.Abs(x) {
			c += (s - t) + x
		} else {
			c += (x - t) + s
		}
		s = t
	}
	return s + c
}

// Median is the middle value, or the mean of the two middle values for an
// even count (Python's statistics.median); NaN for empty xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return median(sorted(xs))
}

// StdDev is the sample standard deviation (n-1 denominator), 0 for fewer
// than two values: one observation shows no spread.
func StdDev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	mean := Mean(xs)
	// Two passes: subtracting the mean first avoids the cancellation of
	// sum(x^2) - n*mean^2 on latencies in the tens of thousands.
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = (x - mean) * (x - mean)
	}
	return math.Sqrt(Sum(dev) / float64(len(xs)-1))
}

func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
