package stats

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

func TestPassAtK(t *testing.T) {
	tests := []struct {
		name    string
		n, c, k int
		want    float64
	}{
		{"pass@1 is c/n", 10, 3, 1, 0.3},
		{"pass@5 is 1-C(7,5)/C(10,5)", 10, 3, 5, 1 - 21.0/252},
		{"pass@10 with any success is 1", 10, 3, 10, 1},
		{"no success is 0", 10, 0, 1, 0},
		{"no success at k=10 is 0", 10, 0, 10, 0},
		{"all passed", 5, 5, 5, 1},
		{"one of ten at k=5", 10, 1, 5, 0.5},
		{"k=n with one failure", 5, 4, 5, 1},
		{"a single sample", 1, 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PassAtK(tt.n, tt.c, tt.k)
			if err != nil {
				t.Fatalf("PassAtK(%d, %d, %d): %v", tt.n, tt.c, tt.k, err)
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("PassAtK(%d, %d, %d) = %v, want %v", tt.n, tt.c, tt.k, got, tt.want)
			}
		})
	}
}

// The product form agrees with the binomial definition where both fit.
func TestPassAtKMatchesBinomials(t *testing.T) {
	for n := 1; n <= 30; n++ {
		for c := 0; c <= n; c++ {
			for k := 1; k <= n; k++ {
				got, err := PassAtK(n, c, k)
				if err != nil {
					t.Fatalf("PassAtK(%d, %d, %d): %v", n, c, k, err)
				}
				ratio, _ := new(big.Rat).SetFrac(
					new(big.Int).Binomial(int64(n-c), int64(k)),
					new(big.Int).Binomial(int64(n), int64(k))).Float64()
				if n-c < k {
					ratio = 0
				}
				if want := 1 - ratio; math.Abs(got-want) > 1e-12 {
					t.Errorf("PassAtK(%d, %d, %d) = %v, want %v", n, c, k, got, want)
				}
			}
		}
	}
}

func TestPassAtKUndefined(t *testing.T) {
	tests := []struct {
		name    string
		n, c, k int
	}{
		{"k above n", 5, 2, 10},
		{"k zero", 5, 2, 0},
		{"c above n", 5, 6, 1},
		{"c negative", 5, -1, 1},
		{"no samples", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PassAtK(tt.n, tt.c, tt.k)
			if !errors.Is(err, ErrUndefined) {
				t.Errorf("PassAtK(%d, %d, %d) error = %v, want ErrUndefined", tt.n, tt.c, tt.k, err)
			}
		})
	}
}

func TestMeanPassAtK(t *testing.T) {
	t.Run("average over problems", func(t *testing.T) {
		got, err := MeanPassAtK([]int{10, 10}, []int{3, 0}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := 0.15; math.Abs(got-want) > 1e-12 {
			t.Errorf("MeanPassAtK = %v, want %v", got, want)
		}
	})
	t.Run("an undefined problem is the error", func(t *testing.T) {
		if _, err := MeanPassAtK([]int{10, 3}, []int{3, 1}, 5); !errors.Is(err, ErrUndefined) {
			t.Errorf("error = %v, want ErrUndefined", err)
		}
	})
	t.Run("no problems", func(t *testing.T) {
		if _, err := MeanPassAtK(nil, nil, 1); !errors.Is(err, ErrUndefined) {
			t.Errorf("error = %v, want ErrUndefined", err)
		}
	})
	t.Run("length mismatch", func(t *testing.T) {
		if _, err := MeanPassAtK([]int{10}, []int{1, 2}, 1); err == nil {
			t.Error("MeanPassAtK with mismatched lengths: got nil error")
		}
	})
}

func TestPassHatK(t *testing.T) {
	tests := []struct {
		name    string
		n, c, k int
		want    float64
	}{
		{"all pass", 10, 10, 5, 1},
		{"none pass", 10, 0, 1, 0},
		{"k=1 is the pass rate", 10, 9, 1, 0.9},
		{"9 of 10, k=5", 10, 9, 5, 0.5},       // C(9,5)/C(10,5) = 126/252
		{"5 of 10, k=2", 10, 5, 2, 20.0 / 90}, // C(5,2)/C(10,2) = 10/45
		{"fewer passes than k", 10, 3, 5, 0},
		{"19 of 20, k=10", 20, 19, 10, 0.5}, // C(19,10)/C(20,10) = 10/20
		{"4 of 5, k=3", 5, 4, 3, 0.4},       // C(4,3)/C(5,3) = 4/10
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PassHatK(tt.n, tt.c, tt.k)
			if err != nil || math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("PassHatK(%d, %d, %d) = %v, %v; want %v", tt.n, tt.c, tt.k, got, err, tt.want)
			}
			at, _ := PassAtK(tt.n, tt.c, tt.k)
			if got > at+1e-12 {
				t.Errorf("pass^k %v > pass@k %v for n=%d c=%d k=%d", got, at, tt.n, tt.c, tt.k)
			}
		})
	}
	if _, err := PassHatK(3, 1, 4); !errors.Is(err, ErrUndefined) {
		t.Errorf("k > n: err = %v, want ErrUndefined", err)
	}
	m, err := MeanPassHatK([]int{10, 10}, []int{10, 9}, 5)
	if err != nil || math.Abs(m-0.75) > 1e-12 {
		t.Errorf("MeanPassHatK = %v, %v; want 0.75", m, err)
	}
}
