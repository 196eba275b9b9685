package prompt_test

import (
	"fmt"
	"strings"

	"github.com/lift-sys/lifttest/internal/ir"
	"github.com/lift-sys/lifttest/internal/prompt"
)

var addIR = ir.IR{
	Intent: ir.Intent{Summary: "Add two numbers"},
	Signature: ir.Signature{
		Name:       "add",
		Parameters: []ir.Parameter{{Name: "a", TypeHint: "integer"}, {Name: "b", TypeHint: "integer"}},
		Returns:    "integer",
	},
}

func ExampleTemplate_Render() {
	p, err := prompt.Default().Render(prompt.Data{
		IR:          addIR,
		Attempt:     2,
		MaxAttempts: 5,
		Previous:    []prompt.Failure{{Attempt: 1, Error: "failing inputs: add(2, 3) returned 6, want 5"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The parts the scripted reference server relies on.
	for _, line := range strings.Split(p, "\n") {
		if strings.HasPrefix(line, "def ") || strings.HasPrefix(line, prompt.RetryMarker) {
			fmt.Println(line)
		}
	}
	// Output:
	// def add(a: int, b: int) -> int
	// Previous attempt (#1) failed: failing inputs: add(2, 3) returned 6, want 5
}

func ExampleParse() {
	tmpl, err := prompt.Parse(`Implement {{signature .IR}} so that it does this: {{.IR.Intent.Summary}}.
Answer with the code JSON.`)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := tmpl.Render(prompt.Data{
		IR:       addIR,
		Attempt:  2,
		Previous: []prompt.Failure{{Attempt: 1, Error: "SyntaxError: invalid syntax"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The template has no retry lines of its own: Render appends them.
	fmt.Println(p)
	// Output:
	// Implement def add(a: int, b: int) -> int so that it does this: Add two numbers.
	// Answer with the code JSON.
	//
	// Previous attempt (#1) failed: SyntaxError: invalid syntax
}
