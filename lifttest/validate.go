package lifttest

import (
	"context"
	"fmt"
	"reflect"

	"github.com/lift-sys/lifttest/internal/pyval"
	"github.com/lift-sys/lifttest/internal/sandbox"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// Program is generated code to check: the whole module, the exact name of
// the function to call ("" checks only that the module compiles) and the
// tests, or a HumanEval-style Check program run as check(Function).
type Program struct {
	Source   string
	Function string
	Tests    []Test
	Check    string
}

// Validator runs generated code. The default is a pool of sandboxed Python
// workers; a test may supply its own.
type Validator interface {
	Validate(ctx context.Context, p Program) (record.Validation, error)
}

// poolValidator validates through the sandboxed worker pool.
type poolValidator struct{ pool *sandbox.Pool }

// newSandboxValidator starts the default validator: a pool of long-lived,
// sandboxed python3 workers (one per CPU) that fork a child per program.
func newSandboxValidator(strict bool) (Validator, func() error, error) {
	pool, err := sandbox.New(sandbox.Config{Strict: strict})
	if err != nil {
		return nil, nil, fmt.Errorf("lifttest: start the Python sandbox: %w", err)
	}
	return poolValidator{pool}, pool.Close, nil
}

func (v poolValidator) Validate(ctx context.Context, p Program) (record.Validation, error) {
	if p.Function == "" {
		r, err := v.pool.CheckSyntax(ctx, p.Source)
		if err != nil {
			return record.Validation{}, err
		}
		return fromSandbox(r, nil), nil
	}
	if p.Check != "" {
		r, err := v.pool.RunCheck(ctx, sandbox.CheckJob{Completion: p.Source, Test: p.Check, EntryPoint: p.Function})
		if err != nil {
			return record.Validation{}, err
		}
		val := fromSandbox(r, nil)
		// A check program is one test: it passes or its first assertion fails.
		val.Tests = []record.Test{{Args: "check(" + p.Function + ")", Passed: r.Class == sandbox.Passed, Class: string(r.Class), Expected: "no assertion fails", Error: r.Error}}
		return val, nil
	}
	job := sandbox.IOJob{Source: p.Source, Function: p.Function}
	args := make([]string, len(p.Tests))
	for i, tc := range p.Tests {
		a, err := pyval.Args(pyValues(tc.Args).([]any))
		if err != nil {
			return record.Validation{}, fmt.Errorf("lifttest: test %d args: %w", i+1, err)
		}
		w, err := pyval.Literal(pyValues(tc.Want))
		if err != nil {
			return record.Validation{}, fmt.Errorf("lifttest: test %d want: %w", i+1, err)
		}
		job.Tests = append(job.Tests, sandbox.IOTest{Args: a, Want: w})
		args[i] = a
	}
	r, err := v.pool.RunIO(ctx, job)
	if err != nil {
		return record.Validation{}, err
	}
	return fromSandbox(r, args), nil
}

// pyValues turns every Tuple in v into pyval's tuple, recursively, so that
// the package's Tuple needs no internal type.
func pyValues(v any) any {
	switch x := v.(type) {
	case Tuple:
		out := make(pyval.Tuple, len(x))
		for i, e := range x {
			out[i] = pyValues(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pyValues(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pyValues(e)
		}
		return out
	case nil:
		return nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Interface {
		return pyValues(rv.Convert(reflect.TypeFor[[]any]()).Interface())
	}
	return v
}

func fromSandbox(r sandbox.Result, args []string) record.Validation {
	v := record.Validation{
		Compiled: r.Class != sandbox.SyntaxError,
		Class:    string(r.Class),
		Error:    r.Error,
		Missing:  r.Missing,
		PeakRSS:  r.PeakRSSBytes,
	}
	for i, t := range r.Tests {
		o := record.Test{Passed: t.Passed, Class: string(t.Class), Expected: t.Expected, Actual: t.Actual, Error: t.Error}
		if i < len(args) {
			o.Args = args[i]
		}
		v.Tests = append(v.Tests, o)
	}
	return v
}

// isolation is what the pool has: "full", or "missing: " and the steps
// (see the sandbox package for each one).
func (v poolValidator) isolation() string { return v.pool.Isolation().String() }
