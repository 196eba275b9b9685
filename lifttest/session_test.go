package lifttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
	"github.com/lift-sys/lifttest/lifttest/record"
)

var finishSuite = Suite{Name: "simple", Cases: []Case{
	addNumbers,
	{Name: "is_even", Prompt: "Create a function that checks if a number is even", Function: "is_even", Category: "boolean",
		Tests: []Test{{Args: []any{2}, Want: true}, {Args: []any{3}, Want: false}}},
}}

// runSession runs the suites' cases as s.Test inside a subtest of t, then
// Finish, and returns Finish's output and error.
func runSession(t *testing.T, opts Options, suites ...Suite) (string, error) {
	t.Helper()
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.CassetteDir == "" {
		opts.CassetteDir = t.TempDir() // a live session writes a marker there
	}
	bounded(&opts)
	s, err := NewSession(opts, suites...)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	t.Run("run", s.Test)
	var out strings.Builder
	err = s.Finish(&out)
	return out.String(), err
}

// recordFinishSuite records finishSuite against the fake endpoint, as a
// session, and returns the cassette directory, so later runs replay exact
// figures.
func recordFinishSuite(t *testing.T) string {
	t.Helper()
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple", Latency: lifttesttest.Latency{Fixed: 20e6}})
	dir := t.TempDir()
	_, err := runSession(t, Options{Mode: ModeRecord, Endpoint: srv.GenerateURL(), CassetteDir: dir, Validator: stubValidator{}}, finishSuite)
	require.NoError(t, err)
	for _, c := range finishSuite.Cases {
		require.FileExists(t, filepath.Join(dir, "simple", c.Name+".yaml"))
	}
	return dir
}

// find is the one file matching pattern in dir.
func find(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	require.NoError(t, err)
	require.Len(t, m, 1, "%s in %s", pattern, dir)
	return m[0]
}

// TestSessionLiveWritesJournalAndReports runs a live session against the
// fake endpoint with the default validator: the sandbox the session starts.
func TestSessionLiveWritesJournalAndReports(t *testing.T) {
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple"})
	dir := filepath.Join(t.TempDir(), "results") // created by the session
	var progress bytes.Buffer
	out, err := runSession(t, Options{Mode: ModeLive, Endpoint: srv.GenerateURL(), Results: dir, Progress: &progress}, finishSuite)
	require.NoError(t, err)
	assert.Contains(t, out, "suite simple: 2/2 successful (100.0%")
	assert.Contains(t, out, "boolean", "the category table")
	assert.Equal(t, 4, srv.Requests(), "two calls per case")

	meta, cases, err := report.ReadJournal(find(t, dir, "journal-*.jsonl"))
	require.NoError(t, err)
	require.Len(t, cases, 2, "one journal record per case")
	assert.Equal(t, "live", meta.Mode)
	assert.Equal(t, "add_numbers", cases[0].Case)
	assert.Equal(t, "is_even", cases[1].Case)
	for _, c := range cases {
		assert.True(t, c.Success, "%s: %s", c.Case, c.Error)
		assert.Equal(t, "simple", c.Suite)
		assert.Equal(t, "live", c.Mode)
		assert.NotEmpty(t, c.Validation.Tests, "validated by the real sandbox")
	}
	assert.Equal(t, "is_number_even", cases[1].Function, "the model's name, found by lookup")

	for _, pattern := range []string{"report-*.html", "report-*.md", "simple-*.json"} {
		path := find(t, dir, pattern)
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Positive(t, info.Size(), path)
		assert.Contains(t, out, path, "Finish names what it wrote")
	}
	md, err := os.ReadFile(find(t, dir, "report-*.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "add_numbers")
	html, err := os.ReadFile(find(t, dir, "report-*.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
	assert.Contains(t, string(html), "is_even")

	// The results file is lift-sys's shape, in the suite's order.
	f, err := os.Open(find(t, dir, "simple-*.json"))
	require.NoError(t, err)
	defer f.Close()
	fromFile, err := report.ReadResultsJSON(f)
	require.NoError(t, err)
	require.Len(t, fromFile, 2)
	assert.Equal(t, cases[1].Case, fromFile[1].Case)

	// A live session prints a progress line per run.
	assert.Equal(t, 2, strings.Count(progress.String(), "\n"), progress.String())
}

func TestFinishWritesJournalResultsAndReports(t *testing.T) {
	cassettes := recordFinishSuite(t)
	dir := t.TempDir()
	var progress bytes.Buffer
	out, err := runSession(t, Options{CassetteDir: cassettes, Validator: stubValidator{}, Results: dir, Progress: &progress}, finishSuite)
	require.NoError(t, err)
	assert.Contains(t, out, "suite simple: 2/2 successful (100.0%")
	assert.Empty(t, progress.String(), "replay prints no progress")

	meta, cases, err := report.ReadJournal(find(t, dir, "journal-*.jsonl"))
	require.NoError(t, err)
	require.Len(t, cases, 2, "one journal line per case")
	assert.Equal(t, "replay", meta.Mode)
	// A replay runs a case per core: the journal is in the order they
	// finished, the results file in the suite's.
	slices.SortFunc(cases, func(a, b *record.Result) int { return strings.Compare(a.Case, b.Case) })
	assert.Equal(t, "add_numbers", cases[0].Case)
	assert.True(t, cases[0].Stage1.Recorded)
	assert.Positive(t, cases[0].E2E)

	f, err := os.Open(find(t, dir, "simple-*.json"))
	require.NoError(t, err)
	defer f.Close()
	fromFile, err := report.ReadResultsJSON(f)
	require.NoError(t, err)
	require.Len(t, fromFile, 2)
	assert.Equal(t, []string{finishSuite.Cases[0].Name, finishSuite.Cases[1].Name}, []string{fromFile[0].Case, fromFile[1].Case})
	find(t, dir, "report-*.md")
	find(t, dir, "report-*.html")
}

func TestFinishWritesABaselineThenGates(t *testing.T) {
	cassettes := recordFinishSuite(t)
	baselines := t.TempDir()
	replay := func(o Options) Options {
		o.CassetteDir, o.Validator, o.Baselines = cassettes, stubValidator{}, baselines
		return o
	}

	// Gating without a baseline says which file is missing.
	_, err := runSession(t, replay(Options{Gate: true}), finishSuite)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrGate)
	assert.Contains(t, err.Error(), filepath.Join(baselines, "simple.json"))

	out, err := runSession(t, replay(Options{WriteBaseline: true}), finishSuite)
	require.NoError(t, err)
	assert.Contains(t, out, "baseline written: "+filepath.Join(baselines, "simple.json"))
	b, err := gate.LoadBaseline(baselines, "simple")
	require.NoError(t, err)
	assert.Equal(t, 2, b.Runs)
	assert.Equal(t, 2, b.Successful)
	assert.Equal(t, 0.60, b.PriceUSDPerHour)
	assert.Positive(t, b.E2EMedianMS)

	// The same recordings against their own baseline pass.
	out, err = runSession(t, replay(Options{Gate: true}), finishSuite)
	require.NoError(t, err)
	assert.Contains(t, out, "gate: PASS")

	// A baseline twice as fast makes the same run a regression.
	path := filepath.Join(baselines, "simple.json")
	var raw map[string]any
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &raw))
	for k, v := range raw {
		if strings.HasPrefix(k, "e2e_") {
			raw[k] = v.(float64) / 2
		}
	}
	data, err = json.Marshal(raw)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	results := t.TempDir()
	out, err = runSession(t, replay(Options{Gate: true, Results: results}), finishSuite)
	require.ErrorIs(t, err, ErrGate)
	assert.Contains(t, err.Error(), "simple crossed a fail threshold")
	assert.Contains(t, out, "E2E median")
	assert.Contains(t, out, "gate: FAIL")
	// The failed gate is in the report too.
	md, err := os.ReadFile(find(t, results, "report-*.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "FAIL")
}

// TestSessionRecordsAndReplaysTheSameFigures: the summary of a record
// session is that of its replays.
func TestSessionRecordsAndReplaysTheSameFigures(t *testing.T) {
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple", Latency: lifttesttest.Latency{Fixed: 10e6}})
	dir := t.TempDir()
	rec, err := runSession(t, Options{Mode: ModeRecord, Endpoint: srv.GenerateURL(), CassetteDir: dir, Validator: stubValidator{}}, finishSuite)
	require.NoError(t, err)
	rep, err := runSession(t, Options{CassetteDir: dir, Validator: stubValidator{}}, finishSuite)
	require.NoError(t, err)
	assert.Contains(t, rep, "E2E median")
	assert.Equal(t, rec, rep)
}

func TestFinishWithoutCasesDoesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSession(Options{CassetteDir: t.TempDir(), Validator: nopValidator{}, Results: dir, Gate: true, Baselines: t.TempDir()}, finishSuite)
	require.NoError(t, err)
	defer s.Close()
	var out strings.Builder
	require.NoError(t, s.Finish(&out))
	assert.Empty(t, out.String())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no results for a run without cases")
}

// TestConcurrentSession is what -concurrency does: cases in parallel on
// one runner, each with its samples (run it with -race).
func TestConcurrentSession(t *testing.T) {
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple"})
	dir := t.TempDir()
	out, err := runSession(t, Options{Mode: ModeLive, Endpoint: srv.GenerateURL(), Validator: stubValidator{}, Results: dir, Samples: 4, Concurrency: 4}, finishSuite)
	require.NoError(t, err)
	assert.Equal(t, 16, srv.Requests(), "two calls for each of 8 runs")
	assert.Contains(t, out, "suite simple: 8/8 successful")
	assert.Contains(t, out, "pass@1 1.000", "4 samples per case")
	assert.Contains(t, out, "pass^1 1.000", "pass^k beside pass@k")
	assert.NotContains(t, out, "flaky cases:", "every sample passed")

	// The results file lists them in the suite's order, whatever order
	// they finished in.
	f, err := os.Open(find(t, dir, "simple-*.json"))
	require.NoError(t, err)
	defer f.Close()
	got, err := report.ReadResultsJSON(f)
	require.NoError(t, err)
	var order []string
	for _, c := range got {
		order = append(order, fmt.Sprintf("%s/%d", c.Case, c.Sample))
	}
	assert.Equal(t, []string{"add_numbers/0", "add_numbers/1", "add_numbers/2", "add_numbers/3", "is_even/0", "is_even/1", "is_even/2", "is_even/3"}, order)
	_, cases, err := report.ReadJournal(find(t, dir, "journal-*.jsonl"))
	require.NoError(t, err)
	assert.Len(t, cases, 8, "every run journaled")
}

// syncBuffer is a bytes.Buffer safe for the session's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestProgressOfLiveRuns(t *testing.T) {
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple"})
	var buf syncBuffer
	s, err := NewSession(Options{Mode: ModeLive, Endpoint: srv.GenerateURL(), CassetteDir: t.TempDir(), Validator: stubValidator{}, Progress: &buf}, finishSuite)
	require.NoError(t, err)
	defer s.Close()
	s.progress.total = 3 // as Main sets it
	t.Run("run", s.Test)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2, "a line per finished run")
	// Elapsed counts from the first run, not from the zero time.
	assert.Regexp(t, `^lifttest: 1/3 done, 0 failed, elapsed \d+s, ETA \d+s$`, lines[0])
	assert.Regexp(t, `^lifttest: 2/3 done, 0 failed, elapsed \d+s, ETA \d+s$`, lines[1])

	// Replay prints nothing: it takes a second.
	var rbuf syncBuffer
	out, err := runSession(t, Options{CassetteDir: recordFinishSuite(t), Validator: stubValidator{}, Progress: &rbuf}, finishSuite)
	require.NoError(t, err)
	assert.Contains(t, out, "2/2 successful")
	assert.Empty(t, rbuf.String())
}

// The benchmark output, config lines included, must read as benchfmt with
// the directions and assumptions the Unit lines declare.
func TestBenchOutputIsBenchfmt(t *testing.T) {
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple", Latency: lifttesttest.Latency{Fixed: 5e6}})
	dir := t.TempDir()
	rec, err := NewRunner(Options{Mode: ModeRecord, Endpoint: srv.GenerateURL(), CassetteDir: dir, Validator: stubValidator{}})
	require.NoError(t, err)
	_, err = rec.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	_, err = rec.Prepare(context.Background())
	require.NoError(t, err)

	s, err := NewSession(Options{CassetteDir: dir, Validator: stubValidator{}}, Suite{Name: "simple", Cases: []Case{addNumbers}})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.runner.Prepare(context.Background())
	require.NoError(t, err)
	var out bytes.Buffer
	s.writeBenchConfig(&out)

	res := testing.Benchmark(func(b *testing.B) { s.benchCase(b, "simple", addNumbers) })
	require.Positive(t, res.N)
	fmt.Fprintf(&out, "BenchmarkSuite/suite=simple/case=add_numbers-2 %d %d ns/op", res.N, res.NsPerOp())
	for unit, v := range res.Extra {
		fmt.Fprintf(&out, " %g %s", v, unit)
	}
	out.WriteString("\n")
	s.writeBenchSummary(&out)

	r := benchfmt.NewReader(strings.NewReader(out.String()), "bench.txt")
	var got []*benchfmt.Result
	var units benchfmt.UnitMetadataMap
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			got = append(got, rec.Clone())
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
	require.Len(t, got, 3, "the case, the recorded warmup and the suite summary:\n%s", out.String())
	bench := got[0]
	assert.Equal(t, "replay", string(bench.GetConfig("lifttest-mode")))
	assert.Equal(t, "recorded", string(bench.GetConfig("lifttest-timing")))
	assert.Equal(t, lifttesttest.DefaultModel, string(bench.GetConfig("model")))
	assert.Contains(t, string(bench.GetConfig("endpoint")), "127.0.0.1")

	e2e, ok := bench.Value("e2e-sec/op")
	require.True(t, ok, "e2e-ns/op is tidied to seconds")
	res1, err := s.runner.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.InDelta(t, res1.E2E.Seconds(), e2e, 1e-6, "the metric is the recorded E2E")
	// A replay's per-case outcomes are the recording's: not benchmark
	// metrics (a failing case's 0 would leave benchstat no geomean), but
	// suite rates in the Summary line.
	_, ok = bench.Value("success/op")
	assert.False(t, ok, "success/op in a replay benchmark")
	s.mu.Lock()
	assert.Len(t, s.records, 1, "a replay benchmark records one run per case")
	s.mu.Unlock()

	assert.Equal(t, "Warmup", string(got[1].Name))
	warm, ok := got[1].Value("warmup-sec")
	require.True(t, ok)
	assert.InDelta(t, s.runner.info.Warmup.Seconds(), warm, 1e-9, "the recorded warmup")
	summary := got[2]
	assert.Equal(t, "Summary/suite=simple", string(summary.Name))
	for _, unit := range []string{"compile-rate", "ir-valid-rate", "code-valid-rate", "attempts-mean"} {
		_, ok := summary.Value(unit)
		assert.True(t, ok, "the Summary line has %s", unit)
	}
	rate, ok := summary.Value("success-rate")
	require.True(t, ok)
	assert.Equal(t, 1.0, rate)
	assert.Contains(t, out.String(), "# suite=simple: 1 runs, 1 successful")

	assert.Equal(t, -1, units.GetBetter("e2e-sec/op"), "lower latency is better")
	assert.Equal(t, 1, units.GetBetter("success/op"))
	assert.Equal(t, benchmath.AssumeExact, units.GetAssumption("USD/op"), "replay makes cost exact")
	assert.Equal(t, benchmath.AssumeNothing, units.GetAssumption("validate-sec/op"), "validation time is measured, not exact")
}

// TestBenchSummaryOfAShard: a shard writes no suite summary, only how to
// merge the shards' journals.
func TestBenchSummaryOfAShard(t *testing.T) {
	s, err := NewSession(Options{Shard: "2/3", Results: "out", Validator: nopValidator{}}, finishSuite)
	require.NoError(t, err)
	defer s.Close()
	s.records = []*record.Result{{Suite: "simple", Case: "add_numbers", Success: true}}
	var out bytes.Buffer
	s.writeBenchSummary(&out)
	assert.Contains(t, out.String(), "# shard 2/3: no suite summary here")
	assert.Contains(t, out.String(), filepath.Join("out", "journal-*.jsonl"))
	assert.NotContains(t, out.String(), "Summary/")
}

// TestSessionExpectedFailure: a case marked XFail that fails is a passing
// row, and its run is still recorded as a failure.
func TestSessionExpectedFailure(t *testing.T) {
	wrong := `{"implementation": {"body_statements": [{"type": "return", "code": "return a - b"}]}}`
	srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{{
		Prompt: "Create a function that adds two numbers",
		IR:     `{"intent": {"summary": "add two numbers"}, "signature": {"name": "add", "parameters": [{"name": "a", "type_hint": "int"}, {"name": "b", "type_hint": "int"}], "returns": "int"}}`,
		Code:   []string{wrong},
	}}})
	suite := Suite{Name: "xfail", Cases: []Case{{
		Name: "add", Prompt: "Create a function that adds two numbers", Function: "add",
		Tests: []Test{{Args: []any{2, 3}, Want: 5}}, XFail: "the model subtracts",
	}}}
	dir := t.TempDir()
	out, err := runSession(t, Options{Mode: ModeLive, Endpoint: srv.GenerateURL(), Results: dir, MaxAttempts: 2, Validator: sharedValidator(t)}, suite)
	require.NoError(t, err)
	assert.Contains(t, out, "suite xfail: 0/1 successful")
	_, cases, err := report.ReadJournal(find(t, dir, "journal-*.jsonl"))
	require.NoError(t, err)
	require.Len(t, cases, 1)
	assert.False(t, cases[0].Success)
	assert.Equal(t, 2, cases[0].Attempts)
	assert.Contains(t, cases[0].Error, "add(2, 3) returned -1, want 5")
}

// TestSessionSubsetBaseline: a suite/subset has its own results file and
// baseline, under the suite's directory.
func TestSessionSubsetBaseline(t *testing.T) {
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple"})
	suite := finishSuite
	suite.Subsets = map[string][]string{"quick": {"is_even"}}
	baselines, results := t.TempDir(), t.TempDir()
	out, err := runSession(t, Options{Mode: ModeLive, Endpoint: srv.GenerateURL(), Suite: "simple/quick", Validator: stubValidator{},
		WriteBaseline: true, Baselines: baselines, Results: results}, suite)
	require.NoError(t, err)
	assert.Contains(t, out, "suite simple/quick: 1/1 successful")
	assert.Contains(t, out, "baseline written: "+filepath.Join(baselines, "simple", "quick.json"))
	b, err := gate.LoadBaseline(baselines, "simple/quick")
	require.NoError(t, err)
	assert.Equal(t, 1, b.Runs)
	find(t, results, "simple-quick-*.json")
	assert.Equal(t, 2, srv.Requests(), "only the subset's case ran")
}
