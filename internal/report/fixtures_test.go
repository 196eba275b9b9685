package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// The fixtures are a realistic run written for these tests: the simple
// suite as the 32B baseline of 2025-10-22 measured it (stage latencies and
// costs from that run, original pricing of 0.60 USD/h + 0.0001 USD per
// request), and a nontrivial suite in which letter_grade gets a boundary
// wrong, so that reports show a failure.

func fixtureRun() record.Meta {
	return record.Meta{
		Started:   time.Date(2025, 10, 22, 19, 28, 28, 249186000, time.UTC),
		Mode:      "replay",
		Endpoint:  "https://lift-sys--generate.modal.run",
		Model:     "Qwen/Qwen2.5-Coder-32B-Instruct",
		GPU:       "A100-80GB",
		Price:     "original (0.60 USD/h + 0.0001 USD/request)",
		PerHour:   0.60,
		Commit:    "180f6b5",
		GoVersion: "go1.26.8",
	}
}

// cost is the original harness's formula at its price.
func cost(e2eMS float64) float64 { return e2eMS/1000*0.60/3600 + 0.0001 }

type fixtureCase struct {
	suite, name, prompt, category, complexity, function string
	stage1MS, stage2MS                                  float64
	attempts                                            int
	tests                                               []record.Test
	params, returns, body                               string
}

func pass(args, want string) record.Test {
	return record.Test{Args: args, Passed: true, Class: "passed", Expected: want, Actual: want}
}

func fixtureCases() []*record.Result {
	fcs := []fixtureCase{
		{"simple", "add_numbers", "Create a function that adds two numbers", "arithmetic", "easy", "add_two_numbers",
			8852.28, 5778.43, 1,
			[]record.Test{pass("[2, 3]", "5"), pass("[10, 20]", "30"), pass("[0, 0]", "0"), pass("[-5, 5]", "0")},
			"num1: int, num2: int", "int", "    result = num1 + num2\n    return result"},
		{"simple", "multiply", "Create a function that multiplies two numbers", "arithmetic", "easy", "multiply",
			8892.84, 3956.00, 1,
			[]record.Test{pass("[2, 3]", "6"), pass("[10, 5]", "50"), pass("[0, 10]", "0"), pass("[-2, 3]", "-6")},
			"a: int, b: int", "int", "    return a * b"},
		{"simple", "string_length", "Create a function that returns the length of a string", "string", "easy", "get_string_length",
			6921.82, 4426.49, 1,
			[]record.Test{pass(`["hello"]`, "5"), pass(`[""]`, "0"), pass(`["test string"]`, "11")},
			"s: str", "int", "    return len(s)"},
		{"simple", "max_of_two", "Create a function that returns the maximum of two numbers", "arithmetic", "easy", "max_of_two",
			9098.73, 4745.46, 1,
			[]record.Test{pass("[3, 7]", "7"), pass("[10, 2]", "10"), pass("[-1, -5]", "-1"), pass("[4, 4]", "4")},
			"a: int, b: int", "int", "    if a > b:\n        return a\n    return b"},
		{"simple", "is_even", "Create a function that checks if a number is even", "arithmetic", "easy", "is_even",
			7639.18, 5648.94, 1,
			[]record.Test{pass("[4]", "True"), pass("[7]", "False"), pass("[0]", "True")},
			"n: int", "bool", "    return n % 2 == 0"},
		{"nontrivial", "letter_grade", "Create a function that returns a letter grade (A, B, C, D, or F) based on a numeric score. A is 90+, B is 80-89, C is 70-79, D is 60-69, F is below 60", "control_flow", "medium", "get_grade",
			9412.57, 11873.20, 2,
			[]record.Test{pass("[95]", "A"), pass("[85]", "B"), pass("[75]", "C"), pass("[65]", "D"), pass("[55]", "F"),
				{Args: "[90]", Class: "wrong_answer", Expected: "A", Actual: "B"},
				{Args: "[60]", Class: "wrong_answer", Expected: "D", Actual: "F"}},
			"score: int", "str", "    if score > 90:\n        return 'A'\n    elif score >= 80:\n        return 'B'\n    elif score >= 70:\n        return 'C'\n    elif score > 60:\n        return 'D'\n    return 'F'"},
		{"nontrivial", "filter_even", "Create a function that returns a new list containing only the even numbers from the input list", "list_operations", "medium", "filter_even_numbers",
			8104.66, 5212.09, 1,
			[]record.Test{pass("[[1, 2, 3, 4, 5, 6]]", "[2, 4, 6]"), pass("[[1, 3, 5]]", "[]"), pass("[[]]", "[]"), pass("[[2, 4, 6]]", "[2, 4, 6]"), pass("[[0, -2, -3, 4]]", "[0, -2, 4]")},
			"numbers: list[int]", "list[int]", "    return [n for n in numbers if n % 2 == 0]"},
		{"nontrivial", "count_words", "Create a function that counts the number of words in a string, where words are separated by spaces", "string_manipulation", "easy", "count_words",
			7311.40, 4630.75, 1,
			[]record.Test{pass(`["hello world"]`, "2"), pass(`["one"]`, "1"), pass(`[""]`, "0"), pass(`["a b c d"]`, "4")},
			"text: str", "int", "    return len(text.split())"},
	}
	var cases []*record.Result
	at := fixtureRun().Started
	for _, f := range fcs {
		e2e := f.stage1MS + f.stage2MS
		passed := 0
		for _, t := range f.tests {
			if t.Passed {
				passed++
			}
		}
		ok := passed == len(f.tests)
		class := "passed"
		if !ok {
			class = "wrong_answer"
		}
		var params []map[string]string
		for _, p := range strings.Split(f.params, ", ") {
			name, typ, _ := strings.Cut(p, ": ")
			params = append(params, map[string]string{"name": name, "type_hint": typ})
		}
		ir, err := json.Marshal(map[string]any{
			"intent":    map[string]any{"summary": f.prompt, "holes": []any{}},
			"signature": map[string]any{"name": f.function, "parameters": params, "returns": f.returns},
		})
		if err != nil {
			panic(err)
		}
		c := &record.Result{
			Suite: f.suite, Case: f.name, Prompt: f.prompt, Category: f.category, Complexity: f.complexity,
			Started: at, Mode: "replay",
			Stage1: record.Stage{Recorded: true, Latency: msd(f.stage1MS), Server: msd(f.stage1MS - 212.5), Calls: 1, Tokens: 301,
				SchemaChecked: 1, SchemaValid: 1, OK: true},
			Stage2: record.Stage{Recorded: true, Latency: msd(f.stage2MS), Server: msd(f.stage2MS - 198.25*float64(f.attempts)),
				Calls: f.attempts, Tokens: 178 * f.attempts, SchemaChecked: f.attempts, SchemaValid: f.attempts, OK: true},
			E2E: msd(e2e), Validate: msd(21.4), CostUSD: cost(e2e), Tokens: 301 + 178*f.attempts, Attempts: f.attempts,
			Compiled: true, Function: f.function, Match: "exact",
			Validation: record.Validation{Compiled: true, Class: class, Tests: f.tests, PeakRSS: 9_830_400}, Success: ok,
			IR:            ir,
			Source:        fmt.Sprintf("def %s(%s) -> %s:\n    \"\"\"%s.\"\"\"\n%s\n", f.function, f.params, f.returns, f.prompt, f.body),
			HarnessBytes:  585_000 + uint64(len(f.tests))*1024,
			HarnessAllocs: 4210,
		}
		if !ok {
			c.Error = fmt.Sprintf("wrong_answer: %d of %d tests failed", len(f.tests)-passed, len(f.tests))
		}
		if f.attempts > 1 {
			c.Stage2.Errors = []string{"attempt 1: wrong_answer: get_grade(90) returned 'B', want 'A'"}
		}
		cases = append(cases, c)
		at = at.Add(time.Duration(e2e+40) * time.Millisecond)
	}
	return cases
}

// fixtureSuite returns the fixture cases of one suite, in order.
func fixtureSuite(suite string) []*record.Result {
	var out []*record.Result
	for _, c := range fixtureCases() {
		if c.Suite == suite {
			out = append(out, c)
		}
	}
	return out
}

// msd is a duration of ms milliseconds.
func msd(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
