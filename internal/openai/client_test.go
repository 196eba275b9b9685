package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// fake answers every request with status, content type and body, and
// keeps what it received.
func fake(t *testing.T, status int, ctype, body string) (*Client, *[]*http.Request, *[]string) {
	t.Helper()
	var reqs []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs, bodies = append(reqs, r), append(bodies, string(b))
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL + "/v1", Model: "m", APIKey: "sk-test"}, &reqs, &bodies
}

func TestRequestBodies(t *testing.T) {
	seed := 7
	req := provider.Request{Prompt: "p", Schema: json.RawMessage(`{"title":"IR","type":"object"}`), MaxTokens: 2048, Temperature: 0.3, TopP: 0.95, Seed: &seed}
	tests := []struct {
		name   string
		client Client
		path   string
		want   string
	}{
		{"chat, structured_outputs", Client{}, "/v1/chat/completions",
			`{"model":"m","messages":[{"role":"user","content":"p"}],"max_tokens":2048,"temperature":0.3,"top_p":0.95,"seed":7,"structured_outputs":{"json":{"title":"IR","type":"object"}}}`},
		{"chat, guided_json, stream", Client{Structured: GuidedJSON, Stream: true}, "/v1/chat/completions",
			`{"model":"m","messages":[{"role":"user","content":"p"}],"max_tokens":2048,"temperature":0.3,"top_p":0.95,"seed":7,"stream":true,"stream_options":{"include_usage":true},"guided_json":{"title":"IR","type":"object"}}`},
		{"completions, response_format", Client{API: Completions, Structured: ResponseFormat}, "/v1/completions",
			`{"model":"m","prompt":"p","max_tokens":2048,"temperature":0.3,"top_p":0.95,"seed":7,"response_format":{"type":"json_schema","json_schema":{"name":"IR","schema":{"title":"IR","type":"object"},"strict":true}}}`},
		{"completions, json_schema (llama.cpp)", Client{API: Completions, Structured: JSONSchema}, "/v1/completions",
			`{"model":"m","prompt":"p","max_tokens":2048,"temperature":0.3,"top_p":0.95,"seed":7,"json_schema":{"title":"IR","type":"object"}}`},
		{"completions, json_schema_string (SGLang)", Client{API: Completions, Structured: JSONSchemaString}, "/v1/completions",
			`{"model":"m","prompt":"p","max_tokens":2048,"temperature":0.3,"top_p":0.95,"seed":7,"json_schema":"{\"title\":\"IR\",\"type\":\"object\"}"}`},
		{"chat, response_format_value (TGI)", Client{Structured: ResponseFormatValue}, "/v1/chat/completions",
			`{"model":"m","messages":[{"role":"user","content":"p"}],"max_tokens":2048,"temperature":0.3,"top_p":0.95,"seed":7,"response_format":{"type":"json_object","value":{"title":"IR","type":"object"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer := `{"choices":[{"message":{"content":"{}"},"finish_reason":"stop"}]}`
			ctype := "application/json"
			if tt.client.Stream {
				answer, ctype = "data: {\"choices\":[{\"delta\":{\"content\":\"{}\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n", "text/event-stream"
			}
			c, reqs, bodies := fake(t, 200, ctype, answer)
			tt.client.BaseURL, tt.client.Model, tt.client.APIKey = c.BaseURL, c.Model, c.APIKey
			_, err := tt.client.Generate(t.Context(), req)
			require.NoError(t, err)
			_, err = tt.client.Generate(t.Context(), req)
			require.NoError(t, err)
			require.Len(t, *bodies, 2)
			assert.Equal(t, tt.want, (*bodies)[0], "exact bytes")
			assert.Equal(t, (*bodies)[0], (*bodies)[1], "byte-stable: cassettes match")
			r := (*reqs)[0]
			assert.Equal(t, tt.path, r.URL.Path)
			assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
		})
	}
}

func TestSchemaName(t *testing.T) {
	assert.Equal(t, "IntermediateRepresentation", schemaName(json.RawMessage(`{"title":"IntermediateRepresentation"}`)))
	assert.Equal(t, "output", schemaName(json.RawMessage(`{"title":"has spaces"}`)))
	assert.Equal(t, "output", schemaName(json.RawMessage(`{}`)))
}

func TestAnswerShapes(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		ctype    string
		stream   bool
		body     string
		wantOut  string
		wantTok  int
		wantIn   int
		wantErr  error
		wantText string
	}{
		{name: "chat", status: 200, body: `{"choices":[{"message":{"role":"assistant","content":" {\"a\":1}\n"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":5}}`, wantOut: `{"a":1}`, wantTok: 5, wantIn: 9},
		{name: "completions", status: 200, body: `{"choices":[{"text":"{\"b\":2}","finish_reason":"stop"}],"usage":{"completion_tokens":3}}`, wantOut: `{"b":2}`, wantTok: 3},
		{name: "content not JSON", status: 200, body: `{"choices":[{"message":{"content":"{\"intent\": {"},"finish_reason":"stop"}]}`, wantErr: provider.ErrJSON, wantText: "not JSON"},
		{name: "length", status: 200, body: `{"choices":[{"message":{"content":"{\"intent\":"},"finish_reason":"length"}],"usage":{"completion_tokens":2048}}`, wantErr: provider.ErrLength, wantText: "max_tokens"},
		{name: "abort", status: 200, body: `{"choices":[{"message":{"content":""},"finish_reason":"abort"}]}`, wantErr: provider.ErrGeneration, wantText: "abort"},
		{name: "no choices", status: 200, body: `{"choices":[]}`, wantErr: provider.ErrMalformed, wantText: "no choices"},
		{name: "no finish_reason", status: 200, body: `{"choices":[{"message":{"content":"{}"}}]}`, wantErr: provider.ErrMalformed, wantText: "finish_reason"},
		{name: "HTML", status: 200, ctype: "text/html", body: `<html>Bad gateway</html>`, wantErr: provider.ErrMalformed, wantText: "not JSON"},
		{name: "error body in 200", status: 200, body: `{"error":{"message":"engine dead","type":"InternalServerError"}}`, wantErr: provider.ErrGeneration, wantText: "engine dead"},
		{name: "stream", status: 200, stream: true, body: "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"{\\\"a\\\"\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\":1}\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":4}}\n\ndata: [DONE]\n\n", wantOut: `{"a":1}`, wantTok: 4, wantIn: 7},
		{name: "stream without usage counts chunks", status: 200, stream: true, body: "data: {\"choices\":[{\"text\":\"{}\",\"finish_reason\":\"stop\"}]}\r\n\r\ndata: [DONE]\r\n\r\n", wantOut: `{}`, wantTok: 1},
		{name: "stream cut before [DONE]", status: 200, stream: true, body: "data: {\"choices\":[{\"delta\":{\"content\":\"{}\"}}]}\n\n", wantErr: provider.ErrMalformed, wantText: "without [DONE]"},
		{name: "stream error event", status: 200, stream: true, body: "data: {\"error\":{\"message\":\"out of KV cache\"}}\n\ndata: [DONE]\n\n", wantErr: provider.ErrGeneration, wantText: "KV cache"},
		{name: "stream event not JSON", status: 200, stream: true, body: "data: {oops\n\ndata: [DONE]\n\n", wantErr: provider.ErrMalformed, wantText: "not JSON"},
		{name: "stream asked, JSON answered", status: 200, stream: true, ctype: "application/json", body: `{"choices":[]}`, wantErr: provider.ErrMalformed, wantText: "asked for a stream"},
		{name: "stream length", status: 200, stream: true, body: "data: {\"choices\":[{\"delta\":{\"content\":\"{\\\"a\\\"\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n", wantErr: provider.ErrLength, wantText: "output truncated at max_tokens (2048)"},
		{name: "stream length with usage", status: 200, stream: true, body: "data: {\"choices\":[{\"delta\":{\"content\":\"{\"},\"finish_reason\":\"length\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"completion_tokens\":2048}}\n\ndata: [DONE]\n\n", wantErr: provider.ErrLength, wantText: "output truncated at max_tokens (2048)"},
		{name: "context window", status: 200, body: `{"choices":[{"message":{"content":"{\"intent\":"},"finish_reason":"length"}],"usage":{"prompt_tokens":400,"completion_tokens":112}}`, wantErr: provider.ErrContext, wantText: "context window filled after 112 generated tokens, before max_tokens (2048); the prompt took 400, so the window is about 512 tokens"},
		{name: "stream context window", status: 200, stream: true, body: "data: {\"choices\":[{\"delta\":{\"content\":\"{\"},\"finish_reason\":\"length\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":500,\"completion_tokens\":12}}\n\ndata: [DONE]\n\n", wantErr: provider.ErrContext, wantText: "after 12 generated tokens, before max_tokens (2048)"},
		{name: "llama.cpp prompt too long", status: 400, body: `{"error":{"code":400,"message":"request (600 tokens) exceeds the available context size (512 tokens), try increasing it","type":"exceed_context_size_error"}}`, wantErr: provider.ErrContext, wantText: "exceeds the available context size (512 tokens)"},
		{name: "vLLM prompt too long", status: 400, body: `{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","param":null,"code":400}`, wantErr: provider.ErrContext, wantText: "maximum context length is 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctype := tt.ctype
			if ctype == "" {
				ctype = map[bool]string{true: "text/event-stream", false: "application/json"}[tt.stream]
			}
			c, _, _ := fake(t, tt.status, ctype, tt.body)
			c.Stream = tt.stream
			got, err := c.Generate(t.Context(), provider.Request{Prompt: "p", MaxTokens: 2048})
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), tt.wantText)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantOut, string(got.Output))
			assert.Equal(t, tt.wantTok, got.Tokens)
			assert.Equal(t, tt.wantIn, got.InputTokens, "usage.prompt_tokens")
			assert.Equal(t, "stop", got.FinishReason)
			assert.Equal(t, tt.stream, got.Stream != nil)
		})
	}
}

func TestLengthErrorDetails(t *testing.T) {
	c, _, _ := fake(t, 200, "application/json", `{"choices":[{"message":{"content":"{\"intent\":"},"finish_reason":"length"}],"usage":{"completion_tokens":2048}}`)
	_, err := c.Generate(t.Context(), provider.Request{Prompt: "p", MaxTokens: 2048})
	ae, ok := errors.AsType[*provider.AnswerError](err)
	require.True(t, ok)
	assert.Equal(t, 2048, ae.Tokens)
	assert.Equal(t, `{"intent":`, ae.RawOutput)
	assert.Equal(t, "length", ae.FinishReason)
}

func TestHTTPErrors(t *testing.T) {
	long := strings.Repeat("x", 2000)
	for _, status := range []int{400, 404, 408, 500} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			c, _, _ := fake(t, status, "application/json", `{"error":{"message":"bad request `+long+`"}}`)
			_, err := c.Generate(t.Context(), provider.Request{Prompt: "p"})
			se, ok := errors.AsType[*provider.StatusError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, status, se.Status)
			assert.Len(t, se.Body, 500)
			assert.Contains(t, err.Error(), "/v1/chat/completions")
		})
	}
}

func TestBodyCap(t *testing.T) {
	for _, stream := range []bool{false, true} {
		body := `{"choices":[{"message":{"content":"` + strings.Repeat("a", 4096) + `"},"finish_reason":"stop"}]}`
		ctype := "application/json"
		if stream {
			body, ctype = strings.Repeat("data: {\"choices\":[{\"delta\":{\"content\":\"aaaa\"}}]}\n\n", 200), "text/event-stream"
		}
		c, _, _ := fake(t, 200, ctype, body)
		c.MaxBody, c.Stream = 1024, stream
		_, err := c.Generate(t.Context(), provider.Request{Prompt: "p"})
		assert.ErrorIs(t, err, provider.ErrTooLarge, "stream %v", stream)
	}
}

func TestTimeout(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	c := &Client{BaseURL: srv.URL + "/v1", Model: "m", Timeout: 50 * time.Millisecond}
	_, err := c.Generate(t.Context(), provider.Request{Prompt: "p"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "no answer within 50ms")
}

func TestMissingSettings(t *testing.T) {
	_, err := (&Client{}).Generate(t.Context(), provider.Request{Prompt: "p"})
	assert.ErrorContains(t, err, "BaseURL")
	_, err = (&Client{BaseURL: "http://127.0.0.1:1/v1"}).Generate(t.Context(), provider.Request{Prompt: "p"})
	assert.ErrorContains(t, err, "Model")
}

func TestHealth(t *testing.T) {
	_, base := startRef(t, refserver.Config{})
	c := &Client{BaseURL: base, Model: refserver.DefaultModel}
	models, err := c.Health(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{refserver.DefaultModel}, models)

	c.Model = "other"
	models, err = c.Health(t.Context())
	assert.ErrorContains(t, err, `does not serve model "other"`)
	assert.Equal(t, []string{refserver.DefaultModel}, models)

	// A server whose /health fails is reported with its URL and status.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "engine dead", 503) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, err = (&Client{BaseURL: srv.URL + "/v1"}).Health(t.Context())
	se, ok := errors.AsType[*provider.StatusError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 503, se.Status)
	assert.Contains(t, err.Error(), srv.URL+"/health")

	// No /health (404) is fine; /models then decides.
	_, err = (&Client{BaseURL: srv.URL + "/v1"}).Health(t.Context())
	assert.Error(t, err)
	mux2 := http.NewServeMux()
	mux2.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"object":"list","data":[{"id":"a"},{"id":"b"}]}`)
	})
	srv2 := httptest.NewServer(mux2)
	t.Cleanup(srv2.Close)
	models, err = (&Client{BaseURL: srv2.URL + "/v1"}).Health(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, models)
}

func TestEventReader(t *testing.T) {
	in := ": comment\n\nevent: x\ndata: a\ndata:b\r\n\r\nid: 1\n\ndata: c\r\rdata: [DONE]\n\ndata: tail"
	for _, size := range []int{1, 3, 4096} { // events split across reads at every point
		er := newEventReader(&chunky{s: in, n: size}, 1<<20)
		var got []string
		for {
			d, err := er.next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			got = append(got, string(d))
		}
		assert.Equal(t, []string{"a\nb", "c", "[DONE]", "tail"}, got, "read size %d", size)
	}
}

// chunky reads n bytes at a time.
type chunky struct {
	s string
	n int
}

func (c *chunky) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}

func TestTimingsDefinitions(t *testing.T) {
	ms := time.Millisecond
	evs := []event{{at: 10 * ms}, {at: 20 * ms, content: true}, {at: 25 * ms, content: true}, {at: 32 * ms, content: true}, {at: 33 * ms}, {at: 34 * ms}}
	st := timings(evs, 5)
	assert.Equal(t, 20*ms, st.TTFT, "the role chunk before it does not count")
	assert.Equal(t, []time.Duration{5 * ms, 7 * ms}, st.ITL)
	assert.Equal(t, 3, st.Chunks)
	assert.Equal(t, 5, st.OutputTokens)
	assert.Equal(t, (33*ms-20*ms)/4, st.TPOT, "E2E is the last event before [DONE]")
	assert.Equal(t, 3, timings(evs, -1).OutputTokens, "no usage: chunks stand in")
}
