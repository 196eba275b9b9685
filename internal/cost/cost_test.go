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

func TestTokenPrice(t *testing.T) {
	p, err := Lookup("tokens:0.15/0.60")
	require.NoError(t, err)
	assert.True(t, p.TokenPriced())
	// 1000 input tokens at 0.15 USD/M and 500 output at 0.60 USD/M:
	// 0.00015 + 0.0003 USD.
	assert.InDelta(t, 0.00045, p.Tokens(1000, 500), 1e-15)
	assert.Equal(t, "tokens (0.15 USD/M input + 0.6 USD/M output tokens)", p.String())
	for _, bad := range []string{"tokens:", "tokens:1", "tokens:-1/2", "tokens:0/0", "tokens:a/b", "tokens:1/inf"} {
		_, err := Lookup(bad)
		assert.Error(t, err, bad)
	}
	g, _ := Lookup("original")
	assert.False(t, g.TokenPriced())
	assert.InDelta(t, 0.6, g.Time(time.Hour), 1e-12)
	assert.InDelta(t, g.Of(time.Minute), g.Time(time.Minute)+g.PerRequest, 1e-15)
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
