package lifttest

import (
	"fmt"
	"regexp"
)

// Case is one prompt of a suite.
type Case struct {
	// Name identifies the case in its suite, in test and benchmark names and
	// in its cassette's file name: lower case letters, digits, _ and -.
	Name string
	// Prompt is the user's request, sent to stage 1 as it is.
	Prompt string
	// Function is the name the tests expect. The model may choose another
	// (multiply_numbers for multiply): the record's Function and Match say which was tested.
	Function string
	// Tests are called positionally and compared with Python ==.
	Tests []Test
	// Check is a HumanEval-style test program defining check(candidate);
	// when set, the generated function is validated by running
	// check(<function>) in the sandbox instead of Tests.
	Check string
	// Category and Complexity group cases in reports (optional).
	Category   string
	Complexity string
	// XFail, when set, says why this case is expected to fail (a recorded
	// wrong answer, say). Test then passes while the case fails, and fails
	// if it unexpectedly succeeds, so a change in either direction shows.
	XFail string
}

// compileOnly reports a case without tests: it succeeds when its code
// compiles and defines a function to test, as lift-sys's compile-only
// benchmark suites measured.
func (c Case) compileOnly() bool { return len(c.Tests) == 0 && c.Check == "" }

// Test is one call of the generated function: fn(*Args) == Want, in Python.
//
// Go values map to Python: nil is None, bools are True and
// False, Go integers are int, Go floats are float (so 3.0 stays a float and
// 3 == 3.0 still holds under ==), strings are str, Tuple is a tuple (never
// equal to a list), other slices are lists and maps are dicts.
type Test struct {
	Args []any
	Want any
}

// Tuple is a Python tuple in a Test's Args or Want.
type Tuple []any

// Suite is a named list of cases.
type Suite struct {
	// Name names the cassette directory, cassettes/<Name>/.
	Name  string
	Cases []Case
	// Subsets are named selections of the cases, by case name, such as a
	// quick 10-case subset or the phases of a staged suite; -suite
	// name/subset selects one.
	Subsets map[string][]string
	// ExpectedRates is the success rate expected per category, shown beside
	// the measured one in reports.
	ExpectedRates map[string]float64
	// subset names the subset Options.Suite chose, "" for the whole
	// suite; baselines and reports are per suite or suite/subset.
	subset string
}

// key names the suite, or suite/subset, in summaries, reports and baselines.
func (s Suite) key() string {
	if s.subset != "" {
		return s.Name + "/" + s.subset
	}
	return s.Name
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// check reports a case that cannot be run.
func (c Case) check(suite string) error {
	if !nameRE.MatchString(suite) {
		return fmt.Errorf("lifttest: suite name %q: use lower case letters, digits, _ and -", suite)
	}
	if !nameRE.MatchString(c.Name) {
		return fmt.Errorf("lifttest: case name %q in suite %s: use lower case letters, digits, _ and -", c.Name, suite)
	}
	if c.Prompt == "" {
		return fmt.Errorf("lifttest: case %s/%s has no prompt", suite, c.Name)
	}
	return nil
}
