package assemble

import "github.com/lift-sys/lifttest/internal/ir"

// recordedCase is a real IR and stage-2 answer from a recorded lift-sys run,
// with the assembled module expected in testdata/TestAssembleGolden/NAME.golden.
type recordedCase struct {
	name   string
	reason string
	fn     ir.IR
	code   ir.Code
}

// recordedCases are written from the reference recordings of lift-sys. The
// code answers of the benchmark runs were not recorded, only their
// assembled source; those answers are rebuilt statement by statement from
// it (each "# comment" line is the rationale of the statement under it).
var recordedCases = []recordedCase{
	{
		name:   "max_of_two",
		reason: "debug_max_of_two_ir.json + debug_impl_json_attempt_1.json: the pair that gave IndentationError before the stack fix",
		fn: ir.IR{
			Intent: ir.Intent{
				Summary:   "Create a function that returns the maximum of two numbers",
				Rationale: "The function will take two numbers as input and return the larger of the two. This is a common utility function in many applications where finding the maximum value is required.",
			},
			Signature: ir.Signature{
				Name: "get_max",
				Parameters: []ir.Parameter{
					{Name: "num1", TypeHint: "int"},
					{Name: "num2", TypeHint: "int"},
				},
				Returns: "int",
			},
			Metadata: &ir.Metadata{Language: "python", Origin: "natural_language"},
		},
		code: ir.Code{
			Implementation: ir.Implementation{
				BodyStatements: []ir.Statement{
					{Type: "if_statement", Code: "if num1 > num2:", Rationale: "Check if the first number is greater than the second"},
					{Type: "return", Code: "return num1", Rationale: "Return the first number if it is greater"},
					{Type: "return", Code: "return num2", Rationale: "Return the second number if the first is not greater"},
				},
				Algorithm:  "Compare two numbers and return the maximum",
				Complexity: &ir.Complexity{Time: "O(1)", Space: "O(1)"},
			},
			Imports:         []ir.Import{},
			HelperFunctions: []ir.HelperFunction{},
		},
	},
	{
		name:   "filter_even",
		reason: "debug_impl_attempt_1.json -> debug_code_attempt_1.py.txt: for/if nesting, then a return back at the function level",
		fn: ir.IR{
			Intent: ir.Intent{
				Summary:   "Create a function that returns a new list containing only the even numbers from the input list",
				Rationale: "The function should filter out odd numbers and return a list of even numbers.",
			},
			Signature: ir.Signature{
				Name:       "filter_even_numbers",
				Parameters: []ir.Parameter{{Name: "input_list", TypeHint: "list[int]", Description: "The list of integers to be filtered."}},
				Returns:    "list[int]",
			},
		},
		code: ir.Code{Implementation: ir.Implementation{
			BodyStatements: []ir.Statement{
				{Type: "assignment", Code: "filtered_list = []", Rationale: "Initialize an empty list to store even numbers"},
				{Type: "for_loop", Code: "for number in input_list:", Rationale: "Iterate over each number in the input list"},
				{Type: "if_statement", Code: "if number % 2 == 0:", Rationale: "Check if the number is even"},
				{Type: "assignment", Code: "filtered_list.append(number)", Rationale: "Add the even number to the filtered list"},
				{Type: "return", Code: "return filtered_list", Rationale: "Return the list of even numbers"},
			},
			Algorithm:  "The function iterates over the input list, checks if each number is even, and if so, adds it to a new list. The new list is then returned.",
			Complexity: &ir.Complexity{Time: "O(n)", Space: "O(n)"},
		}},
	},
	{
		name:   "add_numbers",
		reason: "benchmark_results_20251022_192934.json, the 32B baseline run: a plain two-statement body",
		fn: ir.IR{
			Intent: ir.Intent{
				Summary:   "Create a function that adds two numbers",
				Rationale: "The function will take two numbers as input and return their sum.",
			},
			Signature: ir.Signature{
				Name: "add_two_numbers",
				Parameters: []ir.Parameter{
					{Name: "num1", TypeHint: "int", Description: "The first number to be added"},
					{Name: "num2", TypeHint: "int", Description: "The second number to be added"},
				},
				Returns: "int",
			},
		},
		code: ir.Code{Implementation: ir.Implementation{
			BodyStatements: []ir.Statement{
				{Type: "assignment", Code: "result = num1 + num2", Rationale: "Calculate the sum of num1 and num2"},
				{Type: "return", Code: "return result", Rationale: "Return the calculated sum"},
			},
			Algorithm: "The algorithm takes two integers as input, adds them together, and returns the result.",
		}},
	},
	{
		name:   "fizz_buzz",
		reason: "benchmark_results_20251018_162403.json: elif chains written as code, typed if_statement",
		fn: ir.IR{
			Intent: ir.Intent{
				Summary:   "Create a function that returns 'Fizz' for multiples of 3, 'Buzz' for multiples of 5, 'FizzBuzz' for multiples of both, and the number otherwise",
				Rationale: "To implement a function that adheres to the FizzBuzz problem, which is a common coding interview question. It tests basic control flow and understanding of arithmetic operations.",
			},
			Signature: ir.Signature{
				Name: "fizz_buzz",
				Parameters: []ir.Parameter{
					{Name: "number", TypeHint: "int"},
				},
				Returns: "str",
			},
		},
		code: ir.Code{Implementation: ir.Implementation{
			BodyStatements: []ir.Statement{
				{Type: "if_statement", Code: "if number % 3 == 0 and number % 5 == 0:", Rationale: "Check if the number is a multiple of both 3 and 5"},
				{Type: "return", Code: "return 'FizzBuzz'", Rationale: "Return 'FizzBuzz' if the number is a multiple of both 3 and 5"},
				{Type: "if_statement", Code: "elif number % 3 == 0:", Rationale: "Check if the number is a multiple of 3"},
				{Type: "return", Code: "return 'Fizz'", Rationale: "Return 'Fizz' if the number is a multiple of 3"},
				{Type: "if_statement", Code: "elif number % 5 == 0:", Rationale: "Check if the number is a multiple of 5"},
				{Type: "return", Code: "return 'Buzz'", Rationale: "Return 'Buzz' if the number is a multiple of 5"},
				{Type: "return", Code: "return str(number)", Rationale: "Return the number as a string if it is not a multiple of 3 or 5"},
			},
			Algorithm: "The function checks if the input number is a multiple of 3, 5, or both. It returns 'Fizz' for multiples of 3, 'Buzz' for multiples of 5, 'FizzBuzz' for multiples of both, and the number itself (as a string) otherwise.",
		}},
	},
	{
		name:   "is_prime",
		reason: "benchmark_results_20251018_170418.json: the recorded source left the final return inside the while loop (is_prime(25) was True); it now ends the function",
		fn: ir.IR{
			Intent: ir.Intent{
				Summary:   "Create a function that checks if a number is prime",
				Rationale: "Prime number checking is a common task in programming, often used in cryptography and number theory.",
			},
			Signature: ir.Signature{
				Name: "is_prime",
				Parameters: []ir.Parameter{
					{Name: "number", TypeHint: "int", Description: "The number to check for primality"},
				},
				Returns: "bool",
			},
		},
		code: ir.Code{Implementation: ir.Implementation{
			BodyStatements: []ir.Statement{
				{Type: "if_statement", Code: "if number <= 1:", Rationale: "Numbers less than or equal to 1 are not prime"},
				{Type: "return", Code: "return False", Rationale: "Return False for numbers less than or equal to 1"},
				{Type: "if_statement", Code: "if number <= 3:", Rationale: "Numbers 2 and 3 are prime"},
				{Type: "return", Code: "return True", Rationale: "Return True for numbers 2 and 3"},
				{Type: "if_statement", Code: "if number % 2 == 0 or number % 3 == 0:", Rationale: "Eliminate multiples of 2 and 3"},
				{Type: "return", Code: "return False", Rationale: "Return False for multiples of 2 and 3"},
				{Type: "assignment", Code: "i = 5", Rationale: "Start checking from 5"},
				{Type: "while_loop", Code: "while i * i <= number:", Rationale: "Check divisibility up to the square root of the number"},
				{Type: "if_statement", Code: "if number % i == 0 or number % (i + 2) == 0:", Rationale: "Check divisibility by i and i + 2"},
				{Type: "return", Code: "return False", Rationale: "Return False if divisible by i or i + 2"},
				{Type: "assignment", Code: "i += 6", Rationale: "Increment i by 6 to check the next potential factors"},
				{Type: "return", Code: "return True", Rationale: "Return True if no divisors found"},
			},
			Algorithm: "The function first handles small numbers and eliminates multiples of 2 and 3. It then checks divisibility from 5 upwards, skipping even numbers and multiples of 3, by incrementing by 6 each time. This is efficient because it only checks potential factors up to the square root of the number.",
		}},
	},
}
