package lifttest

import (
	"context"
	"fmt"

	"github.com/lift-sys/lifttest/internal/pyval"
	"github.com/lift-sys/lifttest/internal/sandbox"
)

// Program is generated code to check: the whole module, the exact name of
// the function to call ("" checks only that the module compiles) and the
// tests.
type Program struct {
	Source   string
	Function string
	Tests    []Test
	// Check, when set, is a HumanEval-style program defining
	// check(candidate), run as check(Function) instead of Tests.
	Check string
}

// Validation is what running a Program found.
type Validation struct {
	// Compiled: the module parses (Python's ast).
	Compiled bool
	// Class is the overall outcome: passed, wrong_answer, exception,
	// syntax_error, function_missing, timeout, memory_limit, output_limit,
	// signal or sandbox_error.
	Class string
	// Error explains a class other than passed ("ExcType: message").
	Error string
	// Tests has one outcome per Program test, in order.
	Tests []TestOutcome
	// Missing lists isolation steps the sandbox could not apply here.
	Missing []string
	// PeakRSS is the peak resident memory of the program, in bytes.
	PeakRSS int64
}

// Passed reports whether the program compiled and every test passed.
func (v Validation) Passed() bool { return v.Compiled && v.Class == "passed" }

// TestOutcome is the result of one Test.
type TestOutcome struct {
	Args     string // the Python argument list, e.g. "[2, 3]"
	Passed   bool
	Class    string // passed, wrong_answer, exception, timeout, ...
	Expected string // repr of the expected value
	Actual   string // repr of the returned value; "" when it raised
	Error    string // "ExcType: message" when it raised
}

// Validator runs generated code. The default is a pool of sandboxed Python
// workers; a test may supply its own.
type Validator interface {
	Validate(ctx context.Context, p Program) (Validation, error)
}

// poolValidator validates through the sandboxed worker pool.
type poolValidator struct{ pool *sandbox.Pool }

// NewSandboxValidator starts the default validator: a pool of long-lived,
// sandboxed python3 workers (one per CPU) that fork a child per program.
// Close it when done.
func NewSandboxValidator() (Validator, func() error, error) {
	pool, err := sandbox.New(sandbox.Config{})
	if err != nil {
		return nil, nil, fmt.Errorf("lifttest: start the Python sandbox: %w", err)
	}
	return poolValidator{pool}, pool.Close, nil
}

func (v poolValidator) Validate(ctx context.Context, p Program) (Validation, error) {
	if p.Function == "" {
		r, err := v.pool.CheckSyntax(ctx, p.Source)
		if err != nil {
			return Validation{}, err
		}
		return fromSandbox(r, nil), nil
	}
	if p.Check != "" {
		r, err := v.pool.RunCheck(ctx, sandbox.CheckJob{Completion: p.Source, Test: p.Check, EntryPoint: p.Function})
		if err != nil {
			return Validation{}, err
		}
		val := fromSandbox(r, nil)
		// A check program is one test: it passes or its first assertion fails.
		val.Tests = []TestOutcome{{Args: "check(" + p.Function + ")", Passed: r.Class == sandbox.Passed, Class: string(r.Class), Expected: "no assertion fails", Error: r.Error}}
		return val, nil
	}
	job := sandbox.IOJob{Source: p.Source, Function: p.Function}
	args := make([]string, len(p.Tests))
	for i, tc := range p.Tests {
		a, err := pyval.Args(tc.Args)
		if err != nil {
			return Validation{}, fmt.Errorf("lifttest: test %d args: %w", i+1, err)
		}
		w, err := pyval.Literal(tc.Want)
		if err != nil {
			return Validation{}, fmt.Errorf("lifttest: test %d want: %w", i+1, err)
		}
		job.Tests = append(job.Tests, sandbox.IOTest{Args: a, Want: w})
		args[i] = a
	}
	r, err := v.pool.RunIO(ctx, job)
	if err != nil {
		return Validation{}, err
	}
	return fromSandbox(r, args), nil
}

func fromSandbox(r sandbox.Result, args []string) Validation {
	v := Validation{
		Compiled: r.Class != sandbox.SyntaxError,
		Class:    string(r.Class),
		Error:    r.Error,
		Missing:  r.Missing,
		PeakRSS:  r.PeakRSSBytes,
	}
	for i, t := range r.Tests {
		o := TestOutcome{Passed: t.Passed, Class: string(t.Class), Expected: t.Expected, Actual: t.Actual, Error: t.Error}
		if i < len(args) {
			o.Args = args[i]
		}
		v.Tests = append(v.Tests, o)
	}
	return v
}
