package lifttest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// generations are the requests srv got on the generation routes, the
// canary's apart.
func generations(srv *refserver.Server) (cases, canaries int) {
	for _, q := range srv.Requests() {
		switch {
		case !strings.HasSuffix(q.Path, "completions"):
		case strings.Contains(string(q.Body), "Reply with the JSON object"):
			canaries++
		default:
			cases++
		}
	}
	return cases, canaries
}

func TestAutoStructuredFollowsTheDetectedServer(t *testing.T) {
	tests := []struct {
		api, want string
		llama     bool
	}{
		{"chat", "structured_outputs", false}, // vLLM's owned_by, no /version: current vLLM
		{"completions", "structured_outputs", false},
		{"chat", "response_format", true},
		{"completions", "json_schema", true},
	}
	for _, tt := range tests {
		t.Run(tt.api+"/"+map[bool]string{true: "llama.cpp", false: "vllm"}[tt.llama], func(t *testing.T) {
			r, srv := openaiRunner(t, ModeLive, refserver.Config{LlamaCpp: tt.llama, FirstTokenDelay: time.Millisecond, TokenInterval: time.Millisecond}, Options{API: tt.api, Structured: "auto", Stream: true})
			info, err := r.Prepare(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, info.Structured)
			assert.Equal(t, "passed", info.Canary)
			if tt.llama {
				assert.Contains(t, info.Server, "llama.cpp b0000-refserver")
			}
			res, err := r.Run(context.Background(), "simple", addNumbers, 0)
			require.NoError(t, err)
			require.True(t, res.Success, "%v", res.Error)
			last := srv.Requests()[len(srv.Requests())-1]
			assert.Contains(t, string(last.Body), `"`+tt.want+`":`, "the cases send what auto chose")
			if tt.llama {
				assert.Positive(t, res.Stage1.Server, "llama.cpp's timings are the server time")
				assert.Positive(t, res.Stage1.ITLMean)
				assert.GreaterOrEqual(t, res.Stage1.ITLP99, res.Stage1.ITLMean)
			} else {
				assert.Zero(t, res.Stage1.Server, "vLLM reports no server time")
			}
		})
	}
}

func TestCanaryStopsAServerThatIgnoresTheParameter(t *testing.T) {
	for _, api := range []string{"chat", "completions"} {
		t.Run(api, func(t *testing.T) {
			r, srv := openaiRunner(t, ModeLive, refserver.Config{LlamaCpp: true}, Options{API: api, Structured: "structured_outputs"})
			_, err := r.Prepare(context.Background())
			require.Error(t, err)
			assert.ErrorContains(t, err, "the canary failed, so the run stops before its first case")
			assert.ErrorContains(t, err, `"structured_outputs" on `+api, "names the parameter sent")
			assert.ErrorContains(t, err, "ignores that parameter")
			assert.ErrorContains(t, err, "try -structured")
			cases, canaries := generations(srv)
			assert.Equal(t, 1, canaries)
			assert.Zero(t, cases)
		})
	}
	// An explicit value the server honours passes.
	r, _ := openaiRunner(t, ModeLive, refserver.Config{Honours: []string{"guided_json"}}, Options{Structured: "guided_json"})
	info, err := r.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "passed", info.Canary)
}

func TestCanaryStopsOnceOnAWrongKey(t *testing.T) {
	for _, key := range []string{"", "sk-wrong"} {
		r, srv := openaiRunner(t, ModeLive, refserver.Config{APIKey: "sk-right"}, Options{APIKey: key})
		_, err := r.Prepare(context.Background())
		require.Error(t, err, "the models list is open, the canary is not")
		assert.ErrorContains(t, err, "HTTP 401")
		assert.ErrorContains(t, err, "set OPENAI_API_KEY")
		assert.NotContains(t, err.Error(), "sk-wrong", "the key is scrubbed")
		_, canaries := generations(srv)
		assert.Equal(t, 1, canaries, "one request, not one per case")
	}
	r, _ := openaiRunner(t, ModeLive, refserver.Config{APIKey: "sk-right"}, Options{APIKey: "sk-right"})
	_, err := r.Prepare(context.Background())
	require.NoError(t, err)

	// A server that guards its model list too stops at the health check,
	// with the same advice.
	r, srv := openaiRunner(t, ModeLive, refserver.Config{APIKey: "sk-right", APIKeyOnModels: true}, Options{APIKey: "sk-wrong"})
	_, err = r.Prepare(context.Background())
	require.Error(t, err)
	assert.ErrorContains(t, err, "refused the credentials (HTTP 401)")
	assert.ErrorContains(t, err, "set OPENAI_API_KEY")
	_, canaries := generations(srv)
	assert.Zero(t, canaries)
}

func TestContextWindowIsReportedAsSuch(t *testing.T) {
	// refserver counts a prompt's tokens as its bytes / 4: a window 3
	// tokens above the stage-1 prompt fills during the answer.
	r, srv := openaiRunner(t, ModeLive, refserver.Config{LlamaCpp: true}, Options{})
	_, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	var first struct {
		Messages []struct{ Content string }
	}
	require.NoError(t, json.Unmarshal(srv.Requests()[0].Body, &first))
	window := len(first.Messages[0].Content)/4 + 3
	r, _ = openaiRunner(t, ModeLive, refserver.Config{LlamaCpp: true, ContextWindow: window}, Options{Stream: true})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.False(t, res.Success)
	assert.Contains(t, res.Error, "context window")
	assert.NotContains(t, res.Error, "output truncated at max_tokens")

	// A prompt that does not fit at all: llama.cpp's 400, told as such.
	r, _ = openaiRunner(t, ModeLive, refserver.Config{LlamaCpp: true, ContextWindow: 5}, Options{})
	res, err = r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.Contains(t, res.Error, "the prompt does not fit the context window")
}

func TestCanaryRecordsAndReplaysOffline(t *testing.T) {
	dir := t.TempDir()
	r, _ := openaiRunner(t, ModeRecord, refserver.Config{LlamaCpp: true}, Options{CassetteDir: dir, API: "completions"})
	info, err := r.Prepare(context.Background())
	require.NoError(t, err)
	require.Equal(t, "json_schema", info.Structured)
	_, err = r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)

	rr, err := NewRunner(Options{Mode: ModeReplay, Provider: ProviderOpenAI, Model: refserver.DefaultModel, API: "completions",
		CassetteDir: dir, Validator: stubValidator{}, Transport: failTransport{t}})
	require.NoError(t, err)
	rinfo, err := rr.Prepare(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "passed", rinfo.Canary, "the canary replays from the endpoint cassette")
	assert.Equal(t, "json_schema", rinfo.Structured, "detection replays too")
	rep, err := rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	assert.True(t, rep.Success, "%v", rep.Error)
}

// TestLlamaCppCassettesReplay replays what the conformance tier recorded
// from a real llama.cpp server (testdata/llamacpp/README.md): real wire
// shapes, parsed offline.
func TestLlamaCppCassettesReplay(t *testing.T) {
	theCase := Case{Name: "add", Prompt: "Create a function that adds two numbers", Function: "add"}
	for _, tt := range []struct {
		dir, api, structured string
		stream               bool
	}{
		{"chat", "chat", "response_format", false},
		{"chat-stream", "chat", "response_format", true},
		{"completions", "completions", "json_schema", false},
		{"completions-stream", "completions", "json_schema", true},
	} {
		t.Run(tt.dir, func(t *testing.T) {
			r, err := NewRunner(Options{Mode: ModeReplay, Provider: ProviderOpenAI, Model: "tiny-qwen2", API: tt.api, Stream: tt.stream,
				CassetteDir: filepath.Join("testdata", "llamacpp", tt.dir), Validator: stubValidator{}, MaxAttempts: 1, Transport: failTransport{t}})
			require.NoError(t, err)
			t.Cleanup(func() { r.Close() })
			info, err := r.Prepare(context.Background())
			require.NoError(t, err)
			assert.Contains(t, info.Server, `llama.cpp`)
			assert.Contains(t, info.Server, `owned_by "llamacpp"`)
			assert.Equal(t, tt.structured, info.Structured, "auto chose llama.cpp's parameter for -api %s", tt.api)
			assert.Equal(t, "passed", info.Canary)

			res, err := r.Run(context.Background(), "conformance", theCase, 0)
			require.NoError(t, err, "no infrastructure error: the client parses the real answers")
			assert.NotContains(t, res.Error, "invalid JSON", "the grammar held")
			assert.True(t, res.Stage1.Recorded)
			assert.Positive(t, res.Stage1.Tokens)
			assert.Positive(t, res.Stage1.Server, "llama.cpp's timings are the server time")
			assert.Equal(t, 1, res.Stage1.ServerTimed)
			assert.Positive(t, res.Stage1.ServerTPOT)
			if tt.stream {
				require.Equal(t, 1, res.Stage1.Streamed)
				assert.Positive(t, res.Stage1.TTFT)
				assert.Positive(t, res.Stage1.ITLMean)
				assert.GreaterOrEqual(t, res.Stage1.ITLP99, res.Stage1.ITLMean)
				// The recorded chunk offsets give lifttest's TPOT; the
				// server timed the same tokens.
				ratio := float64(res.Stage1.TPOT) / float64(res.Stage1.ServerTPOT)
				assert.InDelta(t, 1, ratio, 0.2, "TPOT %v vs the server's %v", res.Stage1.TPOT, res.Stage1.ServerTPOT)
			} else {
				assert.Zero(t, res.Stage1.Streamed)
			}
		})
	}
}
