package refserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// client bounds every request so that a hung server fails the test fast.
var client = &http.Client{Timeout: 10 * time.Second}

// call sends one request and returns the response with its whole body; the
// error of reading the body is returned too, for the faults that spoil it.
func call(t *testing.T, ctx context.Context, method, url, body string, header http.Header) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// generate posts a generate request for prompt and decodes the JSON answer.
func generate(t *testing.T, url, prompt string) map[string]any {
	t.Helper()
	body, err := json.Marshal(map[string]any{"prompt": prompt, "max_tokens": 2048, "temperature": 0.3, "top_p": 0.95})
	require.NoError(t, err)
	resp, data, err := call(t, t.Context(), http.MethodPost, url, string(body), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", data)
	return decode(t, data)
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m), "body: %s", data)
	return m
}

// genMS takes generation_time_ms out of an answer, which the tests check
// apart because it is measured.
func genMS(t *testing.T, m map[string]any) float64 {
	t.Helper()
	n, ok := m["generation_time_ms"].(json.Number)
	require.True(t, ok, "generation_time_ms is %T, want a number", m["generation_time_ms"])
	delete(m, "generation_time_ms")
	f, err := n.Float64()
	require.NoError(t, err)
	return f
}

func healthURL(generateURL string) string {
	return strings.TrimSuffix(generateURL, "/generate") + "/health"
}

func warmupURL(generateURL string) string {
	return strings.TrimSuffix(generateURL, "/generate") + "/warmup"
}

// codePrompt is a stage-2 prompt in the shape of the client's, with one
// retry line per failed attempt.
func codePrompt(summary, name, params, returns string, failed ...string) string {
	var b strings.Builder
	b.WriteString("Implement the following Python function.\n\nPurpose: " + summary + "\n\n")
	b.WriteString("Signature:\ndef " + name + "(" + params + ") -> " + returns + ":\n\nConstraints: None\n")
	for i, f := range failed {
		b.WriteString("\nPrevious attempt (#" + strconv.Itoa(i+1) + ") failed: " + f + "\n")
	}
	return b.String()
}

// script builds a one-case script whose function is named name.
func script(prompt, name string, stage2 ...refserver.Answer) refserver.Script {
	return refserver.Script{
		Suite: "test", Case: name, Prompt: prompt,
		Stage1: refserver.Answer{Body: irBody(prompt, name), Tokens: 100},
		Stage2: stage2,
	}
}

func irBody(summary, name string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"intent":    map[string]any{"summary": summary},
		"signature": map[string]any{"name": name, "parameters": []any{}},
	})
	return b
}

func codeBody(code string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"implementation": map[string]any{"body_statements": []any{map[string]any{"type": "return", "code": code}}},
	})
	return b
}
