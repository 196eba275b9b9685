// The suites: every prompt is a row of a table-driven test and, in
// bench_test.go, a sub-benchmark. By default they replay the cassettes in
// ./cassettes; -live and -record call the endpoint (see README.md).
package suites_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/lift-sys/lifttest/lifttest"
)

// simple is lift-sys's simple suite: five one-line prompts, with the test
// cases of lift-sys's execution validation.
var simple = lifttest.Suite{Name: "simple", Cases: []lifttest.Case{
	{
		Name: "add_numbers", Prompt: "Create a function that adds two numbers", Function: "add_two_numbers", Category: "arithmetic",
		Tests: []lifttest.Test{
			{Args: []any{2, 3}, Want: 5},
			{Args: []any{10, 20}, Want: 30},
			{Args: []any{0, 0}, Want: 0},
			{Args: []any{-5, 5}, Want: 0},
		},
	},
	{
		Name: "multiply", Prompt: "Create a function that multiplies two numbers", Function: "multiply", Category: "arithmetic",
		Tests: []lifttest.Test{
			{Args: []any{2, 3}, Want: 6},
			{Args: []any{10, 5}, Want: 50},
			{Args: []any{0, 10}, Want: 0},
			{Args: []any{-2, 3}, Want: -6},
		},
	},
	{
		Name: "string_length", Prompt: "Create a function that returns the length of a string", Function: "get_string_length", Category: "string",
		Tests: []lifttest.Test{
			{Args: []any{"hello"}, Want: 5},
			{Args: []any{""}, Want: 0},
			{Args: []any{"test string"}, Want: 11},
		},
	},
	{
		Name: "max_of_two", Prompt: "Create a function that returns the maximum of two numbers", Function: "max_of_two", Category: "comparison",
		Tests: []lifttest.Test{
			{Args: []any{5, 10}, Want: 10},
			{Args: []any{20, 15}, Want: 20},
			{Args: []any{5, 5}, Want: 5},
		},
	},
	{
		Name: "is_even", Prompt: "Create a function that checks if a number is even", Function: "is_even", Category: "boolean",
		Tests: []lifttest.Test{
			{Args: []any{2}, Want: true},
			{Args: []any{3}, Want: false},
			{Args: []any{0}, Want: true},
			{Args: []any{-4}, Want: true},
		},
	},
}}

var suites = []lifttest.Suite{simple}

// harness is shared by the tests and benchmarks of this package: it owns the
// validator's worker pool, which is worth starting once.
var harness *lifttest.Harness

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	h, err := lifttest.New(lifttest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer h.Close()
	info, err := h.Prepare(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	benchmarking := flag.Lookup("test.bench").Value.String() != ""
	if benchmarking {
		h.WriteBenchConfig(os.Stdout, info)
	}
	harness = h
	code := m.Run()
	if benchmarking {
		h.WriteBenchSummary(os.Stdout)
	}
	return code
}

func TestSuites(t *testing.T) {
	for _, s := range suites {
		t.Run("suite="+s.Name, func(t *testing.T) {
			for _, c := range s.Cases {
				t.Run("case="+c.Name, func(t *testing.T) {
					harness.Test(t, s.Name, c)
				})
			}
		})
	}
}
