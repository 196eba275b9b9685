package pyval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLiteral(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "None"},
		{"true", true, "True"},
		{"false", false, "False"},
		{"int", 5, "5"},
		{"negative int", -6, "-6"},
		{"float keeps its point", 3.0, "3.0"},
		{"float", 2.5, "2.5"},
		{"small float", 1e-9, "1e-09"},
		{"inf", math.Inf(1), "inf"},
		{"nan", math.NaN(), "nan"},
		{"string", "he said \"hi\"\n", `"he said \"hi\"\n"`},
		{"unicode", "héllo", `"héllo"`},
		{"list", []any{1, "a", nil}, `[1, "a", None]`},
		{"typed slice", []int{1, 2}, "[1, 2]"},
		{"tuple", Tuple{1, 5}, "(1, 5)"},
		{"one-tuple", Tuple{1}, "(1,)"},
		{"empty tuple", Tuple{}, "()"},
		{"nested", []any{Tuple{1, 2.0}, []any{}}, "[(1, 2.0), []]"},
		{"dict sorted", map[string]any{"b": 1, "a": []any{true}}, `{"a": [True], "b": 1}`},
		{"pointer", new(int), "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Literal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLiteralRejects(t *testing.T) {
	_, err := Literal(make(chan int))
	assert.ErrorContains(t, err, "chan int")
}

func TestArgs(t *testing.T) {
	got, err := Args([]any{2, 3})
	require.NoError(t, err)
	assert.Equal(t, "[2, 3]", got)
}
