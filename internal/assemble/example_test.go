package assemble_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lift-sys/lifttest/internal/assemble"
	"github.com/lift-sys/lifttest/internal/ir"
)

func ExampleAssemble() {
	fn := ir.IR{
		Intent: ir.Intent{Summary: "Return the absolute value of x"},
		Signature: ir.Signature{
			Name:       "absolute",
			Parameters: []ir.Parameter{{Name: "x", TypeHint: "integer"}},
			Returns:    "integer",
		},
	}
	// The statements come flat, as the model writes them: the assembler
	// rebuilds the blocks.
	code := ir.Code{Implementation: ir.Implementation{
		BodyStatements: []ir.Statement{
			{Type: "if_statement", Code: "if x < 0:", Rationale: "Negative numbers flip"},
			{Type: "return", Code: "-x"},
			{Type: "return", Code: "return x"},
		},
		Algorithm: "Flip the sign of negative numbers",
	}}
	src, err := assemble.Assemble(fn, code)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Blank lines in the docstring carry its four spaces of indentation, as
	// in the recorded modules; an Output comment cannot show them.
	for line := range strings.Lines(src) {
		fmt.Println(strings.TrimRight(line, " \n"))
	}
	// Output:
	// def absolute(x: int) -> int:
	//     """Return the absolute value of x.
	//
	//     Args:
	//         x: Parameter value
	//
	//     Returns:
	//         int
	//     """
	//     # Algorithm: Flip the sign of negative numbers
	//
	//     # Negative numbers flip
	//     if x < 0:
	//         return -x
	//     return x
}

func ExampleLookup() {
	src := "def _check(n):\n    return n\n\n\ndef multiply_numbers(a, b):\n    return a * b"
	defined := assemble.DefinedFunctions(src)
	fmt.Println(defined)

	name, how, err := assemble.Lookup(defined, "multiply")
	fmt.Println(name, how, err)

	_, _, err = assemble.Lookup(defined, "divide")
	fmt.Println(errors.Is(err, assemble.ErrAmbiguous), err)
	// Output:
	// [_check multiply_numbers]
	// multiply_numbers contains <nil>
	// true function ambiguous: "divide" is none of 2 functions (available: _check, multiply_numbers)
}

func ExampleNormalizeType() {
	for _, s := range []string{"string", "array[integer]", "Dict[str, any]", "number | null"} {
		fmt.Println(assemble.NormalizeType(s))
	}
	// Output:
	// str
	// list[int]
	// dict[str, Any]
	// float | None
}

func ExampleSignature() {
	fn := ir.IR{Signature: ir.Signature{
		Name:       "add",
		Parameters: []ir.Parameter{{Name: "a", TypeHint: "integer"}, {Name: "b", TypeHint: "integer"}},
		Returns:    "integer",
	}}
	fmt.Println(assemble.Signature(fn))
	// Output: def add(a: int, b: int) -> int
}
