package lifttest_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"

	"github.com/lift-sys/lifttest/lifttest"
)

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// The 2025-10-22 baseline (LIFTSYS.md §7): five successful runs.
func baselineResults() []*lifttest.Result {
	rows := []struct{ s1, s2 float64 }{{8850, 5780}, {8890, 3960}, {6920, 4430}, {9100, 4750}, {7640, 5650}}
	var rs []*lifttest.Result
	for i, r := range rows {
		res := &lifttest.Result{Case: fmt.Sprint(i), Success: true, Stage1: lifttest.Stage{Latency: ms(r.s1)}, Stage2: lifttest.Stage{Latency: ms(r.s2)}}
		res.E2E = res.Stage1.Latency + res.Stage2.Latency
		res.Cost = res.E2E.Seconds()*0.60/3600 + 0.0001
		rs = append(rs, res)
	}
	return rs
}

func TestSummarizeReproducesTheBaseline(t *testing.T) {
	rs := baselineResults()
	rs = append(rs, &lifttest.Result{Case: "failed", Cost: 0.0001, E2E: time.Hour}) // counted in cost, not in latency
	s := lifttest.Summarize(rs)
	assert.Equal(t, 6, s.Runs)
	assert.Equal(t, 5, s.Successful)
	assert.Equal(t, ms(13290), s.E2E.Median)
	assert.Equal(t, ms(13194), s.E2E.Mean)
	assert.InDelta(t, 1.23, s.E2E.Std.Seconds(), 0.005)
	assert.Equal(t, ms(11350), s.E2E.Min)
	assert.Equal(t, ms(14630), s.E2E.Max)
	assert.Equal(t, ms(8850), s.Stage1.Median)
	assert.Equal(t, ms(4750), s.Stage2.Median)
	assert.InDelta(t, 65.97*0.60/3600+6*0.0001, s.CostTotal, 1e-12, "all six runs are priced")
}

func TestSummarizeEvenCountAndEmpty(t *testing.T) {
	rs := baselineResults()[:4]
	s := lifttest.Summarize(rs)
	assert.Equal(t, (ms(12850)+ms(13850))/2, s.E2E.Median, "mean of the two middle values")
	empty := lifttest.Summarize(nil)
	assert.Zero(t, empty.E2E.N)
	assert.Zero(t, empty.CostMean)
}

// The benchmark output, config lines included, must read as benchfmt with
// the directions and assumptions the Unit lines declare.
func TestBenchOutputIsBenchfmt(t *testing.T) {
	dir := t.TempDir()
	rec, _, _ := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir})
	_, err := rec.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	_, err = rec.Prepare(context.Background())
	require.NoError(t, err)

	h, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: dir, Validator: rec.Validator()})
	require.NoError(t, err)
	info, err := h.Prepare(context.Background())
	require.NoError(t, err)
	var out bytes.Buffer
	h.WriteBenchConfig(&out, info)

	res := testing.Benchmark(func(b *testing.B) { h.Bench(b, "simple", addNumbers) })
	require.Positive(t, res.N)
	fmt.Fprintf(&out, "BenchmarkSuite/suite=simple/case=add_numbers-2 %d %d ns/op", res.N, res.NsPerOp())
	for unit, v := range res.Extra {
		fmt.Fprintf(&out, " %g %s", v, unit)
	}
	out.WriteString("\n")

	r := benchfmt.NewReader(strings.NewReader(out.String()), "bench.txt")
	var got *benchfmt.Result
	var units benchfmt.UnitMetadataMap
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			got = rec.Clone()
		case *benchfmt.UnitMetadata:
			if units == nil {
				units = benchfmt.UnitMetadataMap{}
			}
			units[rec.UnitMetadataKey] = rec
		case *benchfmt.SyntaxError:
			t.Fatalf("benchfmt: %v", rec)
		}
	}
	require.NoError(t, r.Err())
	require.NotNil(t, got)
	assert.Equal(t, "replay", string(got.GetConfig("lifttest-mode")))
	assert.Equal(t, "Qwen/Qwen2.5-Coder-32B-Instruct", string(got.GetConfig("model")))
	assert.Contains(t, string(got.GetConfig("endpoint")), "127.0.0.1")

	e2e, ok := got.Value("e2e-sec/op")
	require.True(t, ok, "e2e-ns/op is tidied to seconds")
	res1, _ := h.Run(context.Background(), "simple", addNumbers)
	assert.InDelta(t, res1.E2E.Seconds(), e2e, 1e-6, "the metric is the recorded E2E")
	success, ok := got.Value("success/op")
	require.True(t, ok)
	assert.Equal(t, 1.0, success)

	assert.Equal(t, -1, units.GetBetter("e2e-sec/op"), "lower latency is better")
	assert.Equal(t, 1, units.GetBetter("success/op"))
	assert.Equal(t, benchmath.AssumeExact, units.GetAssumption("USD/op"), "replay makes cost exact")
	assert.Equal(t, benchmath.AssumeNothing, units.GetAssumption("validate-sec/op"), "validation time is measured, not exact")
}
