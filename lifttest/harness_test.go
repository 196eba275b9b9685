package lifttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/modal"
	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/lifttest"
)

var addNumbers = lifttest.Case{
	Name: "add_numbers", Prompt: "Create a function that adds two numbers", Function: "add_two_numbers",
	Tests: []lifttest.Test{{Args: []any{2, 3}, Want: 5}, {Args: []any{-5, 5}, Want: 0}, {Args: []any{1.5, 1}, Want: 2.5}},
}

// sharedValidator starts the sandboxed validator once for the package's tests.
var sharedValidator = sync.OnceValues(func() (lifttest.Validator, error) {
	v, _, err := lifttest.NewSandboxValidator()
	return v, err
})

// harness builds a harness over a reference endpoint serving scripts.
func harness(t *testing.T, mode lifttest.Mode, scripts []refserver.Script, opts lifttest.Options) (*lifttest.Harness, *refserver.Server, string) {
	t.Helper()
	if scripts == nil {
		var err error
		scripts, err = refserver.BundledSuite("simple")
		require.NoError(t, err)
	}
	srv, url := refserver.Start(t, refserver.Config{Scripts: scripts, TimeScale: 0.002})
	v, err := sharedValidator()
	require.NoError(t, err)
	opts.Mode = mode
	if opts.Endpoint == "" {
		opts.Endpoint = url
	}
	if opts.CassetteDir == "" {
		opts.CassetteDir = t.TempDir()
	}
	opts.Validator = v
	opts.Retry.BaseDelay = time.Millisecond
	h, err := lifttest.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h, srv, url
}

// script is the bundled script of a simple case, for tests that alter it.
func script(t *testing.T, name string) refserver.Script {
	t.Helper()
	all, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	for _, s := range all {
		if s.Case == name {
			return s
		}
	}
	t.Fatalf("no bundled script %s", name)
	return refserver.Script{}
}

func TestLiveAgainstReferenceEndpoint(t *testing.T) {
	h, srv, _ := harness(t, lifttest.ModeLive, nil, lifttest.Options{})
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	require.True(t, r.Success, "%v\n%s", r.Err, r.Source)
	assert.Equal(t, "add_two_numbers", r.Function)
	assert.Equal(t, "exact", r.Match)
	assert.Equal(t, 1, r.Attempts)
	assert.False(t, r.Stage1.Recorded, "live latencies are measured")
	// 8850 ms and 5780 ms scripted, at a 0.002 time scale.
	assert.GreaterOrEqual(t, r.Stage1.Latency, 17*time.Millisecond)
	assert.GreaterOrEqual(t, r.Stage2.Latency, 11*time.Millisecond)
	assert.Equal(t, r.Stage1.Latency+r.Stage2.Latency, r.E2E)
	// Server time is generation_time_ms: at least the scripted 17.7 ms, and
	// inside the client's wall time.
	assert.GreaterOrEqual(t, r.Stage1.Server, 17690*time.Microsecond)
	assert.LessOrEqual(t, r.Stage1.Server, r.Stage1.Latency)
	assert.Equal(t, 1, r.Stage1.SchemaValid)
	assert.Equal(t, 1, r.Stage2.SchemaValid)
	assert.Equal(t, 3, r.PassedTests())
	assert.Positive(t, r.Tokens)
	assert.InDelta(t, r.E2E.Seconds()*0.60/3600+0.0001, r.Cost, 1e-12)
	assert.Equal(t, 2, srv.Count())
}

func TestRecordThenReplay(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MODAL_KEY", "wk-SECRETKEY")
	t.Setenv("MODAL_SECRET", "ws-SECRETSECRET")
	h, srv, _ := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir})
	rec, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	require.True(t, rec.Success, "%v", rec.Err)

	// The credentials were sent, and none reached the cassette.
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "wk-SECRETKEY", reqs[0].Header.Get("Modal-Key"))
	path := filepath.Join(dir, "simple", "add_numbers.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "SECRET")
	assert.NotContains(t, strings.ToLower(string(data)), "modal-key")

	// Replay: no network at all, the recorded latencies come back.
	rh, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: dir, Validator: h.Validator(), Transport: failTransport{t}})
	require.NoError(t, err)
	rep, err := rh.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	assert.True(t, rep.Success)
	assert.True(t, rep.Stage1.Recorded && rep.Stage2.Recorded)
	assert.Equal(t, rec.Stage1.Latency, rep.Stage1.Latency, "a recording run reports what it saved")
	assert.Equal(t, rec.E2E, rep.E2E)
	assert.Equal(t, rec.Source, rep.Source)
	assert.Equal(t, rec.Tokens, rep.Tokens)
	assert.Equal(t, 2, srv.Count(), "replay made no request")

	// Replaying twice gives identical figures: they are the recording's.
	again, err := rh.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	assert.Equal(t, rep.E2E, again.E2E)
	assert.Equal(t, rep.Cost, again.Cost)
}

// failTransport fails the test if replay ever reaches the network.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("replay reached the network: %s %s", r.Method, r.URL)
	return nil, errors.New("network is off")
}

func TestReplayMissingCassette(t *testing.T) {
	h, _, _ := harness(t, lifttest.ModeReplay, nil, lifttest.Options{})
	_, err := h.Run(context.Background(), "simple", addNumbers)
	require.Error(t, err)
	assert.ErrorIs(t, err, cassette.ErrMissing)
	assert.Contains(t, err.Error(), filepath.Join("simple", "add_numbers.yaml"))
	assert.Contains(t, err.Error(), "make record ENDPOINT=<generate-url> CASE=simple/add_numbers")
}

func TestReplayStaleCassette(t *testing.T) {
	dir := t.TempDir()
	h, _, _ := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir})
	_, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)

	changed := addNumbers
	changed.Prompt = "Create a function that adds three numbers"
	rh, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: dir, Validator: h.Validator()})
	require.NoError(t, err)
	_, err = rh.Run(context.Background(), "simple", changed)
	require.Error(t, err)
	assert.ErrorIs(t, err, cassette.ErrMismatch)
	msg := err.Error()
	assert.Contains(t, msg, "add_numbers.yaml")
	assert.Contains(t, msg, "-recorded +request")
	assert.Regexp(t, `(?m)^-.*"wo"`, msg)
	assert.Regexp(t, `(?m)^\+.*"hree"`, msg)
	assert.Contains(t, msg, "equal fields not shown: max_tokens, schema, temperature, top_p")
	assert.NotContains(t, msg, "definitions", "the equal schema is not dumped")
	assert.Contains(t, msg, "make record")
}

func TestRecordingFailureKeepsTheOldCassette(t *testing.T) {
	dir := t.TempDir()
	h, srv, _ := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir})
	_, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	path := filepath.Join(dir, "simple", "add_numbers.yaml")
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	expired := refserver.Fault{Kind: refserver.FaultStatus, Status: 408, Body: refserver.ModalExpiredBody}
	srv.Inject(expired, expired, expired, expired) // every attempt of the first call
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err, "an endpoint failure is the result's, not the run's")
	var se *modal.StatusError
	require.ErrorAs(t, r.Err, &se)
	assert.Equal(t, 408, se.Status)
	assert.False(t, r.Success)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}

func TestEndpointFailuresAreReported(t *testing.T) {
	tests := []struct {
		name  string
		fault refserver.Fault
		want  error
	}{
		{"json_error", refserver.Fault{Kind: refserver.FaultJSONError}, modal.ErrJSON},
		{"length", refserver.Fault{Kind: refserver.FaultLength}, modal.ErrLength},
		{"generation error", refserver.Fault{Kind: refserver.FaultGenerationError, Body: "CUDA out of memory"}, modal.ErrGeneration},
		{"non-JSON body", refserver.Fault{Kind: refserver.FaultNonJSON}, modal.ErrMalformed},
		{"truncated body", refserver.Fault{Kind: refserver.FaultTruncated}, modal.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, srv, _ := harness(t, lifttest.ModeLive, nil, lifttest.Options{})
			srv.Inject(tt.fault)
			r, err := h.Run(context.Background(), "simple", addNumbers)
			require.NoError(t, err)
			require.Error(t, r.Err)
			assert.False(t, r.Success)
			assert.Contains(t, r.Err.Error(), "stage 1")
			if tt.want != nil {
				assert.ErrorIs(t, r.Err, tt.want)
			}
			assert.Equal(t, 1, r.Stage1.Calls)
			assert.Equal(t, 0, r.Stage2.Calls, "no IR, no stage 2")
		})
	}
}

func TestStage2RetriesWithTheFailureFedBack(t *testing.T) {
	sc := script(t, "add_numbers")
	good := sc.Stage2[0]
	syntax := good
	syntax.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"assignment","code":"result = (num1 +","rationale":"oops"},{"type":"return","code":"return result"}]}}`)
	wrong := good
	wrong.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"return","code":"num1 - num2"}]}}`)
	sc.Stage2 = []refserver.Answer{syntax, wrong, good}

	h, srv, _ := harness(t, lifttest.ModeLive, []refserver.Script{sc}, lifttest.Options{})
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	require.True(t, r.Success, "%v", r.Err)
	assert.Equal(t, 3, r.Attempts)
	require.Len(t, r.Failures, 2)
	assert.Contains(t, r.Failures[0].Error, "SyntaxError")
	assert.Contains(t, r.Failures[1].Error, "add_two_numbers(2, 3) returned -1, want 5")

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	temps := []float64{}
	for _, rq := range reqs[1:] {
		var body struct {
			Prompt      string  `json:"prompt"`
			Temperature float64 `json:"temperature"`
			MaxTokens   int     `json:"max_tokens"`
		}
		require.NoError(t, json.Unmarshal(rq.Body, &body))
		temps = append(temps, body.Temperature)
		assert.Equal(t, 2000, body.MaxTokens)
	}
	assert.Equal(t, []float64{0.3, 0.45, 0.6}, temps)
	var third struct{ Prompt string }
	require.NoError(t, json.Unmarshal(reqs[3].Body, &third))
	assert.Contains(t, third.Prompt, "Previous attempt (#1) failed: ")
	assert.Contains(t, third.Prompt, "Previous attempt (#2) failed: failing inputs")
}

func TestWrongAnswerUsesEveryAttempt(t *testing.T) {
	sc := script(t, "add_numbers")
	wrong := sc.Stage2[0]
	wrong.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"return","code":"return num1 * num2"}]}}`)
	sc.Stage2 = []refserver.Answer{wrong}
	h, _, _ := harness(t, lifttest.ModeLive, []refserver.Script{sc}, lifttest.Options{})
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.True(t, r.Compiled)
	assert.Equal(t, 5, r.Attempts)
	assert.Equal(t, 5, r.Stage2.Calls)
	assert.Equal(t, 0, r.PassedTests())
	assert.Contains(t, r.Err.Error(), "returned 6, want 5")
}

func TestSchemaInvalidAnswerIsCountedNotHidden(t *testing.T) {
	sc := script(t, "add_numbers")
	var irDoc map[string]any
	require.NoError(t, json.Unmarshal(sc.Stage1.Body, &irDoc))
	irDoc["provenance"] = nil // not in the schema: guided decoding should have prevented it
	sc.Stage1.Body, _ = json.Marshal(irDoc)
	unwrapped := sc.Stage2[0]
	unwrapped.Body = json.RawMessage(`{"body_statements":[{"type":"return","code":"return num1 + num2"}],"variables":[]}`)
	sc.Stage2 = []refserver.Answer{unwrapped}

	h, _, _ := harness(t, lifttest.ModeLive, []refserver.Script{sc}, lifttest.Options{})
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	assert.True(t, r.Success, "usable answers still run: %v", r.Err)
	assert.Equal(t, 1, r.Stage1.SchemaChecked)
	assert.Equal(t, 0, r.Stage1.SchemaValid)
	assert.Contains(t, strings.Join(r.Stage1.Errs, "\n"), "provenance")
	assert.Equal(t, 0, r.Stage2.SchemaValid, "an unwrapped code answer is not the schema's shape")
}

func TestNewFailsFastWithoutEndpoint(t *testing.T) {
	clearFlags(t)
	t.Setenv("LIFTTEST_ENDPOINT", "")
	t.Setenv("MODAL_ENDPOINT_URL", "")
	for _, mode := range []lifttest.Mode{lifttest.ModeLive, lifttest.ModeRecord} {
		t.Run(mode.String(), func(t *testing.T) {
			_, err := lifttest.New(lifttest.Options{Mode: mode, Validator: nopValidator{}})
			require.Error(t, err)
			assert.ErrorIs(t, err, lifttest.ErrNoEndpoint)
			assert.Contains(t, err.Error(), "-endpoint")
			assert.Contains(t, err.Error(), "LIFTTEST_ENDPOINT")
		})
	}
	_, err := lifttest.New(lifttest.Options{Validator: nopValidator{}, GPU: "TPU"})
	assert.ErrorContains(t, err, "unknown GPU price")
}

// clearFlags unsets lifttest's command-line flags for one test, so that it
// holds under `go test ./... -live` too.
func clearFlags(t *testing.T) {
	for _, name := range []string{"record", "live", "endpoint", "gpu"} {
		f := flag.Lookup(name)
		old := f.Value.String()
		require.NoError(t, f.Value.Set(f.DefValue))
		t.Cleanup(func() { f.Value.Set(old) })
	}
}

func TestModeFromEnvironment(t *testing.T) {
	clearFlags(t)
	t.Setenv("LIFTTEST_MODE", "live")
	t.Setenv("LIFTTEST_ENDPOINT", "http://127.0.0.1:1/generate")
	h, err := lifttest.New(lifttest.Options{Validator: nopValidator{}})
	require.NoError(t, err)
	assert.Equal(t, lifttest.ModeLive, h.Mode())
	assert.Equal(t, "http://127.0.0.1:1/generate", h.Endpoint())

	t.Setenv("LIFTTEST_MODE", "")
	h, err = lifttest.New(lifttest.Options{Validator: nopValidator{}})
	require.NoError(t, err)
	assert.Equal(t, lifttest.ModeReplay, h.Mode(), "the default is replay")
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	h, _, url := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir})
	info, err := h.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, refserver.DefaultModel, info.Model)
	assert.Equal(t, "A100-80GB", info.GPU)
	assert.Contains(t, url, info.Host)
	require.FileExists(t, filepath.Join(dir, "endpoint.yaml"))

	rh, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: dir, Validator: nopValidator{}})
	require.NoError(t, err)
	rinfo, err := rh.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, info.Model, rinfo.Model)
	assert.Equal(t, info.Host, rinfo.Host, "replay reports the recording's host")

	// A live run against a dead endpoint stops before its first case.
	dead, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeLive, Endpoint: "http://127.0.0.1:1/generate", Validator: nopValidator{}})
	require.NoError(t, err)
	_, err = dead.Prepare(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "health check failed")
	assert.Contains(t, err.Error(), "127.0.0.1:1/health")
}

func TestTemperatureSchedule(t *testing.T) {
	got := []float64{}
	for a := 1; a <= 6; a++ {
		got = append(got, lifttest.Temperature(a))
	}
	assert.Equal(t, []float64{0.3, 0.45, 0.6, 0.75, 0.9, 0.9}, got)
}

// nopValidator is for tests that never validate.
type nopValidator struct{}

func (nopValidator) Validate(context.Context, lifttest.Program) (lifttest.Validation, error) {
	return lifttest.Validation{}, errors.New("nopValidator: not for validation")
}

func TestSamplesHaveTheirOwnCassettesAndSeeds(t *testing.T) {
	dir := t.TempDir()
	h, srv, _ := harness(t, lifttest.ModeRecord, nil, lifttest.Options{CassetteDir: dir, Temperature: 0.8})
	for k := range 3 {
		r, err := h.RunSample(context.Background(), "simple", addNumbers, k)
		require.NoError(t, err)
		assert.True(t, r.Success)
		assert.Equal(t, k, r.Sample)
	}
	for _, name := range []string{"add_numbers.yaml", "add_numbers.sample-1.yaml", "add_numbers.sample-2.yaml"} {
		assert.FileExists(t, filepath.Join(dir, "simple", name))
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 6)
	var first, second struct {
		Seed        *int    `json:"seed"`
		Temperature float64 `json:"temperature"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &first))
	require.NoError(t, json.Unmarshal(reqs[2].Body, &second))
	assert.Nil(t, first.Seed, "the first sample is a plain run")
	require.NotNil(t, second.Seed)
	assert.Equal(t, 1, *second.Seed)
	assert.Equal(t, 0.8, first.Temperature)

	rh, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: dir, Validator: h.Validator(), Temperature: 0.8})
	require.NoError(t, err)
	r, err := rh.RunSample(context.Background(), "simple", addNumbers, 2)
	require.NoError(t, err)
	assert.True(t, r.Success)
	_, err = rh.RunSample(context.Background(), "simple", addNumbers, 3)
	assert.ErrorIs(t, err, cassette.ErrMissing, "sample 3 was never recorded")
}

func TestRecordCarriesTheCase(t *testing.T) {
	h, _, _ := harness(t, lifttest.ModeLive, nil, lifttest.Options{})
	c := addNumbers
	c.Category, c.Complexity = "arithmetic", "simple"
	r, err := h.Run(context.Background(), "simple", c)
	require.NoError(t, err)
	rec := r.Record()
	assert.Equal(t, "simple", rec.Suite)
	assert.Equal(t, "arithmetic", rec.Category)
	assert.Equal(t, "live", rec.Mode)
	assert.Equal(t, "measured", rec.Timing)
	assert.InDelta(t, r.E2E.Seconds()*1000, rec.E2EMS, 1e-9)
	assert.Equal(t, 3, rec.TestsTotal)
	assert.Equal(t, 3, rec.TestsPassed)
	assert.True(t, rec.Stage1.Success && rec.Stage2.Success)
	assert.Positive(t, rec.HarnessBytes, "the harness's own allocation is measured")
	assert.Positive(t, rec.PeakRSSBytes, "the validator's peak RSS is reported")
	assert.Contains(t, string(rec.IR), `"add_two_numbers"`)
}

func TestRetriesAreCountedNotSilent(t *testing.T) {
	h, srv, _ := harness(t, lifttest.ModeLive, nil, lifttest.Options{})
	srv.Inject(refserver.Fault{Kind: refserver.FaultStatus, Status: 500})
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	assert.True(t, r.Success, "the retry succeeded: %v", r.Err)
	assert.Equal(t, 1, r.Stage1.Retries)
	assert.Equal(t, 1, r.Stage1.Calls)
	assert.Equal(t, 3, srv.Count(), "two requests for stage 1, one for stage 2")

	fail := refserver.Fault{Kind: refserver.FaultStatus, Status: 503}
	srv.Inject(fail, fail, fail, fail)
	r, err = h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	var se *modal.StatusError
	require.ErrorAs(t, r.Err, &se)
	assert.Equal(t, 503, se.Status)
	assert.Equal(t, 3, r.Stage1.Retries, "four attempts, then the last failure is reported")
}
