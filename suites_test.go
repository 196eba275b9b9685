// The suites: every prompt is a row of a table-driven test and, in
// bench_test.go, a sub-benchmark. By default they replay the cassettes in
// ./cassettes; -live and -record call the endpoint (see README.md).
package suites_test

import (
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

// phase2 is lift-sys's phase 2 benchmark suite (performance_benchmark.py):
// ten harder one-line prompts, compile-only as the benchmark ran them (the
// code must compile and define the function; there are no test cases).
var phase2 = lifttest.Suite{Name: "phase2", Cases: []lifttest.Case{
	{Name: "fizzbuzz", Prompt: "Create a function that returns 'Fizz' for multiples of 3, 'Buzz' for multiples of 5, 'FizzBuzz' for multiples of both, and the number otherwise", Function: "fizzbuzz"},
	{Name: "factorial", Prompt: "Create a function that calculates the factorial of a number", Function: "factorial"},
	{Name: "fibonacci", Prompt: "Create a function that returns the nth Fibonacci number", Function: "fibonacci"},
	{Name: "is_palindrome", Prompt: "Create a function that checks if a string is a palindrome", Function: "is_palindrome"},
	{Name: "reverse_string", Prompt: "Create a function that reverses a string", Function: "reverse_string"},
	{Name: "find_max", Prompt: "Create a function that finds the maximum value in a list", Function: "find_max"},
	{Name: "count_vowels", Prompt: "Create a function that counts the number of vowels in a string", Function: "count_vowels"},
	{Name: "is_prime", Prompt: "Create a function that checks if a number is prime", Function: "is_prime"},
	{
		Name: "letter_grade", Prompt: "Create a function that converts a numeric score to a letter grade", Function: "letter_grade",
		XFail: "no recorded attempt compiles: 'else if', an unfinished conditional expression, a header without its colon, comparisons as match patterns, then 'score >= 60 and < 70'",
	},
	{Name: "celsius_to_fahrenheit", Prompt: "Create a function that converts Celsius to Fahrenheit", Function: "celsius_to_fahrenheit"},
}}

// nontrivial is lift-sys's nontrivial suite (test_cases_nontrivial.py): 18
// prompts with test cases, categories and complexity. Its phases are
// subsets: phase1 (5 cases), phase2 (10) and phase3 (all 18).
var nontrivial = lifttest.Suite{Name: "nontrivial", Cases: []lifttest.Case{
	{
		Name: "letter_grade", Function: "get_grade", Category: "control_flow", Complexity: "medium",
		Prompt: "Create a function that returns a letter grade (A, B, C, D, or F) based on a numeric score. A is 90+, B is 80-89, C is 70-79, D is 60-69, F is below 60",
		Tests: []lifttest.Test{
			{Args: []any{95}, Want: "A"},
			{Args: []any{85}, Want: "B"},
			{Args: []any{75}, Want: "C"},
			{Args: []any{65}, Want: "D"},
			{Args: []any{55}, Want: "F"},
			{Args: []any{90}, Want: "A"},
			{Args: []any{60}, Want: "D"},
		},
	},
	{
		Name: "filter_even", Function: "filter_even_numbers", Category: "list_operations", Complexity: "medium",
		Prompt: "Create a function that returns a new list containing only the even numbers from the input list",
		Tests: []lifttest.Test{
			{Args: []any{[]any{1, 2, 3, 4, 5, 6}}, Want: []any{2, 4, 6}},
			{Args: []any{[]any{1, 3, 5}}, Want: []any{}},
			{Args: []any{[]any{}}, Want: []any{}},
			{Args: []any{[]any{2, 4, 6}}, Want: []any{2, 4, 6}},
			{Args: []any{[]any{0, -2, -3, 4}}, Want: []any{0, -2, 4}},
		},
	},
	{
		Name: "count_words", Function: "count_words", Category: "string_manipulation", Complexity: "easy",
		Prompt: "Create a function that counts the number of words in a string, where words are separated by spaces",
		Tests: []lifttest.Test{
			{Args: []any{"hello world"}, Want: 2},
			{Args: []any{"one"}, Want: 1},
			{Args: []any{""}, Want: 0},
			{Args: []any{"  multiple   spaces  "}, Want: 2},
			{Args: []any{"a b c d e"}, Want: 5},
		},
	},
	{
		Name: "first_or_none", Function: "first_element", Category: "edge_cases", Complexity: "easy",
		Prompt: "Create a function that returns the first element of a list, or None if the list is empty",
		Tests: []lifttest.Test{
			{Args: []any{[]any{1, 2, 3}}, Want: 1},
			{Args: []any{[]any{}}, Want: nil},
			{Args: []any{[]any{"a"}}, Want: "a"},
			{Args: []any{[]any{42, 10, 5}}, Want: 42},
		},
	},
	{
		Name: "classify_number", Function: "classify_number", Category: "control_flow", Complexity: "medium_hard",
		Prompt: "Create a function that classifies a number. Return 'zero' if zero, 'negative' if negative, 'positive even' if positive and even, or 'positive odd' if positive and odd",
		Tests: []lifttest.Test{
			{Args: []any{10}, Want: "positive even"},
			{Args: []any{7}, Want: "positive odd"},
			{Args: []any{-5}, Want: "negative"},
			{Args: []any{0}, Want: "zero"},
			{Args: []any{-2}, Want: "negative"},
			{Args: []any{1}, Want: "positive odd"},
		},
	},
	{
		Name: "find_index", Function: "find_value_index", Category: "list_operations", Complexity: "medium",
		Prompt: "Create a function that takes a list and a value as parameters (in that order). Use a for loop with enumerate to iterate through the list. Inside the loop, if an item equals the value, return its index immediately. After the loop ends (not inside it), return -1 to indicate the value was not found.",
		Tests: []lifttest.Test{
			{Args: []any{[]any{10, 20, 30}, 20}, Want: 1},
			{Args: []any{[]any{10, 20, 30}, 40}, Want: -1},
			{Args: []any{[]any{}, 10}, Want: -1},
			{Args: []any{[]any{5, 5, 5}, 5}, Want: 0},
			{Args: []any{[]any{1, 2, 3}, 3}, Want: 2},
		},
	},
	{
		Name: "title_case", Function: "to_title_case", Category: "string_manipulation", Complexity: "medium",
		Prompt: "Create a function that capitalizes the first letter of each word in a string (title case)",
		Tests: []lifttest.Test{
			{Args: []any{"hello world"}, Want: "Hello World"},
			{Args: []any{"a"}, Want: "A"},
			{Args: []any{""}, Want: ""},
			{Args: []any{"python programming"}, Want: "Python Programming"},
		},
	},
	{
		Name: "factorial", Function: "calculate_factorial", Category: "mathematical", Complexity: "medium",
		Prompt: "Create a function that calculates the factorial of a non-negative integer. Factorial of n is n * (n-1) * ... * 1, and 0! = 1",
		Tests: []lifttest.Test{
			{Args: []any{5}, Want: 120},
			{Args: []any{0}, Want: 1},
			{Args: []any{1}, Want: 1},
			{Args: []any{3}, Want: 6},
			{Args: []any{10}, Want: 3628800},
		},
	},
	{
		Name: "get_type_name", Function: "get_type_name", Category: "type_operations", Complexity: "medium",
		Prompt: "Create a function that checks the type of a value. Use isinstance() to check if the value is an int, str, or list (in that order with if-elif). Return the exact string 'int', 'str', or 'list' if it matches. If none match, return exactly 'other' (not 'unknown' or anything else, must be the string 'other').",
		Tests: []lifttest.Test{
			{Args: []any{5}, Want: "int"},
			{Args: []any{"hi"}, Want: "str"},
			{Args: []any{[]any{1, 2}}, Want: "list"},
			{Args: []any{3.14}, Want: "other"},
			{Args: []any{true}, Want: "other"},
		},
	},
	{
		Name: "clamp_value", Function: "clamp", Category: "edge_cases", Complexity: "medium",
		Prompt: "Create a function that clamps a value between a minimum and maximum (inclusive). If value < min return min, if value > max return max, otherwise return value",
		XFail:  "the recorded IR orders the parameters (min_value, max_value, value), so every attempt clamps the first argument's range wrongly: clamp_value(5, 0, 10) returns 0; stage 2 cannot change the signature",
		Tests: []lifttest.Test{
			{Args: []any{5, 0, 10}, Want: 5},
			{Args: []any{-5, 0, 10}, Want: 0},
			{Args: []any{15, 0, 10}, Want: 10},
			{Args: []any{0, 0, 10}, Want: 0},
			{Args: []any{10, 0, 10}, Want: 10},
		},
	},
	{
		Name: "validate_password", Function: "validate_password", Category: "control_flow", Complexity: "medium",
		Prompt: "Create a function that validates a password. Return 'too short' if less than 8 chars, 'no number' if no digit, 'no uppercase' if no uppercase letter, or 'valid' if all conditions met",
		XFail:  "the recorded IR adds a lowercase rule the prompt does not have: attempt 1 returns messages such as 'Password is too short', later attempts return 'no lowercase' for 'PASSWORD123'",
		Tests: []lifttest.Test{
			{Args: []any{"abc"}, Want: "too short"},
			{Args: []any{"abcdefgh"}, Want: "no number"},
			{Args: []any{"abcdefg1"}, Want: "no uppercase"},
			{Args: []any{"Abcdefg1"}, Want: "valid"},
			{Args: []any{"PASSWORD123"}, Want: "valid"},
		},
	},
	{
		Name: "average_numbers", Function: "calculate_average", Category: "list_operations", Complexity: "medium",
		Prompt: "Create a function that calculates the average of a list of numbers. Return 0.0 for an empty list",
		Tests: []lifttest.Test{
			{Args: []any{[]any{1, 2, 3, 4, 5}}, Want: 3.0},
			{Args: []any{[]any{10}}, Want: 10.0},
			{Args: []any{[]any{}}, Want: 0.0},
			{Args: []any{[]any{2, 4}}, Want: 3.0},
		},
	},
	{
		Name: "is_valid_email", Function: "is_valid_email", Category: "string_manipulation", Complexity: "medium",
		Prompt: "Create a function that checks if a string is a valid email address. Must contain @ symbol and a dot after the @",
		Tests: []lifttest.Test{
			{Args: []any{"user@example.com"}, Want: true},
			{Args: []any{"user@example"}, Want: false},
			{Args: []any{"userexample.com"}, Want: false},
			{Args: []any{"@example.com"}, Want: false},
			{Args: []any{"user@.com"}, Want: false},
		},
	},
	{
		Name: "fibonacci", Function: "get_fibonacci", Category: "mathematical", Complexity: "medium_hard",
		Prompt: "Create a function that returns the nth Fibonacci number (0-indexed). Fibonacci sequence: 0, 1, 1, 2, 3, 5, 8, 13, ...",
		Tests: []lifttest.Test{
			{Args: []any{0}, Want: 0},
			{Args: []any{1}, Want: 1},
			{Args: []any{2}, Want: 1},
			{Args: []any{5}, Want: 5},
			{Args: []any{10}, Want: 55},
		},
	},
	{
		Name: "is_prime", Function: "is_prime_number", Category: "mathematical", Complexity: "medium",
		Prompt: "Create a function that checks if a number is prime. A prime number is greater than 1 and only divisible by 1 and itself",
		Tests: []lifttest.Test{
			{Args: []any{7}, Want: true},
			{Args: []any{4}, Want: false},
			{Args: []any{1}, Want: false},
			{Args: []any{2}, Want: true},
			{Args: []any{13}, Want: true},
			{Args: []any{15}, Want: false},
		},
	},
	{
		Name: "safe_int_conversion", Function: "safe_int", Category: "type_operations", Complexity: "medium",
		Prompt: "Create a function that converts a string to an integer, returning 0 if the conversion fails",
		XFail:  "the recorded stage-1 answer repeats one signature hole until it hits max_tokens (finish_reason length), so no IR, no code",
		Tests: []lifttest.Test{
			{Args: []any{"123"}, Want: 123},
			{Args: []any{"abc"}, Want: 0},
			{Args: []any{""}, Want: 0},
			{Args: []any{"456"}, Want: 456},
		},
	},
	{
		Name: "min_max_tuple", Function: "get_min_max", Category: "data_structures", Complexity: "medium",
		Prompt: "Create a function that returns both the minimum and maximum values from a list as a tuple (min, max)",
		Tests: []lifttest.Test{
			{Args: []any{[]any{1, 5, 3}}, Want: lifttest.Tuple{1, 5}},
			{Args: []any{[]any{7}}, Want: lifttest.Tuple{7, 7}},
			{Args: []any{[]any{3, 1, 4, 1, 5}}, Want: lifttest.Tuple{1, 5}},
			{Args: []any{[]any{-5, -1, -10}}, Want: lifttest.Tuple{-10, -1}},
		},
	},
	{
		Name: "merge_dictionaries", Function: "merge_dicts", Category: "data_structures", Complexity: "medium",
		Prompt: "Create a function that merges two dictionaries, with values from the second dictionary overwriting the first for duplicate keys",
		Tests: []lifttest.Test{
			{Args: []any{map[string]any{"a": 1}, map[string]any{"b": 2}}, Want: map[string]any{"a": 1, "b": 2}},
			{Args: []any{map[string]any{"a": 1}, map[string]any{"a": 2}}, Want: map[string]any{"a": 2}},
			{Args: []any{map[string]any{}, map[string]any{"x": 10}}, Want: map[string]any{"x": 10}},
			{Args: []any{map[string]any{"a": 1, "b": 2}, map[string]any{"b": 3, "c": 4}}, Want: map[string]any{"a": 1, "b": 3, "c": 4}},
		},
	},
}, Subsets: map[string][]string{
	"phase1": {"letter_grade", "filter_even", "count_words", "first_or_none", "classify_number"},
	"phase2": {"letter_grade", "filter_even", "count_words", "first_or_none", "classify_number", "find_index", "title_case", "factorial", "get_type_name", "clamp_value"},
	"phase3": {"letter_grade", "filter_even", "count_words", "first_or_none", "classify_number", "find_index", "title_case", "factorial", "get_type_name", "clamp_value", "validate_password", "average_numbers", "is_valid_email", "fibonacci", "is_prime", "safe_int_conversion", "min_max_tuple", "merge_dictionaries"},
}}

// expanded is lift-sys's expanded suite (test_cases_expanded.py): 25
// compile-only prompts in six categories, with the success rate lift-sys
// expected per category and a quick 10-case subset.
var expanded = lifttest.Suite{Name: "expanded", Cases: []lifttest.Case{
	{Name: "add_numbers", Prompt: "Create a function that adds two numbers", Function: "add_numbers", Category: "arithmetic"},
	{Name: "multiply", Prompt: "Create a function that multiplies two numbers", Function: "multiply", Category: "arithmetic"},
	{Name: "subtract", Prompt: "Create a function that subtracts one number from another", Function: "subtract", Category: "arithmetic"},
	{Name: "divide", Prompt: "Create a function that divides one number by another", Function: "divide", Category: "arithmetic"},
	{Name: "absolute_value", Prompt: "Create a function that returns the absolute value of a number", Function: "absolute_value", Category: "arithmetic"},
	{Name: "power", Prompt: "Create a function that raises a number to a power", Function: "power", Category: "arithmetic"},
	{Name: "string_length", Prompt: "Create a function that returns the length of a string", Function: "string_length", Category: "string"},
	{Name: "uppercase", Prompt: "Create a function that converts a string to uppercase", Function: "uppercase", Category: "string"},
	{Name: "lowercase", Prompt: "Create a function that converts a string to lowercase", Function: "lowercase", Category: "string"},
	{Name: "string_concat", Prompt: "Create a function that concatenates two strings", Function: "string_concat", Category: "string"},
	{Name: "string_reverse", Prompt: "Create a function that reverses a string", Function: "string_reverse", Category: "string"},
	{Name: "list_length", Prompt: "Create a function that returns the length of a list", Function: "list_length", Category: "list"},
	{Name: "list_sum", Prompt: "Create a function that returns the sum of numbers in a list", Function: "list_sum", Category: "list"},
	{Name: "list_first", Prompt: "Create a function that returns the first element of a list", Function: "list_first", Category: "list"},
	{
		Name: "list_last", Prompt: "Create a function that returns the last element of a list", Function: "list_last", Category: "list",
		XFail: "the recorded stage-1 answer is invalid JSON (an unescaped quote in a description): finish_reason json_error",
	},
	{Name: "is_even", Prompt: "Create a function that checks if a number is even", Function: "is_even", Category: "boolean"},
	{Name: "is_positive", Prompt: "Create a function that checks if a number is positive", Function: "is_positive", Category: "boolean"},
	{Name: "max_of_two", Prompt: "Create a function that returns the maximum of two numbers", Function: "max_of_two", Category: "boolean"},
	{
		Name: "min_of_two", Prompt: "Create a function that returns the minimum of two numbers", Function: "min_of_two", Category: "boolean",
		XFail: "every recorded answer adds a helper function, and neither get_minimum nor the helper is named like min_of_two: the function lookup is ambiguous",
	},
	{
		Name: "is_empty_string", Prompt: "Create a function that checks if a string is empty", Function: "is_empty_string", Category: "boolean",
		XFail: "every recorded stage-2 answer writes the empty string literal \"\" unescaped inside the JSON: five json_error answers",
	},
	{Name: "safe_divide", Prompt: "Create a function that divides two numbers and returns zero if the divisor is zero", Function: "safe_divide", Category: "edge_case"},
	{
		Name: "default_value", Prompt: "Create a function that returns a value or a default if the value is None", Function: "default_value", Category: "edge_case",
		XFail: "the recorded IR gives only the first parameter a default (value: Optional[Any] = None, default: Any), so the def line never compiles",
	},
	{Name: "int_to_string", Prompt: "Create a function that converts an integer to a string", Function: "int_to_string", Category: "type_conversion"},
	{Name: "string_to_int", Prompt: "Create a function that converts a string to an integer", Function: "string_to_int", Category: "type_conversion"},
	{Name: "float_to_int", Prompt: "Create a function that converts a float to an integer", Function: "float_to_int", Category: "type_conversion"},
}, Subsets: map[string][]string{
	"subset_10": {"add_numbers", "absolute_value", "string_length", "uppercase", "list_length", "list_sum", "is_even", "max_of_two", "safe_divide", "int_to_string"},
}, ExpectedRates: map[string]float64{
	"arithmetic":      1.0,
	"string":          0.9,
	"list":            0.8,
	"boolean":         0.6,
	"edge_case":       0.7,
	"type_conversion": 0.9,
}}

var suites = []lifttest.Suite{simple, phase2, nontrivial, expanded, humanevalSample()}

// humanevalSample is lifttest's own four HumanEval-format problems, validated
// by their check programs; -humaneval FILE adds the user's HumanEval (or
// HumanEval+) file as suite "humaneval".
func humanevalSample() lifttest.Suite {
	s, err := lifttest.HumanEvalSuite("humaneval_sample", "internal/humaneval/testdata/sample.jsonl")
	if err != nil {
		panic(err) // the file is part of the repository
	}
	s.Cases[3].XFail = `the recorded answer skips a closing bracket when the stack is empty, so balanced("x)") is True`
	return s
}

// opts are lifttest's flags, with their environment fallbacks (see
// lifttest.RegisterFlags); session runs the tests and benchmarks of this
// package and owns the validator's worker pool, which is worth starting once.
var (
	opts    = lifttest.RegisterFlags(flag.CommandLine)
	session *lifttest.Session
)

func TestMain(m *testing.M) {
	flag.Parse()
	s, err := lifttest.NewSession(*opts, suites...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	session = s
	os.Exit(s.Main(m))
}

// TestSuites runs every selected case (every sample of it with -samples),
// one after another, or -concurrency at a time.
func TestSuites(t *testing.T) { session.Test(t) }
