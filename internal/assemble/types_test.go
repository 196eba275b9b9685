package assemble

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lift-sys/lifttest/internal/ir"
)

func TestNormalizeType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"string", "str"},
		{"String", "str"},
		{"str", "str"},
		{"integer", "int"},
		{"int", "int"},
		{"boolean", "bool"},
		{"float", "float"},
		{"number", "float"},
		{"double", "float"},
		{"array", "list"},
		{"list", "list"},
		{"List", "list"},
		{"dictionary", "dict"},
		{"Dict", "dict"},
		{"any", "Any"},
		{"object", "Any"},
		{"Any", "Any"},
		{"none", "None"},
		{"null", "None"},
		{"void", "None"},
		{"tuple", "tuple"},
		{"set", "set"},
		{"bytes", "bytes"},
		{"", ""},
		{"  int  ", "int"},
		{"list[int]", "list[int]"},
		{"List[int]", "list[int]"},
		{"array[integer]", "list[int]"},
		{"dict[string, integer]", "dict[str, int]"},
		{"Dict[str, List[int]]", "dict[str, list[int]]"},
		{"Tuple[int, str]", "tuple[int, str]"},
		{"Optional[string]", "Optional[str]"},
		{"Union[int, string]", "Union[int, str]"},
		{"string | null", "str | None"},
		{"int|float", "int | float"},
		{"list[int | None]", "list[int | None]"},
		{"Callable[[integer, string], boolean]", "Callable[[int, str], bool]"},
		{"Point", "Point"},
		{"collections.Counter", "collections.Counter"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, NormalizeType(tc.in))
		})
	}
}

func TestSignature(t *testing.T) {
	tests := []struct {
		name string
		fn   ir.IR
		want string
	}{
		{
			name: "two typed parameters",
			fn: ir.IR{Signature: ir.Signature{Name: "add", Returns: "integer", Parameters: []ir.Parameter{
				{Name: "a", TypeHint: "integer"}, {Name: "b", TypeHint: "int"},
			}}},
			want: "def add(a: int, b: int) -> int",
		},
		{
			name: "no parameters, no return type",
			fn:   ir.IR{Signature: ir.Signature{Name: "tick"}},
			want: "def tick()",
		},
		{
			name: "untyped parameter",
			fn:   ir.IR{Signature: ir.Signature{Name: "echo", Returns: "any", Parameters: []ir.Parameter{{Name: "x"}}}},
			want: "def echo(x) -> Any",
		},
		{
			name: "three parameters stay on one line",
			fn: ir.IR{Signature: ir.Signature{Name: "clamp", Returns: "number", Parameters: []ir.Parameter{
				{Name: "v", TypeHint: "number"}, {Name: "lo", TypeHint: "number"}, {Name: "hi", TypeHint: "number"},
			}}},
			want: "def clamp(v: float, lo: float, hi: float) -> float",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Signature(tc.fn))
		})
	}
}
