package lifttest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/lifttest"
)

// openaiHarness runs the OpenAI provider against a reference endpoint
// serving the simple suite's scripts on its /v1 routes.
func openaiHarness(t *testing.T, mode lifttest.Mode, cfg refserver.Config, o lifttest.OpenAIOptions, dir string) (*lifttest.Harness, *refserver.Server) {
	t.Helper()
	scripts, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	cfg.Scripts = scripts
	srv, url := refserver.Start(t, cfg)
	v, err := sharedValidator()
	require.NoError(t, err)
	o.Model = refserver.DefaultModel
	h, err := lifttest.New(lifttest.Options{
		Mode: mode, Provider: lifttest.ProviderOpenAI, OpenAI: o,
		Endpoint:    strings.TrimSuffix(url, "/generate") + "/v1",
		CassetteDir: dir, Validator: v,
		Retry: lifttest.RetryOptions{BaseDelay: time.Millisecond},
	})
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h, srv
}

func TestOpenAIProviderEveryAPIAndStructuredOutput(t *testing.T) {
	for _, api := range []string{"chat", "completions"} {
		for _, structured := range []string{"structured_outputs", "guided_json", "response_format"} {
			t.Run(api+"/"+structured, func(t *testing.T) {
				h, srv := openaiHarness(t, lifttest.ModeLive, refserver.Config{}, lifttest.OpenAIOptions{API: api, Structured: structured}, t.TempDir())
				info, err := h.Prepare(context.Background())
				require.NoError(t, err)
				assert.Equal(t, refserver.DefaultModel, info.Model)
				assert.Equal(t, "vllm-openai", info.Backend)

				r, err := h.Run(context.Background(), "simple", addNumbers)
				require.NoError(t, err)
				require.True(t, r.Success, "%v\n%s", r.Err, r.Source)
				assert.Equal(t, "add_two_numbers", r.Function)
				assert.Equal(t, 1, r.Stage1.SchemaValid, "the IR matched its schema")
				assert.Positive(t, r.Tokens, "usage tokens are read")
				assert.Zero(t, r.Stage1.Streamed)

				var gen []refserver.Request
				for _, q := range srv.Requests() {
					if strings.HasSuffix(q.Path, "completions") {
						gen = append(gen, q)
					}
				}
				require.Len(t, gen, 2)
				want := map[string]string{"chat": "/v1/chat/completions", "completions": "/v1/completions"}[api]
				assert.Equal(t, want, gen[0].Path)
				assert.Contains(t, string(gen[0].Body), `"`+structured+`"`, "the schema goes in the selected field")
			})
		}
	}
}

func TestOpenAIStreamReportsTTFTAndTPOT(t *testing.T) {
	cfg := refserver.Config{FirstTokenDelay: 30 * time.Millisecond, TokenInterval: 2 * time.Millisecond}
	h, _ := openaiHarness(t, lifttest.ModeLive, cfg, lifttest.OpenAIOptions{Stream: true}, t.TempDir())
	r, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	require.True(t, r.Success, "%v", r.Err)
	require.Equal(t, 1, r.Stage1.Streamed)
	assert.GreaterOrEqual(t, r.Stage1.TTFT, 30*time.Millisecond)
	assert.Less(t, r.Stage1.TTFT, r.Stage1.Latency, "the first token comes before the end")
	// Paced at 2 ms; the bounds leave room for a loaded machine (the 1 ms
	// precision is measured in internal/openai).
	assert.GreaterOrEqual(t, r.Stage1.TPOT, 1500*time.Microsecond, "TPOT follows the pacing")
	assert.Less(t, r.Stage1.TPOT, 5*time.Millisecond, "TPOT follows the pacing")

	// The benchmark reports them per streamed call, with the retries.
	res := testing.Benchmark(func(b *testing.B) { h.Bench(b, "simple", addNumbers) })
	require.Positive(t, res.N)
	assert.GreaterOrEqual(t, res.Extra["ttft-ns/op"], float64(30*time.Millisecond))
	assert.GreaterOrEqual(t, res.Extra["tpot-ns/op"], float64(1500*time.Microsecond))
	assert.Less(t, res.Extra["tpot-ns/op"], float64(5*time.Millisecond))
	assert.Contains(t, res.Extra, "retries/op")
}

func TestOpenAIStreamRecordsAndReplays(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OPENAI_API_KEY", "sk-SECRETKEY")
	cfg := refserver.Config{FirstTokenDelay: 20 * time.Millisecond, TokenInterval: time.Millisecond}
	h, srv := openaiHarness(t, lifttest.ModeRecord, cfg, lifttest.OpenAIOptions{Stream: true}, dir)
	rec, err := h.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	require.True(t, rec.Success, "%v", rec.Err)
	assert.Equal(t, "Bearer sk-SECRETKEY", srv.Requests()[0].Header.Get("Authorization"))
	data, err := os.ReadFile(filepath.Join(dir, "simple", "add_numbers.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), "SECRET", "the API key never reaches the cassette")

	rh, err := lifttest.New(lifttest.Options{
		Mode: lifttest.ModeReplay, Provider: lifttest.ProviderOpenAI, OpenAI: lifttest.OpenAIOptions{Model: refserver.DefaultModel, Stream: true},
		CassetteDir: dir, Validator: h.Validator(), Transport: failTransport{t},
	})
	require.NoError(t, err)
	rep, err := rh.Run(context.Background(), "simple", addNumbers)
	require.NoError(t, err)
	require.True(t, rep.Success, "%v", rep.Err)
	assert.Equal(t, rec.Source, rep.Source)
	assert.True(t, rep.Stage1.Recorded)
	require.Equal(t, 1, rep.Stage1.Streamed)
	// The stream's chunk offsets were recorded: TTFT replays as measured,
	// to the recording's precision, and the stage lasts at least as long.
	assert.InDelta(t, rec.Stage1.TTFT, rep.Stage1.TTFT, float64(time.Millisecond))
	assert.InDelta(t, rec.Stage1.TPOT, rep.Stage1.TPOT, float64(time.Millisecond))
	assert.GreaterOrEqual(t, rep.Stage1.Latency, rep.Stage1.TTFT)
}

func TestColdStartIsReported(t *testing.T) {
	srv, url := refserver.Start(t, refserver.Config{ColdStart: 150 * time.Millisecond})
	dir := t.TempDir()
	h, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeRecord, Endpoint: url, CassetteDir: dir, Validator: nopValidator{}})
	require.NoError(t, err)
	info, err := h.Prepare(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, info.Warmup, 150*time.Millisecond, "warmup waits out the cold start")
	assert.Positive(t, srv.Count())

	res := testing.Benchmark(h.BenchWarmup)
	assert.Equal(t, float64(info.Warmup.Nanoseconds()), res.Extra["warmup-ns"])

	// Replay reports the recorded cold start.
	rh, err := lifttest.New(lifttest.Options{Mode: lifttest.ModeReplay, CassetteDir: dir, Validator: nopValidator{}, Transport: failTransport{t}})
	require.NoError(t, err)
	rinfo, err := rh.Prepare(context.Background())
	require.NoError(t, err)
	// The recording's duration lies inside the measured call.
	assert.GreaterOrEqual(t, rinfo.Warmup, 150*time.Millisecond)
	assert.LessOrEqual(t, rinfo.Warmup, info.Warmup)
}
