package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMcNemarExactBinomial(t *testing.T) {
	// Exact binomial(n, 1/2) tails, worked by hand:
	//   n=10, k=1: (C(10,0)+C(10,1))/1024 = 11/1024, two-sided 22/1024;
	//   n=6,  k=0: 1/64, two-sided 2/64;
	//   n=12, k=2: (1+12+66)/4096 = 79/4096, two-sided 158/4096;
	//   n=20, k=5: (1+20+190+1140+4845+15504)/2^20 = 21700/1048576, ×2;
	//   n=1,  k=0: 2 × 1/2 = 1; n=5, k=2: (1+5+10)/32 ×2 = 1.
	tests := []struct {
		name string
		b, c int
		want float64
	}{
		{"no discordant pairs", 0, 0, 1},
		{"one flip", 1, 0, 1},
		{"9 to 1", 9, 1, 22.0 / 1024},
		{"1 to 9, symmetric", 1, 9, 22.0 / 1024},
		{"6 to 0", 6, 0, 2.0 / 64},
		{"10 to 2", 10, 2, 158.0 / 4096},
		{"15 to 5", 15, 5, 2 * 21700.0 / 1048576},
		{"3 to 2, capped at 1", 3, 2, 1},
		{"10 to 0", 10, 0, 2.0 / 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := McNemar(tt.b, tt.c)
			assert.InDelta(t, tt.want, got, 1e-12, "McNemar(%d, %d) = %v, want %v", tt.b, tt.c, got, tt.want)
		})
	}
	// The textbook threshold: 6 discordant pairs all one way is the
	// fewest to reach p < 0.05; 5 is not enough (2/32 = 0.0625).
	assert.Less(t, McNemar(6, 0), 0.05)
	assert.Greater(t, McNemar(5, 0), 0.05)
	// Large n stays finite and symmetric.
	p := McNemar(2000, 1900)
	assert.Greater(t, p, 0.0)
	assert.Less(t, p, 1.0)
	assert.InDelta(t, p, McNemar(1900, 2000), 1e-12)
}
