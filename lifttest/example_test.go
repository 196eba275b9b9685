package lifttest_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/lifttest"
)

// A Harness runs a case through both model calls, assembles the Python and
// runs its tests. Here it talks to the scripted reference endpoint over
// loopback; without Mode and Endpoint it would replay ./cassettes.
func ExampleHarness_Run() {
	scripts, _ := refserver.BundledSuite("simple")
	srv, _ := refserver.New(refserver.Config{Scripts: scripts})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	h, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeLive, Endpoint: ts.URL + "/generate", Progress: io.Discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	r, err := h.Run(context.Background(), "simple", lifttest.Case{
		Name:     "multiply",
		Prompt:   "Create a function that multiplies two numbers",
		Function: "multiply",
		Tests: []lifttest.Test{
			{Args: []any{2, 3}, Want: 6},
			{Args: []any{2.5, 2}, Want: 5.0},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("success:", r.Success)
	fmt.Printf("tested %s (%s match) after %d attempt(s), %d/%d tests passed\n",
		r.Function, r.Match, r.Attempts, r.PassedTests(), len(r.Validation.Tests))
	// Output:
	// success: true
	// tested multiply_numbers (single match) after 1 attempt(s), 2/2 tests passed
}

// The stages can be used one by one: parse the two answers, assemble the
// module, and find the function to test.
func ExampleAssemble() {
	fn, _ := lifttest.ParseIR([]byte(`{
		"intent": {"summary": "Create a function that checks if a number is even"},
		"signature": {"name": "is_number_even", "parameters": [{"name": "number", "type_hint": "integer"}], "returns": "boolean"}}`))
	code, _ := lifttest.ParseCode([]byte(`{"implementation": {"body_statements": [
		{"type": "return", "code": "number % 2 == 0", "rationale": "Even numbers leave no remainder"}]}}`))
	src, _ := lifttest.Assemble(fn, code)
	// Blank docstring lines keep their indentation, as lift-sys writes them;
	// trimmed here only because an Output comment cannot show it.
	for line := range strings.SplitSeq(src, "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	name, _ := lifttest.LookupFunction(src, "is_even")
	fmt.Println("tested:", name)
	// Output:
	// def is_number_even(number: int) -> bool:
	//     """Create a function that checks if a number is even.
	//
	//     Args:
	//         number: Parameter value
	//
	//     Returns:
	//         bool
	//     """
	//     # Even numbers leave no remainder
	//     return number % 2 == 0
	// tested: is_number_even
}

// Stage 2 raises the temperature on each retry.
func ExampleTemperature() {
	for attempt := 1; attempt <= 5; attempt++ {
		fmt.Print(lifttest.Temperature(attempt), " ")
	}
	fmt.Println()
	// Output: 0.3 0.45 0.6 0.75 0.9
}

// CheckSchema shows what guided decoding should have prevented.
func ExampleCheckSchema() {
	err := lifttest.CheckSchema(lifttest.StageIR, []byte(`{"intent": {"summary": "Adds two numbers"}, "signature": {"name": "Add", "parameters": []}}`))
	fmt.Println(err)
	// Output: answer does not match its JSON Schema (ir.schema.json): ["at /signature/name: 'Add' does not match pattern '^[a-z_][a-z0-9_]*$'"]
}

// The OpenAI provider drives a vLLM OpenAI-compatible server: Endpoint is
// its /v1 base URL, the schema goes in structured_outputs (or guided_json,
// or response_format), and a streamed answer reports TTFT and TPOT.
func ExampleOpenAIOptions() {
	scripts, _ := refserver.BundledSuite("simple")
	srv, _ := refserver.New(refserver.Config{Scripts: scripts})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	h, err := lifttest.New(lifttest.Options{
		Mode: lifttest.ModeLive, Endpoint: ts.URL + "/v1", Progress: io.Discard,
		Provider: lifttest.ProviderOpenAI,
		OpenAI:   lifttest.OpenAIOptions{Model: refserver.DefaultModel, Structured: "structured_outputs", Stream: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	r, err := h.Run(context.Background(), "simple", lifttest.Case{
		Name: "is_even", Prompt: "Create a function that checks if a number is even", Function: "is_even",
		Tests: []lifttest.Test{{Args: []any{4}, Want: true}, {Args: []any{7}, Want: false}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("success:", r.Success)
	fmt.Println("streamed calls:", r.Stage1.Streamed+r.Stage2.Streamed, "with TTFT measured:", r.Stage1.TTFT > 0)
	// Output:
	// success: true
	// streamed calls: 2 with TTFT measured: true
}
