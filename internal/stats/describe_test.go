package stats

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		m    Method
		want Summary
	}{
		// statistics.stdev(baseline) == 1226.8170197710822.
		{"baseline E2E, linear", baselineE2E, Linear, Summary{
			N: 5, Mean: 13194, Median: 13290, Std: 1226.8170197710822, Min: 11350, Max: 14630,
			P50: 13290, P90: 14318, P95: 14474, P99: 14598.8}},
		{"baseline E2E, exclusive as lift-sys", baselineE2E, Exclusive, Summary{
			N: 5, Mean: 13194, Median: 13290, Std: 1226.8170197710822, Min: 11350, Max: 14630,
			P50: 13290, P90: 14942, P95: 15176, P99: 15363.2}},
		{"1..10 nearest-rank keeps the true median", oneToTen, NearestRank, Summary{
			N: 10, Mean: 5.5, Median: 5.5, Std: 3.0276503540974917, Min: 1, Max: 10,
			P50: 5, P90: 9, P95: 10, P99: 10}},
		{"n=1 has no spread", []float64{42}, Linear, Summary{
			N: 1, Mean: 42, Median: 42, Min: 42, Max: 42, P50: 42, P90: 42, P95: 42, P99: 42}},
		{"empty is the zero Summary", nil, Linear, Summary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			got := DescribeWith(tt.xs, tt.m)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("DescribeWith(%v, %v) mismatch (-want +got):\n%s", tt.xs, tt.m, diff)
			}
			if !slices.Equal(in, tt.xs) {
				t.Errorf("DescribeWith modified its input: got %v, want %v", tt.xs, in)
			}
		})
	}
	t.Run("Describe is linear", func(t *testing.T) {
		if got, want := Describe(baselineE2E), DescribeWith(baselineE2E, Linear); got != want {
			t.Errorf("Describe = %+v, want %+v", got, want)
		}
	})
}

func TestMeanMedianStdDev(t *testing.T) {
	tests := []struct {
		name              string
		xs                []float64
		mean, median, std float64
	}{
		{"baseline E2E", baselineE2E, 13194, 13290, 1226.8170197710822},
		{"baseline stage 1", []float64{8850, 8890, 6920, 9100, 7640}, 8280, 8850, 952.4442240887389},
		{"baseline stage 2", []float64{5780, 3960, 4430, 4750, 5650}, 4914, 4750, 784.6846500346493},
		{"even count median", []float64{4, 1, 3, 2}, 2.5, 2.5, 1.2909944487358056},
		{"one value", []float64{3}, 3, 3, 0},
		{"empty", nil, math.NaN(), math.NaN(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(fn string, got, want float64) {
				t.Helper()
				if !(math.Abs(got-want) <= 1e-9 || math.IsNaN(got) && math.IsNaN(want)) {
					t.Errorf("%s(%v) = %v, want %v", fn, tt.xs, got, want)
				}
			}
			check("Mean", Mean(tt.xs), tt.mean)
			check("Median", Median(tt.xs), tt.median)
			check("StdDev", StdDev(tt.xs), tt.std)
		})
	}
}

// Compensated summation keeps a mean of many equal values exact.
func TestMeanCompensated(t *testing.T) {
	xs := make([]float64, 1_000_000)
	for i := range xs {
		xs[i] = 0.1
	}
	if got := Mean(xs); got != 0.1 {
		t.Errorf("Mean(1e6 x 0.1) = %v, want 0.1", got)
	}
}
