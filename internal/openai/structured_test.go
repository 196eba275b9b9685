package openai

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/provider"
)

func TestParseStructuredRoundTrips(t *testing.T) {
	for _, n := range StructuredNames {
		st, err := ParseStructured(n)
		require.NoError(t, err)
		assert.Equal(t, n, st.String())
	}
	_, err := ParseStructured("grammar")
	assert.ErrorContains(t, err, "json_schema")
	_, err = ParseStructured("auto")
	assert.Error(t, err, "auto is resolved by detection, not sent")
}

func TestServerStructuredPerFamilyAndAPI(t *testing.T) {
	tests := []struct {
		srv        Server
		chat, cmpl Structured
	}{
		{Server{Family: VLLM, Version: "0.12.0"}, StructuredOutputs, StructuredOutputs},
		{Server{Family: VLLM, Version: "0.10.2"}, StructuredOutputs, StructuredOutputs},
		{Server{Family: VLLM, Version: "v0.10.1.1"}, GuidedJSON, GuidedJSON},
		{Server{Family: VLLM, Version: "0.6.6.post1"}, GuidedJSON, GuidedJSON},
		{Server{Family: VLLM}, StructuredOutputs, StructuredOutputs},
		{Server{Family: LlamaCpp}, ResponseFormat, JSONSchema},
		{Server{Family: SGLang}, ResponseFormat, JSONSchemaString},
		{Server{Family: Ollama}, ResponseFormat, ResponseFormat},
		{Server{Family: TGI}, ResponseFormatValue, ResponseFormatValue},
		{Server{}, StructuredOutputs, StructuredOutputs},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.chat, tt.srv.Structured(Chat), "%v chat", tt.srv)
		assert.Equal(t, tt.cmpl, tt.srv.Structured(Completions), "%v completions", tt.srv)
	}
}

// routes serves fixed answers by path; others get 404.
func routes(t *testing.T, hdr map[string]string, m map[string]string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		body, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL + "/v1", Model: "m", Timeout: 5 * time.Second}
}

func TestDetect(t *testing.T) {
	models := func(owner string) string {
		return `{"object":"list","data":[{"id":"m","object":"model","owned_by":"` + owner + `"}]}`
	}
	tests := []struct {
		name string
		hdr  map[string]string
		m    map[string]string
		want Server
	}{
		{"vLLM with /version", nil, map[string]string{"/v1/models": models("vllm"), "/version": `{"version":"0.11.0"}`}, Server{Family: VLLM, Version: "0.11.0", Via: `owned_by "vllm"`}},
		{"llama.cpp", nil, map[string]string{"/v1/models": models("llamacpp"), "/props": `{"build_info":"b6500-3f545bec"}`}, Server{Family: LlamaCpp, Version: "b6500-3f545bec", Via: `owned_by "llamacpp"`}},
		{"llama.cpp by header", map[string]string{"Server": "llama.cpp"}, map[string]string{"/v1/models": models("someone")}, Server{Family: LlamaCpp, Via: "header Server: llama.cpp"}},
		{"llama.cpp by /props", nil, map[string]string{"/v1/models": models("someone"), "/props": `{"build_info":"b1"}`}, Server{Family: LlamaCpp, Version: "b1", Via: "GET /props"}},
		{"SGLang", nil, map[string]string{"/v1/models": models("sglang")}, Server{Family: SGLang, Via: `owned_by "sglang"`}},
		{"TGI", nil, map[string]string{"/v1/models": models("tgi"), "/info": `{"router":"text-generation-router","version":"3.3.0"}`}, Server{Family: TGI, Version: "3.3.0", Via: "GET /info"}},
		{"Ollama", nil, map[string]string{"/v1/models": models("library"), "/api/version": `{"version":"0.12.3"}`}, Server{Family: Ollama, Version: "0.12.3", Via: "GET /api/version"}},
		{"unknown", nil, map[string]string{"/v1/models": models("openai")}, Server{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := routes(t, tt.hdr, tt.m).Detect(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := routes(t, nil, nil).Detect(t.Context())
	assert.ErrorContains(t, err, "404", "no model list is an error")
}

func TestServerTimingsFromLlamaCpp(t *testing.T) {
	timings := `"timings":{"prompt_n":9,"prompt_ms":12.5,"predicted_n":4,"predicted_ms":30,"predicted_per_token_ms":7.5}`
	c, _, _ := fake(t, 200, "application/json", `{"choices":[{"message":{"content":"{}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4},`+timings+`}`)
	got, err := c.Generate(t.Context(), provider.Request{Prompt: "p", MaxTokens: 16})
	require.NoError(t, err)
	assert.Equal(t, 42500*time.Microsecond, got.ServerTime, "prompt_ms + predicted_ms")
	assert.Equal(t, 7500*time.Microsecond, got.ServerTPOT)

	s, _, _ := fake(t, 200, "text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"{}\"},\"finish_reason\":\"stop\"}],"+timings+"}\n\ndata: {\"choices\":[],\"usage\":{\"completion_tokens\":4}}\n\ndata: [DONE]\n\n")
	s.Stream = true
	got, err = s.Generate(t.Context(), provider.Request{Prompt: "p", MaxTokens: 16})
	require.NoError(t, err)
	assert.Equal(t, 42500*time.Microsecond, got.ServerTime)
	assert.Equal(t, 7500*time.Microsecond, got.ServerTPOT)

	// A failed answer keeps the server time too.
	l, _, _ := fake(t, 200, "application/json", `{"choices":[{"message":{"content":"{"},"finish_reason":"length"}],"usage":{"completion_tokens":16},`+timings+`}`)
	_, err = l.Generate(t.Context(), provider.Request{Prompt: "p", MaxTokens: 16})
	ae, ok := errors.AsType[*provider.AnswerError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 42500*time.Microsecond, ae.ServerTime)
}

func TestCanary(t *testing.T) {
	answer := func(content string) string {
		b, _ := json.Marshal(content)
		return `{"choices":[{"message":{"content":` + string(b) + `},"finish_reason":"stop"}],"usage":{"completion_tokens":5}}`
	}
	t.Run("conforms", func(t *testing.T) {
		c, _, bodies := fake(t, 200, "application/json", answer(`{"ok": true}`))
		c.Structured = ResponseFormat
		_, err := c.Canary(t.Context(), "OPENAI_API_KEY")
		require.NoError(t, err)
		assert.Contains(t, (*bodies)[0], `"response_format"`)
		assert.Contains(t, (*bodies)[0], `"max_tokens":96`)
	})
	t.Run("ignored: free text", func(t *testing.T) {
		c, _, _ := fake(t, 200, "application/json", answer(`Sure! {"ok": true}`))
		c.API = Completions
		_, err := c.Canary(t.Context(), "OPENAI_API_KEY")
		require.ErrorIs(t, err, ErrCanary)
		assert.ErrorContains(t, err, `"structured_outputs" on completions`, "names the parameter sent")
		assert.ErrorContains(t, err, "ignores that parameter")
		assert.ErrorContains(t, err, "try -structured response_format, or json_schema")
	})
	t.Run("ignored: JSON of another shape", func(t *testing.T) {
		c, _, _ := fake(t, 200, "application/json", answer(`{"answer": "ok"}`))
		_, err := c.Canary(t.Context(), "OPENAI_API_KEY")
		require.ErrorIs(t, err, ErrCanary)
		assert.ErrorContains(t, err, `(no "ok")`)
	})
	t.Run("ignored: ran to max_tokens", func(t *testing.T) {
		c, _, _ := fake(t, 200, "application/json", `{"choices":[{"message":{"content":"blah blah"},"finish_reason":"length"}],"usage":{"completion_tokens":96}}`)
		_, err := c.Canary(t.Context(), "OPENAI_API_KEY")
		require.ErrorIs(t, err, ErrCanary)
		assert.ErrorContains(t, err, "did not finish")
	})
	t.Run("401", func(t *testing.T) {
		c, _, _ := fake(t, 401, "application/json", `{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}`)
		_, err := c.Canary(t.Context(), "OPENAI_API_KEY")
		require.ErrorIs(t, err, ErrCredentials)
		assert.ErrorContains(t, err, "set OPENAI_API_KEY")
		assert.ErrorContains(t, err, "does not accept")
		c.APIKey = ""
		_, err = c.Canary(t.Context(), "OPENAI_API_KEY")
		assert.ErrorContains(t, err, "sent no API key")
	})
	t.Run("400 rejects the field", func(t *testing.T) {
		c, _, _ := fake(t, 400, "application/json", `{"error":{"message":"Extra inputs are not permitted: guided_json"}}`)
		c.Structured = GuidedJSON
		_, err := c.Canary(t.Context(), "OPENAI_API_KEY")
		require.ErrorIs(t, err, ErrCanary)
		assert.ErrorContains(t, err, `rejected the canary, constrained with "guided_json" on chat`)
		assert.False(t, strings.Contains(err.Error(), "-structured guided_json,"), "does not suggest what failed")
	})
}
