package jsonscan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var seeds = []string{`"plain"`, `"a\"b\\c\/d\n\t\r\b\f"`, `"\u00e9"`, `"\ud800"`, "\"caf\xc3\xa9\"", "\"\xff\"", `"\x"`, `"abc`, `"a` + "\n" + `b"`, `12`, `-0.5e+3`, `01`, `1.`, `-`, `[1,{"a":[true,false,null]}]`, `{"a":}`, `nul`}

// String, Int, Float and Value decide as json.Unmarshal and json.Valid do
// on the value at the start of data.
func FuzzScanner(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}

func check(t *testing.T, data []byte) {
	s := Scanner{B: data}
	if v, ok := s.String(); ok {
		var want string
		require.NoError(t, json.Unmarshal(data[:s.I], &want), "%q", data)
		assert.Equal(t, want, v, "%q", data)
	}
	s = Scanner{B: data}
	if v, ok := s.Int(); ok {
		var want int
		require.NoError(t, json.Unmarshal(data[:s.I], &want), "%q", data)
		assert.Equal(t, want, v, "%q", data)
	}
	s = Scanner{B: data}
	if v, ok := s.Float(); ok {
		var want float64
		require.NoError(t, json.Unmarshal(data[:s.I], &want), "%q", data)
		assert.Equal(t, want, v, "%q", data)
	}
	s = Scanner{B: data}
	v, ok := s.Value()
	if s.End() {
		assert.Equal(t, json.Valid(data), ok, "%q", data)
	}
	if ok {
		assert.True(t, json.Valid(v), "%q", data)
	}
}

func TestScanner(t *testing.T) {
	for _, s := range seeds {
		check(t, []byte(s))
	}
	s := Scanner{B: []byte(`"a\"b\n"`)}
	v, ok := s.String()
	assert.True(t, ok)
	assert.Equal(t, "a\"b\n", v)
	assert.True(t, Folds([]byte("Text"), "ir_json", "text"))
	assert.False(t, Folds([]byte("text"), "ir_json", "text"))
}
