package lifttest_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lift-sys/lifttest/lifttest"
	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// A Runner runs a case through both model calls, assembles the Python and
// runs its tests in the sandbox. Here it talks to a fake endpoint over
// loopback; without Mode and Endpoint it would replay ./cassettes.
func ExampleRunner_Run() {
	srv := lifttesttest.NewServer(lifttesttest.Config{Suite: "simple"})
	defer srv.Close()

	r, err := lifttest.NewRunner(lifttest.Options{Mode: lifttest.ModeLive, Endpoint: srv.GenerateURL(), Progress: io.Discard})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	res, err := r.Run(context.Background(), "simple", lifttest.Case{
		Name:     "multiply",
		Prompt:   "Create a function that multiplies two numbers",
		Function: "multiply",
		Tests: []lifttest.Test{
			{Args: []any{2, 3}, Want: 6},
			{Args: []any{2.5, 2}, Want: 5.0},
		},
	}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("success:", res.Success)
	fmt.Printf("tested %s (%s match) after %d attempt(s), %d/%d tests passed\n",
		res.Function, res.Match, res.Attempts, res.Validation.PassedTests(), len(res.Validation.Tests))
	fmt.Println("timing:", res.Timing(), "calls:", res.Stage1.Calls+res.Stage2.Calls)
	// Output:
	// success: true
	// tested multiply_numbers (single match) after 1 attempt(s), 2/2 tests passed
	// timing: measured calls: 2
}

// passAll is a Validator that runs nothing: every test passes. A test of
// code around lifttest can use one to keep Python out of it.
type passAll struct{}

func (passAll) Validate(_ context.Context, p lifttest.Program) (record.Validation, error) {
	v := record.Validation{Compiled: true, Class: "passed"}
	for range p.Tests {
		v.Tests = append(v.Tests, record.Test{Passed: true, Class: "passed"})
	}
	return v, nil
}

// The OpenAI provider drives a vLLM OpenAI-compatible server: Endpoint is
// its /v1 base URL, the schema goes in structured_outputs (or guided_json,
// or response_format), and a streamed answer reports TTFT and TPOT.
func ExampleRunner_Run_openAI() {
	srv := lifttesttest.NewServer(lifttesttest.Config{Suite: "simple"})
	defer srv.Close()

	r, err := lifttest.NewRunner(lifttest.Options{
		Mode: lifttest.ModeLive, Endpoint: srv.OpenAIURL(), Progress: io.Discard,
		Provider: lifttest.ProviderOpenAI, Model: lifttesttest.DefaultModel,
		Structured: "structured_outputs", Stream: true,
		Validator: passAll{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	info, err := r.Prepare(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("model:", info.Model)
	res, err := r.Run(context.Background(), "simple", lifttest.Case{
		Name: "is_even", Prompt: "Create a function that checks if a number is even", Function: "is_even",
		Tests: []lifttest.Test{{Args: []any{4}, Want: true}, {Args: []any{7}, Want: false}},
	}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("success:", res.Success, "function:", res.Function)
	fmt.Println("streamed calls:", res.Stage1.Streamed+res.Stage2.Streamed)
	// Output:
	// model: Qwen/Qwen2.5-Coder-32B-Instruct
	// success: true function: is_number_even
	// streamed calls: 2
}

// Replay without a recording fails with ErrMissingCassette, and the error
// says how to record it.
func ExampleErrMissingCassette() {
	r, err := lifttest.NewRunner(lifttest.Options{CassetteDir: "no-such-dir", Validator: passAll{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	_, err = r.Run(context.Background(), "simple", lifttest.Case{Name: "add", Prompt: "Add two numbers"}, 0)
	fmt.Println(errors.Is(err, lifttest.ErrMissingCassette))
	_, hint, _ := strings.Cut(err.Error(), "record it with: ")
	fmt.Println(hint)
	// Output:
	// true
	// go test -count=1 -record -endpoint "$LIFTTEST_ENDPOINT" -cassettes no-such-dir .
}

// RegisterFlags puts lifttest's flags on a FlagSet: here a private one, as
// a program with flags of its own would; a test binary passes
// flag.CommandLine before flag.Parse.
func ExampleRegisterFlags() {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	opts := lifttest.RegisterFlags(fs)
	err := fs.Parse([]string{"-live", "-endpoint", "http://127.0.0.1:8000/v1", "-provider", "openai",
		"-model", "Qwen/Qwen2.5-Coder-32B-Instruct", "-temperature", "0", "-samples", "5"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opts.Mode, opts.Provider, opts.Model, opts.Samples)
	fmt.Println("temperature:", *opts.Temperature)

	// -record and -live exclude each other.
	fs = flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lifttest.RegisterFlags(fs)
	fmt.Println(fs.Parse([]string{"-record", "-live"}))
	// Output:
	// live openai Qwen/Qwen2.5-Coder-32B-Instruct 5
	// temperature: 0
	// invalid boolean flag live: -record and -live exclude each other: choose one
}

// A Session selects the cases a run asks for: here the second of three
// shards of a suite, whose cases go to shards by a hash of their names, so
// that the shards of a run make the whole run. TestMain would hand it the
// test binary with s.Main(m); TestSuites would call s.Test(t).
func ExampleNewSession() {
	suite := lifttest.Suite{Name: "arith"}
	for _, name := range []string{"add", "sub", "mul", "div", "mod", "pow"} {
		suite.Cases = append(suite.Cases, lifttest.Case{Name: name, Prompt: "Create a function: " + name})
	}
	total := 0
	for k := 1; k <= 3; k++ {
		s, err := lifttest.NewSession(lifttest.Options{Shard: fmt.Sprintf("%d/3", k), Validator: passAll{}}, suite)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, su := range s.Suites() {
			total += len(su.Cases)
		}
		s.Close()
	}
	fmt.Println("cases over 3 shards:", total)

	var out strings.Builder
	s, err := lifttest.NewSession(lifttest.Options{Suite: "arith", Validator: passAll{}}, suite)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	// Without a run, Finish has nothing to report.
	fmt.Printf("finish: %v %q\n", s.Finish(&out), out.String())
	_, err = lifttest.NewSession(lifttest.Options{Suite: "geometry", Validator: passAll{}}, suite)
	fmt.Println(err)
	// Output:
	// cases over 3 shards: 6
	// finish: <nil> ""
	// lifttest: -suite geometry: no such suite (have arith)
}
