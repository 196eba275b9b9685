package load

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Dist summarises a distribution of durations. Mean and Max are exact;
// percentiles are nearest-rank (see Percentile).
type Dist struct {
	N                        int
	Mean, P50, P90, P99, Max time.Duration
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted: the value at 1-based rank ⌈p/100 × n⌉, so it is always one of the
// values (no interpolation). It returns 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// The small epsilon keeps p/100×n exact where floating point would push
	// an integral rank (e.g. 0.29 × 100) just above it.
	rank := int(math.Ceil(p/100*float64(n) - 1e-9))
	return sorted[min(max(rank, 1), n)-1]
}

// NewDist summarises values (in any order; it sorts a copy).
func NewDist(values []time.Duration) Dist {
	s := series{n: len(values), kept: slices.Clone(values)}
	for _, v := range values {
		s.sum += v
		s.max = max(s.max, v)
	}
	return merge([]*series{&s})
}

// maxSamples bounds the values kept per metric over all workers, so that
// a long run's memory stays bounded (8 MiB per metric).
const maxSamples = 1 << 20

// series accumulates one metric of one worker: exact count, sum and max,
// and up to cap values for the percentiles, a uniform reservoir sample
// (Vitter's algorithm R) once more have been seen.
type series struct {
	n    int
	sum  time.Duration
	max  time.Duration
	kept []time.Duration
	cap  int
	rng  *rand.Rand
}

func (s *series) add(d time.Duration) {
	s.n++
	s.sum += d
	s.max = max(s.max, d)
	if len(s.kept) < s.cap {
		s.kept = append(s.kept, d)
		return
	}
	if j := s.rng.IntN(s.n); j < s.cap {
		s.kept[j] = d
	}
}

// merge combines the workers' series of one metric.
func merge(ss []*series) Dist {
	var d Dist
	var sum time.Duration
	var all []time.Duration
	for _, s := range ss {
		d.N += s.n
		sum += s.sum
		d.Max = max(d.Max, s.max)
		all = append(all, s.kept...)
	}
	if d.N == 0 {
		return Dist{}
	}
	d.Mean = sum / time.Duration(d.N)
	slices.Sort(all)
	d.P50, d.P90, d.P99 = Percentile(all, 50), Percentile(all, 90), Percentile(all, 99)
	return d
}

// recorder is one worker's tally; only that worker writes it, so the hot
// path takes no lock.
type recorder struct {
	completed, failed, good  int
	firstErr                 error
	firstErrAt               time.Time
	latency, lag, ttft, tpot series
}

// newRecorder sizes each metric's reservoir for one of workers workers.
func newRecorder(workers int, seed uint64) *recorder {
	c := max(1024, maxSamples/max(workers, 1))
	rng := rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d))
	mk := func() series { return series{cap: c, rng: rng} }
	return &recorder{latency: mk(), lag: mk(), ttft: mk(), tpot: mk()}
}

func (rec *recorder) add(s *Sample, slo SLO) {
	rec.latency.add(s.Latency)
	rec.lag.add(s.Sent.Sub(s.Start))
	if !s.OK {
		rec.failed++
		if rec.firstErr == nil {
			rec.firstErr, rec.firstErrAt = s.Err, s.Sent
		}
		return
	}
	rec.completed++
	if s.TTFT > 0 {
		rec.ttft.add(s.TTFT)
	}
	if s.TPOT > 0 {
		rec.tpot.add(s.TPOT)
	}
	if slo.met(s) {
		rec.good++
	}
}

// met says whether a completed request meets every objective. A request
// that did not stream (TTFT 0) got its first token with the whole answer,
// so its TTFT is its latency; its TPOT is not measured and not checked.
func (slo SLO) met(s *Sample) bool {
	ttft := s.TTFT
	if ttft == 0 {
		ttft = s.Latency
	}
	return (slo.E2E == 0 || s.Latency <= slo.E2E) &&
		(slo.TTFT == 0 || ttft <= slo.TTFT) &&
		(slo.TPOT == 0 || s.TPOT <= slo.TPOT)
}
