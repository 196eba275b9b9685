package cost

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOfMatchesTheSeed(t *testing.T) {
	p, err := Lookup("original")
	require.NoError(t, err)
	// The seed's add_numbers run: 14.63 s at 0.60 USD/h gave 0.002538 USD.
	assert.InDelta(t, 0.002538, p.Of(14630*time.Millisecond), 5e-7)
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in      string
		perHour float64
	}{
		{"A10G", 1.10}, {"a100-80gb", 4.00}, {"H100", 4.00}, {"original", 0.60}, {"2.5", 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Lookup(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.perHour, p.PerHour)
			assert.Equal(t, DefaultPerRequest, p.PerRequest)
		})
	}
	_, err := Lookup("TPU")
	assert.ErrorContains(t, err, "A100-80GB, A10G, H100, original")
}
