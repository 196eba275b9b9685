package load

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPercentileNearestRank(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		// The textbook vector: 15, 20, 35, 40, 50.
		{"p5", ms(15, 20, 35, 40, 50), 5, 15 * time.Millisecond},
		{"p30", ms(15, 20, 35, 40, 50), 30, 20 * time.Millisecond},
		{"p40", ms(15, 20, 35, 40, 50), 40, 20 * time.Millisecond},
		{"p50", ms(15, 20, 35, 40, 50), 50, 35 * time.Millisecond},
		{"p100", ms(15, 20, 35, 40, 50), 100, 50 * time.Millisecond},
		{"1..100 p50", ms(hundred...), 50, 50 * time.Millisecond},
		{"1..100 p90", ms(hundred...), 90, 90 * time.Millisecond},
		{"1..100 p99", ms(hundred...), 99, 99 * time.Millisecond},
		{"1..100 p29 (float rank)", ms(hundred...), 29, 29 * time.Millisecond},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"empty", nil, 50, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Percentile(tt.sorted, tt.p), tt.name)
	}
}

func TestNewDist(t *testing.T) {
	d := NewDist([]time.Duration{4, 1, 3, 2})
	assert.Equal(t, Dist{N: 4, Mean: 2, P50: 2, P90: 4, P99: 4, Max: 4}, d)
	assert.Equal(t, Dist{}, NewDist(nil))
}

// Past its cap a series keeps a bounded reservoir, with exact N, mean, max.
func TestSeriesReservoirBounded(t *testing.T) {
	s := series{cap: 100, rng: rand.New(rand.NewPCG(1, 2))}
	for i := 1; i <= 10_000; i++ {
		s.add(time.Duration(i))
	}
	assert.Len(t, s.kept, 100)
	d := merge([]*series{&s})
	assert.Equal(t, 10_000, d.N)
	assert.Equal(t, time.Duration(5000), d.Mean) // 50005000/10000, truncated
	assert.Equal(t, time.Duration(10_000), d.Max)
	assert.InDelta(t, 5000, float64(d.P50), 1500, "a uniform sample's median")
}
