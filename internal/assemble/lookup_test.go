package assemble

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefinedFunctions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{name: "empty source", src: "", want: nil},
		{name: "one function", src: "def add(a, b):\n    return a + b", want: []string{"add"}},
		{
			name: "helpers first, in order",
			src:  "import re\n\ndef _clean(s):\n    return s\n\n\ndef count_words(text: str) -> int:\n    return 0\n",
			want: []string{"_clean", "count_words"},
		},
		{name: "async def", src: "async def fetch():\n    pass\n", want: []string{"fetch"}},
		{
			name: "nested and method definitions are not module level",
			src:  "class A:\n    def method(self):\n        def inner():\n            pass\n\ndef top():\n    pass\n",
			want: []string{"top"},
		},
		{
			name: "def inside a string or comment is ignored",
			src:  "TEXT = \"\"\"\ndef fake():\n\"\"\"\n# def commented():\ndef real():\n    pass\n",
			want: []string{"real"},
		},
		{name: "a redefinition is listed once", src: "def f():\n    pass\ndef g():\n    pass\ndef f():\n    pass\n", want: []string{"f", "g"}},
		{name: "CRLF line endings", src: "def win():\r\n    pass\r\n", want: []string{"win"}},
		{name: "defaults is not def", src: "defaults = {}\n", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, DefinedFunctions(tc.src))
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		defined []string
		want    string
		got     string
		how     Match
		err     error
		msg     string
	}{
		{name: "exact among several", defined: []string{"_helper", "multiply"}, want: "multiply", got: "multiply", how: MatchExact},
		{name: "exact beats contains", defined: []string{"multiply_numbers", "multiply"}, want: "multiply", got: "multiply", how: MatchExact},
		{name: "single function, other name", defined: []string{"multiply_numbers"}, want: "multiply", got: "multiply_numbers", how: MatchSingle},
		{name: "single function, unrelated name", defined: []string{"get_max"}, want: "max_of_two", got: "get_max", how: MatchSingle},
		{name: "first that contains", defined: []string{"_clean", "multiply_numbers", "multiply_all"}, want: "multiply", got: "multiply_numbers", how: MatchContains},
		{
			name: "ambiguous", defined: []string{"add", "sub"}, want: "multiply",
			err: ErrAmbiguous, msg: `function ambiguous: "multiply" is none of 2 functions (available: add, sub)`,
		},
		{name: "missing", defined: nil, want: "multiply", err: ErrMissing, msg: `function missing: "multiply" (available: none)`},
		{name: "empty want with several", defined: []string{"a", "b"}, want: "", err: ErrMissing, msg: "available: a, b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, how, err := Lookup(tc.defined, tc.want)
			if tc.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tc.err)
				assert.Contains(t, err.Error(), tc.msg)
				assert.Empty(t, got)
				assert.Empty(t, how)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.got, got)
			assert.Equal(t, tc.how, how)
		})
	}
}
