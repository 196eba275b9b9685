package compare

import "math"

// McNemar is the two-sided exact McNemar test on b and c, the discordant
// pairs: the probability, under no change (each discordant pair is b or c
// with probability 1/2), of a split at least as uneven as min(b, c) of
// b+c. It is 1 when there are no discordant pairs.
func McNemar(b, c int) float64 {
	n := b + c
	if n == 0 {
		return 1
	}
	k := min(b, c)
	// P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so that n in
	// the thousands neither overflows nor underflows term by term.
	tail := 0.0
	for i := 0; i <= k; i++ {
		tail += math.Exp(logChoose(n, i) - float64(n)*math.Ln2)
	}
	return math.Min(1, 2*tail)
}

func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
