package main

import (
	"context"
	"os"
	"testing"

	"github.com/lift-sys/lifttest/internal/humaneval"
	"github.com/lift-sys/lifttest/internal/sandbox"
)

// BenchmarkValidate runs every canonical solution of a HumanEval-format file
// through a 2-worker pool (started once, as validate-humaneval's clock does
// not), s/run per pass over the file. The file is the bundled sample, or
// LIFTTEST_HUMANEVAL=path (e.g. the 164 problems of HumanEval.jsonl.gz;
// make perf runs the command on FILE with the single-process floor beside
// it).
func BenchmarkValidate(b *testing.B) {
	path := sample
	if p := os.Getenv("LIFTTEST_HUMANEVAL"); p != "" {
		path = p
	}
	probs, err := humaneval.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	pool, err := sandbox.New(sandbox.Config{Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	b.ResetTimer()
	for b.Loop() {
		results, err := validate(context.Background(), pool, probs)
		if err != nil {
			b.Fatal(err)
		}
		for i, res := range results {
			if res.Class != sandbox.Passed {
				b.Fatalf("%s: %s: %s", probs[i].TaskID, res.Class, res.Error)
			}
		}
	}
	b.ReportMetric(float64(len(probs)), "problems")
}
