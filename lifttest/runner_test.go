package lifttest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/provider"
	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/internal/schema"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// TestLiveAgainstReferenceEndpoint runs a case live with the default
// validator, the sandbox the runner starts itself.
func TestLiveAgainstReferenceEndpoint(t *testing.T) {
	scripts, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	srv, url := refserver.Start(t, refserver.Config{Scripts: scripts, TimeScale: 0.002})
	r, err := NewRunner(Options{Mode: ModeLive, Endpoint: url, Progress: os.Stderr})
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()

	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v\n%s", res.Error, res.Source)
	assert.Equal(t, "add_two_numbers", res.Function)
	assert.Equal(t, "exact", res.Match)
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, "live", res.Mode)
	assert.False(t, res.Stage1.Recorded, "live latencies are measured")
	assert.Equal(t, "measured", res.Timing())
	// 8850 ms and 5780 ms scripted, at a 0.002 time scale.
	assert.GreaterOrEqual(t, res.Stage1.Latency, 17*time.Millisecond)
	assert.GreaterOrEqual(t, res.Stage2.Latency, 11*time.Millisecond)
	assert.Equal(t, res.Stage1.Latency+res.Stage2.Latency, res.E2E)
	// Server time is generation_time_ms: at least the scripted 17.7 ms, and
	// inside the client's wall time.
	assert.GreaterOrEqual(t, res.Stage1.Server, 17690*time.Microsecond)
	assert.LessOrEqual(t, res.Stage1.Server, res.Stage1.Latency)
	assert.Equal(t, 1, res.Stage1.SchemaValid)
	assert.Equal(t, 1, res.Stage2.SchemaValid)
	assert.Equal(t, 3, res.Validation.PassedTests())
	assert.Len(t, res.Validation.Tests, 3)
	assert.True(t, res.Compiled)
	assert.Positive(t, res.Tokens)
	assert.Equal(t, res.Stage1.Tokens+res.Stage2.Tokens, res.Tokens)
	assert.InDelta(t, res.E2E.Seconds()*0.60/3600+0.0001, res.CostUSD, 1e-12)
	assert.Equal(t, 2, srv.Count())
}

func TestRecordThenReplay(t *testing.T) {
	dir := t.TempDir()
	r, srv, _ := runner(t, ModeRecord, nil, Options{CassetteDir: dir, Key: "wk-SECRETKEY", Secret: "ws-SECRETSECRET"})
	rec, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rec.Success, "%v", rec.Error)
	assert.Equal(t, "record", rec.Mode)

	// The credentials were sent, and none reached the cassette.
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "wk-SECRETKEY", reqs[0].Header.Get("Modal-Key"))
	assert.Equal(t, "ws-SECRETSECRET", reqs[0].Header.Get("Modal-Secret"))
	path := filepath.Join(dir, "simple", "add_numbers.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "SECRET")
	assert.NotContains(t, strings.ToLower(string(data)), "modal-key")

	// Replay: no network at all, the recorded latencies come back.
	rr, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: dir, Validator: sharedValidator(t), Transport: failTransport{t}})
	require.NoError(t, err)
	defer rr.Close()
	rep, err := rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.True(t, rep.Success)
	assert.Equal(t, "replay", rep.Mode)
	assert.True(t, rep.Stage1.Recorded && rep.Stage2.Recorded)
	assert.Equal(t, "recorded", rep.Timing())
	assert.Equal(t, rec.Stage1.Latency, rep.Stage1.Latency, "a recording run reports what it saved")
	assert.Equal(t, rec.E2E, rep.E2E)
	assert.Equal(t, rec.Source, rep.Source)
	assert.Equal(t, rec.Tokens, rep.Tokens)
	assert.Equal(t, 2, srv.Count(), "replay made no request")

	// Replaying twice gives identical figures: they are the recording's.
	again, err := rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.Equal(t, rep.E2E, again.E2E)
	assert.Equal(t, rep.CostUSD, again.CostUSD)
}

func TestReplayMissingCassette(t *testing.T) {
	dir := t.TempDir()
	r, err := NewRunner(Options{CassetteDir: dir, Validator: nopValidator{}})
	require.NoError(t, err)
	_, err = r.Run(context.Background(), "simple", addNumbers, 0)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissingCassette)
	assert.NotErrorIs(t, err, ErrStaleCassette)
	assert.Contains(t, err.Error(), filepath.Join(dir, "simple", "add_numbers.yaml"))
	assert.Contains(t, err.Error(), `go test -count=1 -record -endpoint "$LIFTTEST_ENDPOINT" -cassettes `+dir+" .")
	assert.NotContains(t, err.Error(), "-provider", "the Modal contract is the default")
}

func TestReplayStaleCassette(t *testing.T) {
	dir := t.TempDir()
	r, _, _ := runner(t, ModeRecord, nil, Options{CassetteDir: dir, Validator: stubValidator{}})
	_, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)

	changed := addNumbers
	changed.Prompt = "Create a function that adds three numbers"
	rr, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: dir, Validator: stubValidator{}})
	require.NoError(t, err)
	_, err = rr.Run(context.Background(), "simple", changed, 0)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrStaleCassette)
	msg := err.Error()
	assert.Contains(t, msg, "add_numbers.yaml")
	assert.Contains(t, msg, "-recorded +request")
	assert.Regexp(t, `(?m)^-.*"wo"`, msg)
	assert.Regexp(t, `(?m)^\+.*"hree"`, msg)
	assert.Contains(t, msg, "equal fields not shown: max_tokens, schema, temperature, top_p")
	assert.NotContains(t, msg, "definitions", "the equal schema is not dumped")
	assert.Contains(t, msg, "re-record it with: go test -count=1 -record")
}

func TestRecordingFailureKeepsTheOldCassette(t *testing.T) {
	dir := t.TempDir()
	r, srv, _ := runner(t, ModeRecord, nil, Options{CassetteDir: dir, Validator: stubValidator{}})
	_, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	path := filepath.Join(dir, "simple", "add_numbers.yaml")
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	expired := refserver.Fault{Kind: refserver.FaultStatus, Status: 408, Body: refserver.ModalExpiredBody}
	srv.Inject(expired, expired, expired, expired) // every attempt of the first call
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err, "an endpoint failure is the record's, not the run's")
	assert.False(t, res.Success)
	assert.Contains(t, res.Error, "HTTP 408")
	assert.Contains(t, res.Error, refserver.ModalExpiredBody)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
	leftovers, err := filepath.Glob(filepath.Join(dir, "simple", ".*recording*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers, "the failed recording left no temporary cassette")
}

func TestEndpointFailuresAreReported(t *testing.T) {
	tests := []struct {
		name  string
		fault refserver.Fault
		want  error
	}{
		{"json_error", refserver.Fault{Kind: refserver.FaultJSONError}, provider.ErrJSON},
		{"length", refserver.Fault{Kind: refserver.FaultLength}, provider.ErrLength},
		{"generation error", refserver.Fault{Kind: refserver.FaultGenerationError, Body: "CUDA out of memory"}, provider.ErrGeneration},
		{"non-JSON body", refserver.Fault{Kind: refserver.FaultNonJSON}, provider.ErrMalformed},
		{"truncated body", refserver.Fault{Kind: refserver.FaultTruncated}, provider.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, srv, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
			srv.Inject(tt.fault)
			res, err := r.Run(context.Background(), "simple", addNumbers, 0)
			require.NoError(t, err)
			assert.False(t, res.Success)
			require.NotEmpty(t, res.Error)
			assert.Contains(t, res.Error, "stage 1")
			assert.Contains(t, res.Error, tt.want.Error())
			assert.Equal(t, 1, res.Stage1.Calls)
			assert.Len(t, res.Stage1.Errors, 1)
			assert.False(t, res.Stage1.OK)
			assert.Equal(t, 0, res.Stage2.Calls, "no IR, no stage 2")
		})
	}
	t.Run("generation error detail", func(t *testing.T) {
		r, srv, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
		srv.Inject(refserver.Fault{Kind: refserver.FaultGenerationError, Body: "CUDA out of memory"})
		res, err := r.Run(context.Background(), "simple", addNumbers, 0)
		require.NoError(t, err)
		assert.Contains(t, res.Error, "CUDA out of memory")
	})
}

func TestStage2RetriesWithTheFailureFedBack(t *testing.T) {
	sc := script(t, "add_numbers")
	good := sc.Stage2[0]
	syntax := good
	syntax.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"assignment","code":"result = (num1 +","rationale":"oops"},{"type":"return","code":"return result"}]}}`)
	wrong := good
	wrong.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"return","code":"num1 - num2"}]}}`)
	sc.Stage2 = []refserver.Answer{syntax, wrong, good}

	r, srv, _ := runner(t, ModeLive, []refserver.Script{sc}, Options{})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	assert.Equal(t, 3, res.Attempts)
	assert.Equal(t, 3, res.Stage2.Calls)
	require.Len(t, res.Failures, 2)
	assert.Equal(t, 1, res.Failures[0].Attempt)
	assert.Contains(t, res.Failures[0].Error, "SyntaxError")
	assert.Contains(t, res.Failures[1].Error, "add_two_numbers(2, 3) returned -1, want 5")
	// Every attempt's share of the run is recorded and priced, and the
	// shares add up to the stage's.
	require.Len(t, res.Tries, 3)
	var lat time.Duration
	var usd float64
	for i, tr := range res.Tries {
		assert.Equal(t, i+1, tr.Attempt)
		assert.Equal(t, i == 2, tr.OK)
		lat += tr.Latency
		usd += tr.CostUSD
	}
	assert.Equal(t, res.Stage2.Latency, lat)
	assert.InDelta(t, res.Stage2.CostUSD, usd, 1e-15)
	assert.InDelta(t, res.CostUSD, res.Stage1.CostUSD+res.Stage2.CostUSD, 1e-15, "the stages carry the whole cost")
	assert.Positive(t, res.Stage1.CostUSD)

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
	var first struct {
		Temperature float64 `json:"temperature"`
		MaxTokens   int     `json:"max_tokens"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &first))
	assert.Equal(t, 0.3, first.Temperature)
	assert.Equal(t, 2048, first.MaxTokens)
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
	r, _, _ := runner(t, ModeLive, []refserver.Script{sc}, Options{})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.False(t, res.Success)
	assert.True(t, res.Compiled)
	assert.Equal(t, 5, res.Attempts)
	assert.Equal(t, 5, res.Stage2.Calls)
	assert.Len(t, res.Failures, 5)
	assert.Equal(t, 0, res.Validation.PassedTests())
	assert.Equal(t, "wrong_answer", res.Validation.Class)
	assert.Contains(t, res.Error, "returned 6, want 5")
}

func TestMaxAttempts(t *testing.T) {
	sc := script(t, "add_numbers")
	wrong := sc.Stage2[0]
	wrong.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"return","code":"return num1 * num2"}]}}`)
	sc.Stage2 = []refserver.Answer{wrong}
	r, srv, _ := runner(t, ModeLive, []refserver.Script{sc}, Options{MaxAttempts: 2})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.False(t, res.Success)
	assert.Equal(t, 2, res.Attempts)
	assert.Equal(t, 3, srv.Count(), "stage 1 and two attempts")
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

	r, _, _ := runner(t, ModeLive, []refserver.Script{sc}, Options{})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.True(t, res.Success, "usable answers still run: %v", res.Error)
	assert.Equal(t, 1, res.Stage1.SchemaChecked)
	assert.Equal(t, 0, res.Stage1.SchemaValid)
	assert.Contains(t, strings.Join(res.Stage1.Errors, "\n"), "provenance")
	assert.Equal(t, 1, res.Stage2.SchemaChecked)
	assert.Equal(t, 0, res.Stage2.SchemaValid, "an unwrapped code answer is not the schema's shape")
}

func TestNewRunnerChecksOptions(t *testing.T) {
	for _, mode := range []Mode{ModeLive, ModeRecord} {
		t.Run("no endpoint/"+mode.String(), func(t *testing.T) {
			_, err := NewRunner(Options{Mode: mode, Validator: nopValidator{}})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrNoEndpoint)
			assert.Contains(t, err.Error(), mode.String()+" mode")
			assert.Contains(t, err.Error(), "-endpoint")
			assert.Contains(t, err.Error(), "LIFTTEST_ENDPOINT")
		})
	}
	// Replay needs no endpoint, and none is read from the environment:
	// Options is plain data.
	t.Setenv("LIFTTEST_MODE", "live")
	t.Setenv("LIFTTEST_ENDPOINT", "http://127.0.0.1:1/generate")
	r, err := NewRunner(Options{Validator: nopValidator{}})
	require.NoError(t, err)
	assert.Equal(t, ModeReplay, r.opts.Mode, "the zero Options replays")
	assert.Empty(t, r.opts.Endpoint)
	assert.Equal(t, "cassettes", r.opts.CassetteDir)
	assert.Equal(t, ProviderModal, r.opts.Provider)
	assert.Equal(t, 120*time.Second, r.opts.Timeout)
	assert.Equal(t, 600*time.Second, r.opts.ColdTimeout)
	assert.Equal(t, 5, r.opts.MaxAttempts)
	assert.Equal(t, 1, r.opts.Samples)
	assert.Equal(t, runtime.GOMAXPROCS(0), r.opts.Concurrency, "a replay runs a case per core")
	for _, m := range []Mode{ModeLive, ModeRecord} {
		o, _, _, err := Options{Mode: m, Endpoint: "http://127.0.0.1:1/generate"}.withDefaults()
		require.NoError(t, err)
		assert.Equal(t, 1, o.Concurrency, "%v: requests in flight together would slow each other", m)
	}
	assert.Equal(t, 600*time.Second, r.timeout(), "cold until a warmup succeeds")

	bad := []struct {
		name string
		opts Options
		want string
	}{
		{"gpu", Options{GPU: "TPU"}, "unknown GPU price"},
		{"openai without model", Options{Provider: ProviderOpenAI}, "-provider openai needs the served model's name"},
		{"api", Options{Provider: ProviderOpenAI, Model: "m", API: "responses"}, `-api "responses": use chat or completions`},
		{"structured", Options{Provider: ProviderOpenAI, Model: "m", Structured: "grammar"}, `-structured "grammar"`},
		{"provider", Options{Provider: "bedrock"}, `-provider "bedrock": use modal or openai`},
		{"temperature", Options{Temperature: ptr(2.5)}, "temperature 2.5 is outside [0, 2]"},
		{"negative temperature", Options{Temperature: ptr(-0.1)}, "outside [0, 2]"},
		{"mode", Options{Mode: Mode(7)}, "mode Mode(7)"},
		{"shard", Options{Shard: "3/2"}, "want k/n with 1 <= k <= n"},
		{"code template", Options{CodeTemplate: "{{.Nope"}, "CodeTemplate"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Validator = nopValidator{}
			_, err := NewRunner(tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "lifttest: "), "%v", err)
		})
	}
	for _, temp := range []float64{0, 2} {
		_, err := NewRunner(Options{Temperature: &temp, Validator: nopValidator{}})
		assert.NoError(t, err, "temperature %v is in range", temp)
	}
}

func ptr[T any](v T) *T { return &v }

func TestRunRejectsBadCases(t *testing.T) {
	r, err := NewRunner(Options{CassetteDir: t.TempDir(), Validator: nopValidator{}})
	require.NoError(t, err)
	tests := []struct {
		name  string
		suite string
		c     Case
		k     int
		want  string
	}{
		{"suite name", "Simple Suite", addNumbers, 0, `suite name "Simple Suite"`},
		{"case name", "simple", Case{Name: "Add Numbers", Prompt: "p"}, 0, `case name "Add Numbers"`},
		{"no prompt", "simple", Case{Name: "add"}, 0, "has no prompt"},
		{"sample", "simple", addNumbers, -1, "samples count from 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Run(context.Background(), tt.suite, tt.c, tt.k)
			assert.ErrorContains(t, err, tt.want)
			assert.NotErrorIs(t, err, ErrMissingCassette, "checked before any cassette")
		})
	}
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	r, _, url := runner(t, ModeRecord, nil, Options{CassetteDir: dir, Validator: nopValidator{}, Timeout: 5 * time.Second, ColdTimeout: 40 * time.Second})
	assert.Equal(t, 40*time.Second, r.timeout(), "cold until a warmup succeeds")
	info, err := r.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, refserver.DefaultModel, info.Model)
	assert.Equal(t, refserver.DefaultGPU, info.GPU)
	assert.Contains(t, url, info.Host)
	assert.True(t, strings.HasPrefix(info.Host, "127.0.0.1:"), info.Host)
	assert.Equal(t, 5*time.Second, r.timeout(), "a successful warmup gives the warm timeout")
	require.FileExists(t, filepath.Join(dir, "endpoint.yaml"))
	meta, ok, err := cassette.ReadMeta(dir)
	require.NoError(t, err)
	require.True(t, ok, "record writes the cassettes' metadata sidecar")
	assert.Equal(t, info.Model, meta.Model)
	assert.Equal(t, info.Host, meta.Endpoint)
	assert.Equal(t, cassette.SchemaHash(schema.IR().JSON()), meta.IRSchema)
	assert.WithinDuration(t, time.Now(), meta.Recorded, time.Minute)

	rr, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: dir, Validator: nopValidator{}})
	require.NoError(t, err)
	rinfo, err := rr.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, info.Model, rinfo.Model)
	assert.Equal(t, info.GPU, rinfo.GPU)
	assert.Equal(t, info.Host, rinfo.Host, "replay reports the recording's host")

	// Replay without endpoint.yaml is fine: the case cassettes suffice.
	none, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: t.TempDir(), Validator: nopValidator{}})
	require.NoError(t, err)
	ninfo, err := none.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Endpoint{Host: "unknown", Model: "unknown", GPU: "unknown", Backend: "unknown"}, ninfo)

	// A live run against a dead endpoint stops before its first case.
	dead, err := NewRunner(Options{Mode: ModeLive, Endpoint: "http://127.0.0.1:1/generate", Validator: nopValidator{}, HTTPAttempts: 1})
	require.NoError(t, err)
	_, err = dead.Prepare(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "health check failed")
	assert.Contains(t, err.Error(), "127.0.0.1:1/health")
}

// TestSchedule is stage 2's temperature: +0.15 per retry, capped at 0.9,
// or at the first temperature when it starts above.
func TestSchedule(t *testing.T) {
	var got []float64
	for a := 1; a <= 6; a++ {
		got = append(got, schedule(0.3, a))
	}
	assert.Equal(t, []float64{0.3, 0.45, 0.6, 0.75, 0.9, 0.9}, got)
	got = nil
	for a := 1; a <= 3; a++ {
		got = append(got, schedule(0, a))
	}
	assert.Equal(t, []float64{0, 0.15, 0.3}, got, "greedy decoding first")
	assert.Equal(t, 1.2, schedule(1.2, 1))
	assert.Equal(t, 1.2, schedule(1.2, 4), "never above a first temperature beyond 0.9")
	assert.Equal(t, 0.9, schedule(0.8, 2))
}

func TestTemperatureOption(t *testing.T) {
	sc := script(t, "add_numbers")
	wrong := sc.Stage2[0]
	wrong.Body = json.RawMessage(`{"implementation":{"body_statements":[{"type":"return","code":"return num1 * num2"}]}}`)
	sc.Stage2 = []refserver.Answer{wrong, sc.Stage2[0]}
	r, srv, _ := runner(t, ModeLive, []refserver.Script{sc}, Options{Temperature: ptr(0.0)})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	var temps []float64
	for _, rq := range srv.Requests() {
		var body struct {
			Temperature *float64 `json:"temperature"`
		}
		require.NoError(t, json.Unmarshal(rq.Body, &body))
		require.NotNil(t, body.Temperature, "temperature 0 is sent, not omitted")
		temps = append(temps, *body.Temperature)
	}
	assert.Equal(t, []float64{0, 0, 0.15}, temps, "stage 1, then stage 2's schedule from 0")
}

func TestSamplesHaveTheirOwnCassettesAndSeeds(t *testing.T) {
	dir := t.TempDir()
	r, srv, _ := runner(t, ModeRecord, nil, Options{CassetteDir: dir, Temperature: ptr(0.8), Validator: stubValidator{}})
	for k := range 3 {
		res, err := r.Run(context.Background(), "simple", addNumbers, k)
		require.NoError(t, err)
		assert.True(t, res.Success)
		assert.Equal(t, k, res.Sample)
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

	rr, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: dir, Validator: stubValidator{}, Temperature: ptr(0.8)})
	require.NoError(t, err)
	res, err := rr.Run(context.Background(), "simple", addNumbers, 2)
	require.NoError(t, err)
	assert.True(t, res.Success)
	_, err = rr.Run(context.Background(), "simple", addNumbers, 3)
	assert.ErrorIs(t, err, ErrMissingCassette, "sample 3 was never recorded")
	assert.ErrorContains(t, err, "add_numbers.sample-3.yaml")

	// Another temperature is another request: the recording is stale.
	other, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: dir, Validator: stubValidator{}})
	require.NoError(t, err)
	_, err = other.Run(context.Background(), "simple", addNumbers, 0)
	assert.ErrorIs(t, err, ErrStaleCassette)
}

func TestRecordCarriesTheCase(t *testing.T) {
	r, _, _ := runner(t, ModeLive, nil, Options{})
	c := addNumbers
	c.Category, c.Complexity = "arithmetic", "simple"
	res, err := r.Run(context.Background(), "simple", c, 0)
	require.NoError(t, err)
	assert.Equal(t, "simple", res.Suite)
	assert.Equal(t, "add_numbers", res.Case)
	assert.Equal(t, c.Prompt, res.Prompt)
	assert.Equal(t, "arithmetic", res.Category)
	assert.Equal(t, "simple", res.Complexity)
	assert.False(t, res.CompileOnly)
	assert.False(t, res.Started.IsZero())
	assert.Equal(t, "live", res.Mode)
	assert.Equal(t, "measured", res.Timing())
	assert.Len(t, res.Validation.Tests, 3)
	assert.Equal(t, 3, res.Validation.PassedTests())
	assert.Equal(t, "[2, 3]", res.Validation.Tests[0].Args)
	assert.Equal(t, "5", res.Validation.Tests[0].Expected)
	assert.True(t, res.Stage1.OK && res.Stage2.OK)
	assert.Equal(t, 1, res.Stage1.Calls)
	assert.Positive(t, res.Validate, "validation is timed")
	assert.Positive(t, res.HarnessBytes, "the harness's own allocation is measured")
	assert.Positive(t, res.HarnessAllocs)
	assert.Positive(t, res.Validation.PeakRSS, "the validator's peak RSS is reported")
	assert.Contains(t, string(res.IR), `"add_two_numbers"`)
	assert.Contains(t, string(res.Code), "body_statements")
	assert.Contains(t, res.Source, "def add_two_numbers(")

	// The record marshals as the journal's line, durations in nanoseconds.
	data, err := json.Marshal(res)
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	assert.Equal(t, float64(res.E2E.Nanoseconds()), raw["e2e"])

	// A case without tests is compile-only.
	c.Tests = nil
	res, err = r.Run(context.Background(), "simple", c, 0)
	require.NoError(t, err)
	assert.True(t, res.CompileOnly)
	assert.True(t, res.Success, "compiles and defines the function: %v", res.Error)
}

func TestRetriesAreCountedNotSilent(t *testing.T) {
	r, srv, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
	srv.Inject(refserver.Fault{Kind: refserver.FaultStatus, Status: 500})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.True(t, res.Success, "the retry succeeded: %v", res.Error)
	assert.Equal(t, 1, res.Stage1.Retries)
	assert.Equal(t, 1, res.Stage1.Calls)
	assert.Equal(t, 3, srv.Count(), "two requests for stage 1, one for stage 2")

	fail := refserver.Fault{Kind: refserver.FaultStatus, Status: 503}
	srv.Inject(fail, fail, fail, fail)
	res, err = r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.False(t, res.Success)
	assert.Contains(t, res.Error, "HTTP 503")
	assert.Equal(t, 3, res.Stage1.Retries, "four attempts, then the last failure is reported")

	// HTTPAttempts 1 disables retries.
	once, srv1, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}, HTTPAttempts: 1})
	srv1.Inject(refserver.Fault{Kind: refserver.FaultStatus, Status: 500})
	res, err = once.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.False(t, res.Success)
	assert.Zero(t, res.Stage1.Retries)
	assert.Equal(t, 1, srv1.Count())
}

func TestRunnerIsSafeForConcurrentUse(t *testing.T) {
	r, srv, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
	t.Run("group", func(t *testing.T) {
		for k := range 6 {
			t.Run("", func(t *testing.T) {
				t.Parallel()
				res, err := r.Run(context.Background(), "simple", addNumbers, k)
				require.NoError(t, err)
				assert.True(t, res.Success, "%v", res.Error)
				assert.Equal(t, k, res.Sample)
			})
		}
	})
	assert.Equal(t, 12, srv.Count())
}

func TestCancelledContext(t *testing.T) {
	r, _, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := r.Run(ctx, "simple", addNumbers, 0)
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	assert.False(t, res.Success)
}

// TestStage2EndpointFailureIsNotRetried: an endpoint failure in stage 2 is
// not the model's, so no further attempt is made.
func TestStage2EndpointFailureIsNotRetried(t *testing.T) {
	r, srv, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
	fail := refserver.Fault{Kind: refserver.FaultStatus, Status: 500}
	// Stage 1 is answered (after a 1 ms delay), then every HTTP attempt of stage 2 fails.
	srv.Inject(refserver.Fault{Kind: refserver.FaultSlow, Delay: time.Millisecond}, fail, fail, fail, fail)
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.False(t, res.Success)
	assert.True(t, res.Stage1.OK)
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, 1, res.Stage2.Calls)
	assert.Equal(t, 3, res.Stage2.Retries)
	assert.Empty(t, res.Failures, "nothing to feed back")
	assert.Contains(t, res.Error, "stage 2 (IR -> code), attempt 1")
	assert.Contains(t, res.Error, "HTTP 500")
}

// TestStage2ModelFailureIsRetried: invalid JSON from the model is fed back.
func TestStage2ModelFailureIsRetried(t *testing.T) {
	r, srv, _ := runner(t, ModeLive, nil, Options{Validator: stubValidator{}})
	srv.Inject(refserver.Fault{Kind: refserver.FaultSlow, Delay: time.Millisecond}, refserver.Fault{Kind: refserver.FaultJSONError})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.True(t, res.Success, "%v", res.Error)
	assert.Equal(t, 2, res.Attempts)
	require.Len(t, res.Failures, 1)
	assert.Contains(t, res.Failures[0].Error, provider.ErrJSON.Error())
	assert.Equal(t, 2, res.Stage2.Calls)
	assert.Len(t, res.Stage2.Errors, 1)
}

// sandboxError is a validator whose sandbox fails.
type sandboxError struct{}

func (sandboxError) Validate(context.Context, Program) (record.Validation, error) {
	return record.Validation{Compiled: true, Class: "sandbox_error", Error: "worker died"}, nil
}

// TestSandboxErrorIsNotFedBack: the sandbox's failure is not the model's.
func TestSandboxErrorIsNotFedBack(t *testing.T) {
	r, srv, _ := runner(t, ModeLive, nil, Options{Validator: sandboxError{}})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.False(t, res.Success)
	assert.Equal(t, 1, res.Attempts)
	assert.Empty(t, res.Failures)
	assert.Contains(t, res.Error, "sandbox_error: worker died")
	assert.Equal(t, 2, srv.Count())
}
