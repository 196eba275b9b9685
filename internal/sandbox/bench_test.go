package sandbox

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

var trivialJob = IOJob{Source: "def f(x):\n    return x\n", Function: "f", Tests: []IOTest{{"[1]", "1"}}}

// BenchmarkTrivialJob measures the per-job overhead of the sandbox: one
// worker, one trivial job at a time, end to end from Go. ms/job is the
// median.
func BenchmarkTrivialJob(b *testing.B) {
	p := newPool(b, Config{Workers: 1})
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		res, err := p.RunIO(ctx, trivialJob)
		durations = append(durations, time.Since(start))
		if err != nil || res.Class != Passed {
			b.Fatalf("%v %+v", err, res)
		}
	}
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "ms/job")
}

// BenchmarkThroughput2Workers measures trivial jobs per second with two
// workers kept busy.
func BenchmarkThroughput2Workers(b *testing.B) {
	p := newPool(b, Config{Workers: 2})
	ctx := context.Background()
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	b.ResetTimer()
	for range 4 { // more submitters than workers keeps both busy
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				res, err := p.RunIO(ctx, trivialJob)
				if err != nil || res.Class != Passed {
					b.Errorf("%v %+v", err, res)
				}
			}
		}()
	}
	for b.Loop() {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}

// BenchmarkForkFloor is the anchor of BenchmarkTrivialJob: a bare fork,
// _exit and wait of the same interpreter with a worker's modules loaded
// (testdata/forkfloor.py), b.N forks; ms/fork is the median. A job cannot
// be cheaper than what a fresh process costs on the machine.
func BenchmarkForkFloor(b *testing.B) {
	python, err := resolvePython("")
	if err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 10)
	out, err := exec.Command(python, "-I", "-S", "testdata/forkfloor.py", strconv.Itoa(n)).Output()
	if err != nil {
		b.Fatal(err)
	}
	var median float64
	if _, err := fmt.Sscanf(string(out), "forkfloor: fork+exit+wait median %f ms", &median); err != nil {
		b.Fatalf("%q: %v", out, err)
	}
	b.ReportMetric(median, "ms/fork")
}
