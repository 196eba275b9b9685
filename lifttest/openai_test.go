package lifttest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// openaiRunner runs the OpenAI provider against a reference endpoint
// serving the simple suite's scripts on its /v1 routes.
func openaiRunner(t *testing.T, mode Mode, cfg refserver.Config, o Options) (*Runner, *refserver.Server) {
	t.Helper()
	scripts, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	cfg.Scripts = scripts
	srv, url := refserver.Start(t, cfg)
	o.Mode, o.Provider, o.Model = mode, ProviderOpenAI, refserver.DefaultModel
	o.Endpoint = strings.TrimSuffix(url, "/generate") + "/v1"
	if o.CassetteDir == "" {
		o.CassetteDir = t.TempDir()
	}
	if o.Validator == nil {
		o.Validator = stubValidator{}
	}
	bounded(&o)
	r, err := NewRunner(o)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r, srv
}

func TestOpenAIProviderEveryAPIAndStructuredOutput(t *testing.T) {
	for _, api := range []string{"chat", "completions"} {
		for _, structured := range []string{"structured_outputs", "guided_json", "response_format"} {
			t.Run(api+"/"+structured, func(t *testing.T) {
				r, srv := openaiRunner(t, ModeLive, refserver.Config{}, Options{API: api, Structured: structured})
				info, err := r.Prepare(context.Background())
				require.NoError(t, err)
				assert.Equal(t, refserver.DefaultModel, info.Model)
				assert.Equal(t, "openai-compatible", info.Backend)
				assert.True(t, strings.HasPrefix(info.Host, "127.0.0.1:"), info.Host)

				res, err := r.Run(context.Background(), "simple", addNumbers, 0)
				require.NoError(t, err)
				require.True(t, res.Success, "%v\n%s", res.Error, res.Source)
				assert.Equal(t, "add_two_numbers", res.Function)
				assert.Equal(t, 1, res.Stage1.SchemaValid, "the IR matched its schema")
				assert.Positive(t, res.Tokens, "usage tokens are read")
				assert.Zero(t, res.Stage1.Streamed)

				var gen, canary []refserver.Request
				for _, q := range srv.Requests() {
					switch {
					case strings.Contains(string(q.Body), "Reply with the JSON object"):
						canary = append(canary, q)
					case strings.HasSuffix(q.Path, "completions"):
						gen = append(gen, q)
					}
				}
				require.Len(t, canary, 1, "Prepare sends one canary")
				assert.Contains(t, string(canary[0].Body), `"`+structured+`"`, "the canary is constrained as the cases are")
				assert.Equal(t, "passed", info.Canary)
				assert.Equal(t, structured, info.Structured)
				require.Len(t, gen, 2)
				want := map[string]string{"chat": "/v1/chat/completions", "completions": "/v1/completions"}[api]
				assert.Equal(t, want, gen[0].Path)
				assert.Contains(t, string(gen[0].Body), `"`+structured+`"`, "the schema goes in the selected field")
				assert.Contains(t, string(gen[0].Body), `"model":"`+refserver.DefaultModel+`"`)
			})
		}
	}
}

func TestOpenAIDefaults(t *testing.T) {
	r, srv := openaiRunner(t, ModeLive, refserver.Config{}, Options{})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v1/chat/completions", reqs[0].Path, "chat is the default API")
	assert.Contains(t, string(reqs[0].Body), `"structured_outputs"`, "structured_outputs is the default")
}

func TestOpenAIWrongModel(t *testing.T) {
	r, _ := openaiRunner(t, ModeLive, refserver.Config{Model: "other/model"}, Options{})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err, "an endpoint's refusal is the record's")
	assert.False(t, res.Success)
	assert.Contains(t, res.Error, "404")
}

func TestOpenAIStreamReportsTTFTAndTPOT(t *testing.T) {
	cfg := refserver.Config{FirstTokenDelay: 30 * time.Millisecond, TokenInterval: 2 * time.Millisecond}
	r, _ := openaiRunner(t, ModeLive, cfg, Options{Stream: true})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	require.Equal(t, 1, res.Stage1.Streamed)
	require.Equal(t, 1, res.Stage2.Streamed)
	assert.GreaterOrEqual(t, res.Stage1.TTFT, 30*time.Millisecond)
	assert.Less(t, res.Stage1.TTFT, res.Stage1.Latency, "the first token comes before the end")
	// Paced at 2 ms; the bounds leave room for a loaded machine (the 1 ms
	// precision is measured in internal/openai).
	assert.GreaterOrEqual(t, res.Stage1.TPOT, 1500*time.Microsecond, "TPOT follows the pacing")
	assert.Less(t, res.Stage1.TPOT, 5*time.Millisecond, "TPOT follows the pacing")

	// The benchmark reports them per streamed call, with the retries.
	s := &Session{runner: r, opts: r.opts}
	bres := testing.Benchmark(func(b *testing.B) { s.benchCase(b, "simple", addNumbers) })
	require.Positive(t, bres.N)
	assert.GreaterOrEqual(t, bres.Extra["ttft-ns/op"], float64(30*time.Millisecond))
	assert.GreaterOrEqual(t, bres.Extra["tpot-ns/op"], float64(1500*time.Microsecond))
	assert.Less(t, bres.Extra["tpot-ns/op"], float64(5*time.Millisecond))
	assert.Contains(t, bres.Extra, "retries/op")
	assert.Equal(t, 1.0, bres.Extra["success/op"])
	s.mu.Lock()
	assert.Len(t, s.records, bres.N, "a live benchmark records every run")
	s.mu.Unlock()
}

func TestOpenAIStreamRecordsAndReplays(t *testing.T) {
	dir := t.TempDir()
	cfg := refserver.Config{FirstTokenDelay: 20 * time.Millisecond, TokenInterval: time.Millisecond}
	r, srv := openaiRunner(t, ModeRecord, cfg, Options{Stream: true, CassetteDir: dir, APIKey: "sk-SECRETKEY"})
	rec, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rec.Success, "%v", rec.Error)
	assert.Equal(t, "Bearer sk-SECRETKEY", srv.Requests()[0].Header.Get("Authorization"))
	data, err := os.ReadFile(filepath.Join(dir, "simple", "add_numbers.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), "SECRET", "the API key never reaches the cassette")

	rr, err := NewRunner(Options{
		Mode: ModeReplay, Provider: ProviderOpenAI, Model: refserver.DefaultModel, Stream: true,
		CassetteDir: dir, Validator: stubValidator{}, Transport: failTransport{t},
	})
	require.NoError(t, err)
	rep, err := rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rep.Success, "%v", rep.Error)
	assert.Equal(t, rec.Source, rep.Source)
	assert.True(t, rep.Stage1.Recorded)
	require.Equal(t, 1, rep.Stage1.Streamed)
	// The stream's chunk offsets were recorded: TTFT replays as measured,
	// to the recording's precision, and the stage lasts at least as long.
	assert.InDelta(t, rec.Stage1.TTFT, rep.Stage1.TTFT, float64(time.Millisecond))
	assert.InDelta(t, rec.Stage1.TPOT, rep.Stage1.TPOT, float64(time.Millisecond))
	assert.GreaterOrEqual(t, rep.Stage1.Latency, rep.Stage1.TTFT)

	// Replaying without -stream is another request: the cassette is stale.
	plain, err := NewRunner(Options{Mode: ModeReplay, Provider: ProviderOpenAI, Model: refserver.DefaultModel, CassetteDir: dir, Validator: stubValidator{}})
	require.NoError(t, err)
	_, err = plain.Run(context.Background(), "simple", addNumbers, 0)
	assert.ErrorIs(t, err, ErrStaleCassette)
	assert.ErrorContains(t, err, "-provider openai -model "+shellQuote(refserver.DefaultModel))
}

func TestColdStartIsReported(t *testing.T) {
	srv, url := refserver.Start(t, refserver.Config{ColdStart: 150 * time.Millisecond})
	dir := t.TempDir()
	r, err := NewRunner(Options{Mode: ModeRecord, Endpoint: url, CassetteDir: dir, Validator: nopValidator{}})
	require.NoError(t, err)
	info, err := r.Prepare(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, info.Warmup, 150*time.Millisecond, "warmup waits out the cold start")
	assert.Positive(t, srv.Count())

	// The benchmark summary reports the warmup as its own line.
	s := &Session{runner: r, opts: r.opts}
	var out bytes.Buffer
	s.writeBenchSummary(&out)
	br := benchfmt.NewReader(strings.NewReader(out.String()), "warmup.txt")
	require.True(t, br.Scan(), "a benchmark line: %q", out.String())
	warm, ok := br.Result().(*benchfmt.Result)
	require.True(t, ok, "a benchmark result: %q", out.String())
	assert.Equal(t, "Warmup", string(warm.Name))
	ns, ok := warm.Value("warmup-sec")
	require.True(t, ok, "%q", out.String())
	assert.InDelta(t, info.Warmup.Seconds(), ns, 1e-6)
	assert.False(t, br.Scan(), "no suite summary without runs")

	// Replay reports the recorded cold start.
	rr, err := NewRunner(Options{Mode: ModeReplay, CassetteDir: dir, Validator: nopValidator{}, Transport: failTransport{t}})
	require.NoError(t, err)
	rinfo, err := rr.Prepare(context.Background())
	require.NoError(t, err)
	// The recording's duration lies inside the measured call.
	assert.GreaterOrEqual(t, rinfo.Warmup, 150*time.Millisecond)
	assert.LessOrEqual(t, rinfo.Warmup, info.Warmup)
}
