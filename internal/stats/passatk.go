package stats

import (
	"errors"
	"fmt"
)

// ErrUndefined is wrapped by the errors of PassAtK and MeanPassAtK for
// arguments where pass@k has no value (k > n, c outside [0, n], ...).
var ErrUndefined = errors.New("stats: pass@k undefined")

// PassAtK is the unbiased estimator of Chen et al. (2021) for the chance
// that at least one of k samples passes, given c of n samples passed:
// 1 - C(n-c, k)/C(n, k), computed as 1 - prod_{i=n-c+1..n} (1 - k/i) so
// that no binomial coefficient overflows. It needs 1 <= k <= n and
// 0 <= c <= n.
func PassAtK(n, c, k int) (float64, error) {
	switch {
	case k < 1:
		return 0, fmt.Errorf("%w: k = %d, want k >= 1", ErrUndefined, k)
	case k > n:
		return 0, fmt.Errorf("%w: k = %d > n = %d samples", ErrUndefined, k, n)
	case c < 0 || c > n:
		return 0, fmt.Errorf("%w: c = %d correct of n = %d samples", ErrUndefined, c, n)
	}
	if n-c < k {
		return 1, nil // every k-subset holds a correct sample
	}
	prod := 1.0
	for i := n - c + 1; i <= n; i++ {
		prod *= 1 - float64(k)/float64(i)
	}
	return 1 - prod, nil
}

// MeanPassAtK averages PassAtK(ns[i], cs[i], k) over problems i, as the
// pass@k of a benchmark is reported. ns and cs must have the same, nonzero
// length; the first problem whose pass@k is undefined is the error.
func MeanPassAtK(ns, cs []int, k int) (float64, error) {
	if len(ns) != len(cs) {
		return 0, fmt.Errorf("stats: MeanPassAtK with %d sample counts but %d correct counts", len(ns), len(cs))
	}
	if len(ns) == 0 {
		return 0, fmt.Errorf("%w: no problems", ErrUndefined)
	}
	var total float64
	for i := range ns {
		v, err := PassAtK(ns[i], cs[i], k)
		if err != nil {
			return 0, fmt.Errorf("problem %d: %w", i, err)
		}
		total += v
	}
	return total / float64(len(ns)), nil
}

// PassHatK is pass^k: the chance that all k of k samples pass, given c of
// n samples passed, estimated without bias as C(c, k)/C(n, k) (computed
// as prod_{i<k} (c-i)/(n-i)). Where pass@k rewards one lucky sample,
// pass^k rewards reliability: a case that passes 9 of 10 times has pass@5
// 1 but pass^5 0.5. It needs 1 <= k <= n and 0 <= c <= n.
func PassHatK(n, c, k int) (float64, error) {
	if _, err := PassAtK(n, c, k); err != nil {
		return 0, err
	}
	p := 1.0
	for i := range k {
		p *= float64(c-i) / float64(n-i)
		if p <= 0 {
			return 0, nil
		}
	}
	return p, nil
}

// MeanPassHatK averages PassHatK over problems, as MeanPassAtK does.
func MeanPassHatK(ns, cs []int, k int) (float64, error) {
	if len(ns) != len(cs) || len(ns) == 0 {
		return 0, fmt.Errorf("%w: %d sample counts, %d correct counts", ErrUndefined, len(ns), len(cs))
	}
	var total float64
	for i := range ns {
		v, err := PassHatK(ns[i], cs[i], k)
		if err != nil {
			return 0, fmt.Errorf("problem %d: %w", i, err)
		}
		total += v
	}
	return total / float64(len(ns)), nil
}
