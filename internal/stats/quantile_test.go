package stats

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// oneToTen is 1..10 shuffled, so that every test also checks the sort.
var oneToTen = []float64{7, 3, 10, 1, 5, 9, 2, 8, 4, 6}

// baselineE2E is lift-sys's 2025-10-22 baseline (32B, simple suite), ms.
var baselineE2E = []float64{14630, 12850, 11350, 13850, 13290}

const tol = 1e-9

// The expected values were computed with CPython 3.11.7's statistics
// module (quantiles, median, stdev) and by hand for nearest-rank.
func TestQuantile(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		p    float64
		m    Method
		want float64
	}{
		{"linear 1..10 p50", oneToTen, 0.50, Linear, 5.5},
		{"linear 1..10 p90", oneToTen, 0.90, Linear, 9.1},
		{"linear 1..10 p95", oneToTen, 0.95, Linear, 9.55},
		{"linear 1..10 p99", oneToTen, 0.99, Linear, 9.91},
		{"linear 1..10 p0 is the min", oneToTen, 0, Linear, 1},
		{"linear 1..10 p100 is the max", oneToTen, 1, Linear, 10},
		{"linear baseline p90", baselineE2E, 0.90, Linear, 14318},
		{"linear baseline p99", baselineE2E, 0.99, Linear, 14598.8},
		// Python: statistics.quantiles(range(1, 11), n=20)[18] == 10.45,
		// beyond the max: Python extrapolates, R-6 proper would clamp.
		{"exclusive 1..10 p95 extrapolates like Python", oneToTen, 0.95, Exclusive, 10.45},
		{"exclusive 1..10 p99 (n=100 cut 98)", oneToTen, 0.99, Exclusive, 10.89},
		{"exclusive 1..10 p25", oneToTen, 0.25, Exclusive, 2.75},
		{"exclusive 1..10 p50 is the median", oneToTen, 0.5, Exclusive, 5.5},
		{"exclusive 1..10 p5 extrapolates below the min", oneToTen, 0.05, Exclusive, 0.55},
		{"exclusive baseline p95", baselineE2E, 0.95, Exclusive, 15176},
		{"exclusive baseline p99", baselineE2E, 0.99, Exclusive, 15363.2},
		{"nearest-rank 1..10 p0 is the min", oneToTen, 0, NearestRank, 1},
		{"nearest-rank 1..10 p10", oneToTen, 0.10, NearestRank, 1},
		{"nearest-rank 1..10 p25", oneToTen, 0.25, NearestRank, 3},
		{"nearest-rank 1..10 p50 is the lower median", oneToTen, 0.50, NearestRank, 5},
		{"nearest-rank 1..10 p70 (0.7*10 is 7.000000000000001)", oneToTen, 0.70, NearestRank, 7},
		{"nearest-rank 1..10 p90", oneToTen, 0.90, NearestRank, 9},
		{"nearest-rank 1..10 p95", oneToTen, 0.95, NearestRank, 10},
		{"nearest-rank textbook 15,20,35,40,50 p40", []float64{15, 20, 35, 40, 50}, 0.40, NearestRank, 20},
		{"nearest-rank textbook p30", []float64{15, 20, 35, 40, 50}, 0.30, NearestRank, 20},
		{"n=1 nearest-rank", []float64{42}, 0.99, NearestRank, 42},
		{"n=1 linear", []float64{42}, 0.99, Linear, 42},
		{"n=1 exclusive", []float64{42}, 0.99, Exclusive, 42},
		{"n=2 exclusive p25 (Python 0.75)", []float64{2, 1}, 0.25, Exclusive, 0.75},
		{"n=2 linear p25 (Python inclusive 1.25)", []float64{2, 1}, 0.25, Linear, 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			if got := Quantile(tt.xs, tt.p, tt.m); math.Abs(got-tt.want) > tol {
				t.Errorf("Quantile(%v, %v, %v) = %v, want %v", tt.xs, tt.p, tt.m, got, tt.want)
			}
			if !slices.Equal(in, tt.xs) {
				t.Errorf("Quantile modified its input: got %v, want %v", tt.xs, in)
			}
		})
	}
}

func TestQuantileUndefined(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		p    float64
	}{
		{"empty", nil, 0.5},
		{"p below 0", oneToTen, -0.1},
		{"p above 1", oneToTen, 1.1},
		{"p NaN", oneToTen, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range []Method{NearestRank, Linear, Exclusive} {
				if got := Quantile(tt.xs, tt.p, m); !math.IsNaN(got) {
					t.Errorf("Quantile(%v, %v, %v) = %v, want NaN", tt.xs, tt.p, m, got)
				}
			}
		})
	}
}

// Quantiles must reproduce Python's statistics.quantiles exactly.
func TestQuantiles(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		n    int
		m    Method
		want []float64
	}{
		{"exclusive 1..10 n=20 (Python default)", oneToTen, 20, Exclusive, []float64{
			0.55, 1.1, 1.65, 2.2, 2.75, 3.3, 3.85, 4.4, 4.95, 5.5,
			6.05, 6.6, 7.15, 7.7, 8.25, 8.8, 9.35, 9.9, 10.45}},
		{"exclusive 1..10 quartiles", oneToTen, 4, Exclusive, []float64{2.75, 5.5, 8.25}},
		{"inclusive 1..10 quartiles", oneToTen, 4, Linear, []float64{3.25, 5.5, 7.75}},
		{"exclusive 3 values quartiles", []float64{3, 1, 2}, 4, Exclusive, []float64{1, 2, 3}},
		{"exclusive 2 values quartiles", []float64{2, 1}, 4, Exclusive, []float64{0.75, 1.5, 2.25}},
		{"inclusive 2 values quartiles", []float64{2, 1}, 4, Linear, []float64{1.25, 1.5, 1.75}},
		{"nearest-rank 1..10 quartiles", oneToTen, 4, NearestRank, []float64{3, 5, 8}},
		{"nearest-rank 1..10 n=20", oneToTen, 20, NearestRank, []float64{
			1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10}},
		{"n=1 gives no cut", oneToTen, 1, Exclusive, []float64{}},
		{"one value repeats it", []float64{7}, 4, Exclusive, []float64{7, 7, 7}},
		{"empty gives NaNs", nil, 4, Linear, []float64{math.NaN(), math.NaN(), math.NaN()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Quantiles(tt.xs, tt.n, tt.m)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, tol), cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("Quantiles(%v, %d, %v) mismatch (-want +got):\n%s", tt.xs, tt.n, tt.m, diff)
			}
		})
	}
}

// The two entry points agree: cut i of Quantiles is Quantile at i/n.
func TestQuantilesAgreeWithQuantile(t *testing.T) {
	for _, m := range []Method{NearestRank, Linear, Exclusive} {
		t.Run(m.String(), func(t *testing.T) {
			for _, n := range []int{4, 10, 20, 100} {
				for i, got := range Quantiles(oneToTen, n, m) {
					p := float64(i+1) / float64(n)
					if want := Quantile(oneToTen, p, m); math.Abs(got-want) > tol {
						t.Errorf("Quantiles(1..10, %d)[%d] = %v, Quantile(p=%v) = %v", n, i, got, p, want)
					}
				}
			}
		})
	}
}

func TestQuantilesPanicsOnNBelowOne(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Quantiles(xs, 0, Linear) did not panic")
		}
	}()
	Quantiles(oneToTen, 0, Linear)
}
