package lifttest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
	"golang.org/x/perf/benchfmt"
)

// units are the benchmark metrics with the direction that is better.
var units = []struct{ unit, better string }{
	{"stage1-ns/op", "lower"}, {"stage2-ns/op", "lower"}, {"e2e-ns/op", "lower"},
	{"server-ns/op", "lower"}, {"USD/op", "lower"}, {"tokens/op", "lower"},
	{"attempts/op", "lower"}, {"compiled/op", "higher"}, {"tests-passed/op", "higher"},
	{"success/op", "higher"}, {"ir-valid/op", "higher"}, {"code-valid/op", "higher"},
	{"validate-ns/op", "lower"}, {"retries/op", "lower"}, {"ttft-ns/op", "lower"}, {"tpot-ns/op", "lower"},
	{"itl-ns/op", "lower"}, {"itl-p99-ns/op", "lower"}, {"server-tpot-ns/op", "lower"},
	{"warmup-ns", "lower"},
	{"e2e-median-ns", "lower"}, {"e2e-mean-ns", "lower"}, {"e2e-std-ns", "lower"},
	{"stage1-mean-ns", "lower"}, {"stage2-mean-ns", "lower"},
	{"USD-mean/req", "lower"}, {"USD-total", "lower"}, {"success-rate", "higher"},
	{"compile-rate", "higher"}, {"ir-valid-rate", "higher"}, {"code-valid-rate", "higher"}, {"attempts-mean", "lower"},
}

// writeBenchConfig writes, before the benchmarks, the configuration lines
// that describe the run and a Unit line per metric saying which direction
// is better; in replay, where every metric but ns/op and validate-ns/op is
// the same on each run, assume=exact tells benchstat not to expect noise.
func (s *Session) writeBenchConfig(w io.Writer) {
	timing := "measured"
	if s.opts.Mode == ModeReplay {
		timing = "recorded"
		fmt.Fprintln(w, "# lifttest replay: latency, cost and success metrics are the recorded run's; ns/op is lifttest's own cost per request (matching the recording, schema checks, assembly, sandboxed validation), not the endpoint's.")
	}
	// Configuration lines come before the results they describe, which
	// benchfmt.Writer only writes together with a result: written here.
	p := s.runner.price
	_, metricsLine := s.runner.serverMetrics()
	for _, kv := range [][2]string{
		{"lifttest-mode", s.opts.Mode.String()}, {"lifttest-timing", timing},
		{"endpoint", s.runner.info.Host}, {"model", s.runner.info.Model}, {"gpu", s.runner.info.GPU},
		{"price", fmt.Sprintf("%s %.2f-USD/h %.4f-USD/request", p.Name, p.PerHour, p.PerRequest)},
		{"isolation", s.runner.isolation()}, {"shard", s.runner.shard.String()},
		{"server", s.runner.info.Server}, {"structured", s.runner.info.Structured}, {"canary", s.runner.info.Canary},
		{"server-metrics", metricsLine},
	} {
		if kv[1] != "" {
			fmt.Fprintf(w, "%s: %s\n", kv[0], strings.Join(strings.Fields(kv[1]), "-"))
		}
	}
	bw := benchfmt.NewWriter(w)
	for _, u := range units {
		bw.Write(&benchfmt.UnitMetadata{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u.unit, Key: "better"}, OrigUnit: u.unit, Value: u.better})
		if s.opts.Mode == ModeReplay && u.unit != "validate-ns/op" {
			bw.Write(&benchfmt.UnitMetadata{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u.unit, Key: "assume"}, OrigUnit: u.unit, Value: "exact"})
		}
	}
}

// writeBenchSummary writes, after the benchmarks, the warmup and one line
// per suite with the suite's summary as benchmark results, then the
// original harness's table per suite as comments. The lines carry only
// their metrics: an ns/op of computing a summary would be a meaningless row
// in benchstat. A shard writes no summary: a suite's figures are those of
// the merged journals of every shard.
func (s *Session) writeBenchSummary(w io.Writer) {
	bw := benchfmt.NewWriter(w)
	if s.runner.info.Warmup > 0 {
		bw.Write(&benchfmt.Result{Name: benchfmt.Name("Warmup"), Iters: 1,
			Values: []benchfmt.Value{{Value: float64(s.runner.info.Warmup.Nanoseconds()), Unit: "warmup-ns"}}})
	}
	s.mu.Lock()
	recs := s.records
	s.mu.Unlock()
	if sh := s.runner.shard; sh.N > 1 {
		fmt.Fprintf(w, "# shard %s: no suite summary here; merge every shard's journal: go run ./internal/cmd/report -journal '%s'\n",
			sh, filepath.Join(s.opts.Results, "journal-*.jsonl"))
		return
	}
	const ns = float64(time.Millisecond) // Summary latencies are in ms
	for _, su := range s.suites {
		mine := suiteRecords(recs, su)
		if len(mine) == 0 {
			continue
		}
		sum := results.Summarize(su.key(), mine, su.ExpectedRates)
		bw.Write(&benchfmt.Result{Name: benchfmt.Name("Summary/suite=" + su.key()), Iters: 1, Values: []benchfmt.Value{
			{Value: sum.E2E.Median * ns, Unit: "e2e-median-ns"},
			{Value: sum.E2E.Mean * ns, Unit: "e2e-mean-ns"},
			{Value: sum.E2E.Std * ns, Unit: "e2e-std-ns"},
			{Value: sum.Stage1.Mean * ns, Unit: "stage1-mean-ns"},
			{Value: sum.Stage2.Mean * ns, Unit: "stage2-mean-ns"},
			{Value: sum.CostMeanUSD, Unit: "USD-mean/req"},
			{Value: sum.CostTotalUSD, Unit: "USD-total"},
			{Value: sum.SuccessRate, Unit: "success-rate"},
			{Value: sum.CompileRate, Unit: "compile-rate"},
			{Value: sum.IRSchemaValid, Unit: "ir-valid-rate"},
			{Value: sum.CodeSchemaValid, Unit: "code-valid-rate"},
			{Value: sum.AttemptsMean, Unit: "attempts-mean"},
		}})
		writeTable(w, sum, mine)
	}
}

// writeTable writes a suite's runs in the shape of the original harness's
// report, each line starting with "# " so that benchstat skips it.
func writeTable(w io.Writer, sum results.Summary, recs []*record.Result) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tsuccess\te2e s\tstage1 s\tstage2 s\tattempts\ttests\tcost USD\t")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%v\t%.2f\t%.2f\t%.2f\t%d\t%d/%d\t%.6f\t\n", r.Case, r.Success, r.E2E.Seconds(),
			r.Stage1.Latency.Seconds(), r.Stage2.Latency.Seconds(), r.Attempts, r.Validation.PassedTests(), len(r.Validation.Tests), r.CostUSD)
	}
	tw.Flush()
	fmt.Fprintf(w, "# suite=%s: %d runs, %d successful\n", sum.Suite, sum.Runs, sum.Successful)
	for line := range strings.SplitSeq(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprintf(w, "#   %s\n", line)
	}
	if sum.Successful > 0 {
		fmt.Fprintf(w, "#   E2E median %.2f, mean %.2f, std %.2f, range %.2f-%.2f s\n", sum.E2E.Median/1000, sum.E2E.Mean/1000, sum.E2E.Std/1000, sum.E2E.Min/1000, sum.E2E.Max/1000)
	}
	fmt.Fprintf(w, "#   cost mean %.6f USD per request, total %.6f USD\n", sum.CostMeanUSD, sum.CostTotalUSD)
}

// cacheInputs tells go test's result cache what the run depends on. The
// environment that RegisterFlags read at package initialization was read
// before go test started watching (it logs what a test reads from m.Run on),
// so it is read again here, inside m.Run, to become part of the cache key.
// A live or record run depends on the endpoint, which go test cannot see:
// it opens a marker file it has just rewritten, and go test does not cache
// a run that opened a file of the module modified within the last two
// seconds (cmd/go's modTimeCutoff; files outside the module are not
// checked), whatever chose the mode, a flag or the environment. The marker
// is <CassetteDir>/.lifttest-live-run, or ./.lifttest-live-run without a
// cassette directory. A replay waits here for its cassettes, parsed on
// every core since NewSession, so no benchmark's loop times a parse.
func (s *Session) cacheInputs() {
	for _, name := range s.opts.env {
		os.Getenv(name)
	}
	if s.opts.Mode == ModeReplay {
		if s.preloaded != nil {
			<-s.preloaded
		}
		return
	}
	dir := s.opts.CassetteDir
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = "." // the package's directory, inside the module too
	}
	path := filepath.Join(dir, ".lifttest-live-run")
	if err := os.WriteFile(path, []byte(time.Now().Format(time.RFC3339Nano)+"\n"), 0o644); err == nil {
		if f, err := os.Open(path); err == nil {
			f.Close()
		}
	}
}
