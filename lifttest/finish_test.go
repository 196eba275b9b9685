package lifttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/lifttest"
)

var finishSuite = lifttest.Suite{Name: "simple", Cases: []lifttest.Case{
	addNumbers,
	{Name: "is_even", Prompt: "Create a function that checks if a number is even", Function: "is_even", Category: "boolean",
		Tests: []lifttest.Test{{Args: []any{2}, Want: true}, {Args: []any{3}, Want: false}}},
}}

// recordFinishSuite records finishSuite against the reference endpoint and
// returns the cassette directory, so later runs replay exact figures.
func recordFinishSuite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	h, _, _ := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir})
	for _, c := range finishSuite.Cases {
		r, err := h.Run(context.Background(), "simple", c)
		require.NoError(t, err)
		require.True(t, r.Success, "%v", r.Err)
	}
	return dir
}

// replayFinish replays finishSuite under subtests of t, then calls Finish
// and returns its output and error.
func replayFinish(t *testing.T, cassettes string, opts lifttest.Options) (string, error) {
	t.Helper()
	v, err := sharedValidator()
	require.NoError(t, err)
	opts.Mode, opts.CassetteDir, opts.Validator = lifttest.ModeReplay, cassettes, v
	h, err := lifttest.New(opts)
	require.NoError(t, err)
	defer h.Close()
	for _, c := range finishSuite.Cases {
		t.Run(c.Name, func(t *testing.T) { h.Test(t, "simple", c) })
	}
	var out strings.Builder
	err = h.Finish(&out, []lifttest.Suite{finishSuite})
	return out.String(), err
}

func TestFinishWritesJournalResultsAndReports(t *testing.T) {
	cassettes := recordFinishSuite(t)
	dir := t.TempDir()
	out, err := replayFinish(t, cassettes, lifttest.Options{Results: dir})
	require.NoError(t, err)
	assert.Contains(t, out, "suite simple: 2/2 successful (100.0%")
	assert.Contains(t, out, "boolean", "the category table")

	find := func(pattern string) string {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		require.NoError(t, err)
		require.Len(t, m, 1, "%s in %s", pattern, dir)
		return m[0]
	}
	_, cases, err := report.ReadJournal(find("journal-*.jsonl"))
	require.NoError(t, err)
	require.Len(t, cases, 2, "one journal line per case")
	assert.Equal(t, "add_numbers", cases[0].Case)

	f, err := os.Open(find("simple-*.json"))
	require.NoError(t, err)
	defer f.Close()
	fromFile, err := report.ReadResultsJSON(f)
	require.NoError(t, err)
	require.Len(t, fromFile, 2)
	assert.Equal(t, cases[1].Case, fromFile[1].Case)

	md, err := os.ReadFile(find("report-*.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "add_numbers")
	html, err := os.ReadFile(find("report-*.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
}

func TestFinishWritesABaselineThenGates(t *testing.T) {
	cassettes := recordFinishSuite(t)
	baselines := t.TempDir()

	// Gating without a baseline says which file is missing.
	_, err := replayFinish(t, cassettes, lifttest.Options{Gate: true, Baselines: baselines})
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(baselines, "simple.json"))

	out, err := replayFinish(t, cassettes, lifttest.Options{WriteBaseline: true, Baselines: baselines})
	require.NoError(t, err)
	assert.Contains(t, out, "baseline written: "+filepath.Join(baselines, "simple.json"))
	b, err := gate.LoadBaseline(baselines, "simple")
	require.NoError(t, err)
	assert.Equal(t, 2, b.Runs)

	// The same recordings against their own baseline pass.
	out, err = replayFinish(t, cassettes, lifttest.Options{Gate: true, Baselines: baselines})
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
	out, err = replayFinish(t, cassettes, lifttest.Options{Gate: true, Baselines: baselines})
	require.ErrorIs(t, err, lifttest.ErrGate)
	assert.Contains(t, out, "E2E median")
	assert.Contains(t, out, "gate: FAIL")
}

func TestFinishWithoutCasesDoesNothing(t *testing.T) {
	dir := t.TempDir()
	h, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: t.TempDir(), Validator: nopValidator{}, Results: dir, Gate: true, Baselines: t.TempDir()})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, h.Finish(&out, []lifttest.Suite{finishSuite}))
	assert.Empty(t, out.String())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no results for a run without cases")
}

// TestConcurrentRunsShareOneHarness is what -concurrency does: cases in
// parallel on one harness (run it with -race).
func TestConcurrentRunsShareOneHarness(t *testing.T) {
	dir := t.TempDir()
	h, srv, _ := harness(t, lifttest.ModeLive, nil, lifttest.Options{Results: dir})
	t.Run("group", func(t *testing.T) {
		for _, c := range finishSuite.Cases {
			for k := range 4 {
				t.Run(fmt.Sprintf("%s/%d", c.Name, k), func(t *testing.T) {
					t.Parallel()
					h.TestSample(t, "simple", c, k)
				})
			}
		}
	})
	assert.Equal(t, 16, srv.Count(), "two calls for each of 8 runs")
	var out strings.Builder
	require.NoError(t, h.Finish(&out, []lifttest.Suite{finishSuite}))
	assert.Contains(t, out.String(), "suite simple: 8/8 successful")
	assert.Contains(t, out.String(), "pass@1 1.000", "4 samples per case")

	// The results file lists them in the suite's order, whatever order
	// they finished in.
	m, err := filepath.Glob(filepath.Join(dir, "simple-*.json"))
	require.NoError(t, err)
	require.Len(t, m, 1)
	f, err := os.Open(m[0])
	require.NoError(t, err)
	defer f.Close()
	got, err := report.ReadResultsJSON(f)
	require.NoError(t, err)
	var order []string
	for _, c := range got {
		order = append(order, fmt.Sprintf("%s/%d", c.Case, c.Sample))
	}
	assert.Equal(t, []string{"add_numbers/0", "add_numbers/1", "add_numbers/2", "add_numbers/3", "is_even/0", "is_even/1", "is_even/2", "is_even/3"}, order)
}

func TestProgressOfLiveRuns(t *testing.T) {
	var buf strings.Builder // progress serialises its writes; the reads come after
	h, _, _ := harness(t, lifttest.ModeLive, nil, lifttest.Options{Progress: &buf})
	h.ExpectRuns(3)
	for _, c := range finishSuite.Cases {
		_, err := h.Run(context.Background(), "simple", c)
		require.NoError(t, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2, "a line per finished run")
	assert.Regexp(t, `^lifttest: 1/3 done, 0 failed, elapsed \d+s, ETA \d+s$`, lines[0])
	assert.Regexp(t, `^lifttest: 2/3 done, 0 failed, elapsed \d+s, ETA \d+s$`, lines[1])

	// Replay prints nothing: it takes a second.
	buf.Reset()
	rh, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: recordFinishSuite(t), Validator: h.Validator(), Progress: &buf})
	require.NoError(t, err)
	r, err := rh.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.Empty(t, buf.String())
}
