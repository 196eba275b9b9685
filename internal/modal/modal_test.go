package modal

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
)

// serve starts a loopback server answering every request with status and body.
func serve(t *testing.T, status int, body string) (*Client, *[]*http.Request) {
	t.Helper()
	var seen []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		seen = append(seen, r)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &Client{GenerateURL: srv.URL + "/generate", HTTP: srv.Client()}, &seen
}

func TestGenerateAnswerShapes(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantOut  string
		wantKey  string
		wantErr  error
		wantText string
	}{
		{name: "ir_json", status: 200, body: `{"ir_json":{"a":1},"tokens_used":42,"generation_time_ms":8850.5,"finish_reason":"stop"}`, wantOut: `{"a":1}`, wantKey: "ir_json"},
		{name: "text key of the newer app", status: 200, body: `{"text":{"b":2},"tokens_used":7,"generation_time_ms":1,"finish_reason":"stop"}`, wantOut: `{"b":2}`, wantKey: "text"},
		{name: "text as a JSON string", status: 200, body: `{"text":"{\"c\":3}","finish_reason":"stop"}`, wantOut: `{"c":3}`, wantKey: "text"},
		{name: "json_error", status: 200, body: `{"error":"Invalid JSON generated: Expecting ','","raw_output":"{\"intent\": {","ir_json":null,"tokens_used":0,"generation_time_ms":12,"finish_reason":"json_error"}`, wantErr: provider.ErrJSON, wantText: "Expecting ','"},
		{name: "generation error", status: 200, body: `{"error":"Generation failed: CUDA OOM","ir_json":null,"tokens_used":0,"generation_time_ms":3,"finish_reason":"error"}`, wantErr: provider.ErrGeneration, wantText: "CUDA OOM"},
		{name: "length", status: 200, body: `{"ir_json":null,"raw_output":"{\"intent\":","tokens_used":2048,"finish_reason":"length"}`, wantErr: provider.ErrLength, wantText: "max_tokens"},
		{name: "missing field in a 200 body", status: 200, body: `{"error":"Missing required field: prompt","status":400}`, wantErr: provider.ErrRequest, wantText: "Missing required field: prompt"},
		{name: "non-JSON 200 body", status: 200, body: `<html>Bad gateway</html>`, wantErr: provider.ErrMalformed, wantText: "not JSON"},
		{name: "no output key", status: 200, body: `{"finish_reason":"stop"}`, wantErr: provider.ErrMalformed, wantText: "neither ir_json nor text"},
		{name: "text string that is not JSON", status: 200, body: `{"text":"{oops","finish_reason":"stop"}`, wantErr: provider.ErrJSON, wantText: "text is not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := serve(t, tt.status, tt.body)
			got, err := c.Generate(context.Background(), provider.Request{Prompt: "p", MaxTokens: 10})
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), tt.wantText)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.wantOut, string(got.Output))
			assert.Equal(t, tt.wantKey, got.Key)
		})
	}
}

func TestGenerateSuccessFields(t *testing.T) {
	c, seen := serve(t, 200, `{"ir_json":{"a":1},"tokens_used":42,"generation_time_ms":8850.5,"finish_reason":"stop"}`)
	c.Key, c.Secret = "wk-123", "ws-456"
	got, err := c.Generate(context.Background(), provider.Request{Prompt: "Create a function", Schema: json.RawMessage(`{"type":"object"}`), MaxTokens: 2048, Temperature: 0.3, TopP: 0.95})
	require.NoError(t, err)
	assert.Equal(t, 42, got.Tokens)
	assert.Equal(t, 8850500*time.Microsecond, got.ServerTime)
	require.Len(t, *seen, 1)
	r := (*seen)[0]
	assert.Equal(t, "wk-123", r.Header.Get("Modal-Key"))
	assert.Equal(t, "ws-456", r.Header.Get("Modal-Secret"))
	b, _ := io.ReadAll(r.Body)
	assert.JSONEq(t, `{"prompt":"Create a function","schema":{"type":"object"},"max_tokens":2048,"temperature":0.3,"top_p":0.95}`, string(b))
}

func TestGenerateHTTPErrors(t *testing.T) {
	long := strings.Repeat("x", 2000)
	for _, status := range []int{404, 408, 500} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			c, _ := serve(t, status, "Missing request, possibly due to expiry or cancellation "+long)
			_, err := c.Generate(context.Background(), provider.Request{Prompt: "p"})
			var se *provider.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, status, se.Status)
			assert.Len(t, se.Body, 500, "only the body's first 500 bytes are kept")
			assert.True(t, strings.HasPrefix(se.Body, "Missing request"))
			assert.Contains(t, err.Error(), "/generate")
		})
	}
}

func TestGenerateBodyCap(t *testing.T) {
	c, _ := serve(t, 200, `{"ir_json":"`+strings.Repeat("a", 4096)+`"}`)
	c.MaxBody = 1024
	_, err := c.Generate(context.Background(), provider.Request{Prompt: "p"})
	assert.ErrorIs(t, err, provider.ErrTooLarge)
}

func TestGenerateTimeout(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	c := &Client{GenerateURL: srv.URL + "/generate", Timeout: 50 * time.Millisecond}
	start := time.Now()
	_, err := c.Generate(context.Background(), provider.Request{Prompt: "p"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Contains(t, err.Error(), "no answer within 50ms")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestNoURL(t *testing.T) {
	_, err := (&Client{}).Generate(context.Background(), provider.Request{Prompt: "p"})
	assert.ErrorContains(t, err, "-endpoint")
}

func TestHealthAndWarmup(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"status":"healthy","model":"Qwen/Qwen2.5-Coder-32B-Instruct","gpu":"A100-80GB","backend":"vllm"}`)
	})
	mux.HandleFunc("GET /warmup", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"status":"warm","model_loaded":true,"model":"m","ready_for_requests":true}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &Client{GenerateURL: srv.URL + "/generate"}
	h, err := c.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Health{Status: "healthy", Model: "Qwen/Qwen2.5-Coder-32B-Instruct", GPU: "A100-80GB", Backend: "vllm"}, h)
	w, err := c.Warmup(context.Background())
	require.NoError(t, err)
	assert.True(t, w.ReadyForRequests)

	c.HealthURL = srv.URL + "/nope"
	_, err = c.Health(context.Background())
	var se *provider.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 404, se.Status)
}

func TestDeriveURL(t *testing.T) {
	tests := []struct{ in, endpoint, want string }{
		{"https://ws--generate.modal.run", "health", "https://ws--health.modal.run"},
		{"https://ws--lift-sys-inference-generate-dev.modal.run", "health", "https://ws--lift-sys-inference-health-dev.modal.run"},
		{"https://ws--qwen-80b-generate.modal.run", "warmup", "https://ws--qwen-80b-warmup.modal.run"},
		{"http://127.0.0.1:8787/generate", "health", "http://127.0.0.1:8787/health"},
		{"http://127.0.0.1:8787/v1/generate?x=1", "warmup", "http://127.0.0.1:8787/v1/warmup?x=1"},
		{"http://127.0.0.1:8787", "health", "http://127.0.0.1:8787/health"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.endpoint, func(t *testing.T) {
			assert.Equal(t, tt.want, DeriveURL(tt.in, tt.endpoint))
		})
	}
}

func TestGenerateRejectsAnInvalidSchema(t *testing.T) {
	c, seen := serve(t, 200, `{"ir_json":{},"finish_reason":"stop"}`)
	for _, sch := range []string{`{"type":`, "{ \"type\": \"object\" }"} {
		_, err := c.Generate(context.Background(), provider.Request{Prompt: "p", Schema: json.RawMessage(sch)})
		assert.ErrorContains(t, err, "schema", sch)
	}
	assert.Empty(t, *seen, "nothing is sent")
	// The same checked slice is reused without a second check and still sent whole.
	sch := json.RawMessage(`{"type":"object"}`)
	for range 2 {
		_, err := c.Generate(context.Background(), provider.Request{Prompt: "p", Schema: sch})
		require.NoError(t, err)
	}
	b, _ := io.ReadAll((*seen)[1].Body)
	assert.JSONEq(t, `{"prompt":"p","schema":{"type":"object"},"max_tokens":0,"temperature":0,"top_p":0}`, string(b))
}
