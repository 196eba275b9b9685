package stats

import (
	"math"
	"slices"
	"testing"
)

// Reference values: Python's statistics.NormalDist().inv_cdf.
func TestNormalQuantile(t *testing.T) {
	tests := []struct {
		name string
		p    float64
		want float64
	}{
		{"95 % two-sided", 0.975, 1.9599639845400536},
		{"99 % two-sided", 0.995, 2.5758293035489},
		{"90 % two-sided", 0.95, 1.6448536269514715},
		{"median", 0.5, 0},
		{"lower tail region", 0.025, -1.9599639845400536},
		{"far tail", 1e-10, -6.361340902404056},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalQuantile(tt.p); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("NormalQuantile(%v) = %.12f, want %.12f", tt.p, got, tt.want)
			}
		})
	}
	t.Run("z for level 0.95", func(t *testing.T) {
		if got, want := zFor(0.95), 1.959963985; math.Abs(got-want) > 1e-9 {
			t.Errorf("zFor(0.95) = %.10f, want %.10f", got, want)
		}
	})
	t.Run("outside (0, 1)", func(t *testing.T) {
		if got := NormalQuantile(0); !math.IsInf(got, -1) {
			t.Errorf("NormalQuantile(0) = %v, want -Inf", got)
		}
		if got := NormalQuantile(1); !math.IsInf(got, 1) {
			t.Errorf("NormalQuantile(1) = %v, want +Inf", got)
		}
		if got := NormalQuantile(1.5); !math.IsNaN(got) {
			t.Errorf("NormalQuantile(1.5) = %v, want NaN", got)
		}
	})
}

// Reference values: the Wilson formula evaluated in Python with
// NormalDist().inv_cdf(0.975).
func TestWilson(t *testing.T) {
	tests := []struct {
		name     string
		s, n     int
		level    float64
		wlo, whi float64
	}{
		{"all passed", 5, 5, 0.95, 0.5655175352168254, 1},
		{"none passed", 0, 10, 0.95, 0, 0.27753279986288915},
		{"81 of 263", 81, 263, 0.95, 0.2552885198782743, 0.3662095769828001},
		{"81 of 263 at 99 %", 81, 263, 0.99, 0.24013690268760773, 0.38528250231822986},
		{"3 of 10", 3, 10, 0.95, 0.10779126740630102, 0.6032218525388546},
		{"no trials knows nothing", 0, 0, 0.95, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := Wilson(tt.s, tt.n, tt.level)
			if math.Abs(lo-tt.wlo) > 1e-9 || math.Abs(hi-tt.whi) > 1e-9 {
				t.Errorf("Wilson(%d, %d, %v) = (%v, %v), want (%v, %v)", tt.s, tt.n, tt.level, lo, hi, tt.wlo, tt.whi)
			}
		})
	}
}

func TestBootstrapMeanCI(t *testing.T) {
	t.Run("deterministic for a seed", func(t *testing.T) {
		lo1, hi1 := BootstrapMeanCI(baselineE2E, 0.95, 2000, 1)
		lo2, hi2 := BootstrapMeanCI(baselineE2E, 0.95, 2000, 1)
		if lo1 != lo2 || hi1 != hi2 {
			t.Errorf("seed 1 gave (%v, %v), then (%v, %v)", lo1, hi1, lo2, hi2)
		}
		// Five values leave few distinct resample means, so two seeds
		// can land on the same cuts; 60 spread values cannot.
		xs := make([]float64, 60)
		for i := range xs {
			xs[i] = float64(i*i%97) + float64(i)/1000
		}
		lo1, hi1 = BootstrapMeanCI(xs, 0.95, 2000, 1)
		lo3, hi3 := BootstrapMeanCI(xs, 0.95, 2000, 2)
		if lo1 == lo3 && hi1 == hi3 {
			t.Errorf("seeds 1 and 2 both gave (%v, %v), want different draws", lo1, hi1)
		}
	})
	t.Run("contains the mean and stays in the data's range", func(t *testing.T) {
		in := slices.Clone(baselineE2E)
		lo, hi := BootstrapMeanCI(baselineE2E, 0.95, 2000, 1)
		if mean := Mean(baselineE2E); !(lo < mean && mean < hi) {
			t.Errorf("CI (%v, %v) does not contain the mean %v", lo, hi, mean)
		}
		if lo < 11350 || hi > 14630 {
			t.Errorf("CI (%v, %v) outside the data's range [11350, 14630]", lo, hi)
		}
		if !slices.Equal(in, baselineE2E) {
			t.Errorf("BootstrapMeanCI modified its input: got %v, want %v", baselineE2E, in)
		}
	})
	t.Run("wider at a higher level", func(t *testing.T) {
		lo95, hi95 := BootstrapMeanCI(baselineE2E, 0.95, 2000, 1)
		lo99, hi99 := BootstrapMeanCI(baselineE2E, 0.99, 2000, 1)
		if !(lo99 <= lo95 && hi95 <= hi99) {
			t.Errorf("99 %% CI (%v, %v) inside 95 %% CI (%v, %v)", lo99, hi99, lo95, hi95)
		}
	})
	t.Run("one value", func(t *testing.T) {
		if lo, hi := BootstrapMeanCI([]float64{7}, 0.95, 2000, 1); lo != 7 || hi != 7 {
			t.Errorf("BootstrapMeanCI([7]) = (%v, %v), want (7, 7)", lo, hi)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if lo, hi := BootstrapMeanCI(nil, 0.95, 2000, 1); !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("BootstrapMeanCI(nil) = (%v, %v), want (NaN, NaN)", lo, hi)
		}
	})
}
