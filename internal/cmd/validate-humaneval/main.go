// Command validate-humaneval runs every problem's canonical solution of a
// HumanEval-format file (.jsonl or .jsonl.gz) through the sandbox and
// reports how many pass:
//
//	validate-humaneval -file HumanEval.jsonl.gz [-workers N] [-timeout 10s] [-strict]
//
// -strict refuses to run without full sandbox isolation (the error names
// the missing steps and their fix); otherwise missing steps are noted on
// stderr.
//
// It lists each failure, then ends with exactly one summary line
//
//	humaneval: passed P/N in S s (R jobs/s)
//
// and exits non-zero if any problem failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lift-sys/lifttest/internal/humaneval"
	"github.com/lift-sys/lifttest/internal/sandbox"
)

func main() {
	if err := run(os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "validate-humaneval:", err)
		}
		os.Exit(1)
	}
}

func run(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("validate-humaneval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "HumanEval-format `path` (.jsonl or .jsonl.gz)")
	workers := fs.Int("workers", 0, "sandbox workers (0 = number of CPUs)")
	timeout := fs.Duration("timeout", sandbox.DefaultTimeout, "wall-clock limit per problem")
	strict := fs.Bool("strict", false, "fail unless the sandbox has every isolation step")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-file is required and no positional arguments are accepted")
	}
	if *workers < 0 {
		return errors.New("-workers must not be negative")
	}
	probs, err := humaneval.Load(*file)
	if err != nil {
		return err
	}
	if len(probs) == 0 {
		return fmt.Errorf("%s: no problems", *file)
	}

	// The clock includes starting the pool: that is part of what a
	// validation run costs.
	start := time.Now()
	pool, err := sandbox.New(sandbox.Config{Workers: *workers, Timeout: *timeout, Strict: *strict})
	if err != nil {
		return err
	}
	defer pool.Close()
	results, err := validate(context.Background(), pool, probs)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	passed := 0
	for i, res := range results {
		if res.Class == sandbox.Passed {
			passed++
		} else {
			fmt.Fprintf(stdout, "FAIL %s: %s: %s\n", probs[i].TaskID, res.Class, res.Error)
		}
	}
	if iso := pool.Isolation(); !iso.Full {
		fmt.Fprintf(stderr, "validate-humaneval: note: isolation steps unavailable here: %s\n",
			strings.Join(iso.Missing, ", "))
	}
	fmt.Fprintf(stdout, "humaneval: passed %d/%d in %.2f s (%.1f jobs/s)\n",
		passed, len(probs), elapsed.Seconds(), float64(len(probs))/elapsed.Seconds())
	if passed != len(probs) {
		return fmt.Errorf("%d of %d canonical solutions failed", len(probs)-passed, len(probs))
	}
	return nil
}

// validate runs every problem's canonical solution, as many at once as the
// pool has workers, and returns the results in problem order.
func validate(ctx context.Context, pool *sandbox.Pool, probs []humaneval.Problem) ([]sandbox.Result, error) {
	results := make([]sandbox.Result, len(probs))
	errs := make([]error, len(probs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range pool.Workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := probs[i]
				results[i], errs[i] = pool.RunCheck(ctx, sandbox.CheckJob{
					Prompt: p.Prompt, Completion: p.CanonicalSolution, Test: p.Test, EntryPoint: p.EntryPoint,
				})
			}
		}()
	}
	for i := range probs {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, errors.Join(errs...)
}
