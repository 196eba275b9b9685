package openai

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// BenchmarkStream measures streamed answers from the reference endpoint
// paced at 20 ms to the first token and 5 ms per token (37 tokens), and
// reports how far the measured TTFT and median ITL are from that pacing.
// go test -bench Stream ./internal/openai/
func BenchmarkStream(b *testing.B) {
	const first, every = 20 * time.Millisecond, 5 * time.Millisecond
	_, base := startRef(b, refserver.Config{FirstTokenDelay: first, TokenInterval: every})
	c := &Client{BaseURL: base, Model: refserver.DefaultModel, Stream: true}
	req := provider.Request{Prompt: testPrompt, MaxTokens: 512, Temperature: 0.3, TopP: 0.95}
	var ttft, itl []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Generate(b.Context(), req)
		if err != nil {
			b.Fatal(err)
		}
		ttft = append(ttft, r.Stream.TTFT)
		itl = append(itl, r.Stream.ITL...)
	}
	b.ReportMetric(float64(median(ttft))/1e6, "ttft-ms")
	b.ReportMetric(float64(median(itl))/1e6, "itl-ms")
	b.ReportMetric(float64(abs(median(ttft)-first))/1e3, "ttft-err-us")
	b.ReportMetric(float64(abs(median(itl)-every))/1e3, "itl-err-us")
}

func abs(d time.Duration) time.Duration { return max(d, -d) }

// sseBody is a vLLM chat stream of a ~2 KB code answer in 4-byte tokens
// (about 500 chunks: a typical stage-2 answer), with role and usage chunks.
func sseBody() []byte {
	doc := `{"implementation":{"body_statements":[` + strings.Repeat(`{"type":"assignment","code":"result = a + b","rationale":"add"},`, 30) +
		`{"type":"return","code":"return result","rationale":null}]}}`
	var b bytes.Buffer
	b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}` + "\n\n")
	n := 0
	for i := 0; i < len(doc); i += 4 {
		tok := doc[i:min(i+4, len(doc))]
		q := strings.ReplaceAll(tok, `"`, `\"`)
		fin := "null"
		if i+4 >= len(doc) {
			fin = `"stop"`
		}
		fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"%s"},"logprobs":null,"finish_reason":%s}]}`+"\n\n", q, fin)
		n++
	}
	fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":100,"total_tokens":%d,"completion_tokens":%d}}`+"\n\n", 100+n, n)
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

// memTransport answers every request with body, in memory, so that a
// benchmark counts the client's allocations only.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(bytes.NewReader(m.body)), Request: r}, nil
}

// BenchmarkStreamDecode is the client's cost per streamed answer (~500
// chunks), network aside: allocations and CPU of reading and timing it.
func BenchmarkStreamDecode(b *testing.B) {
	c := &Client{BaseURL: "http://mem/v1", Model: "m", Stream: true, HTTP: &http.Client{Transport: memTransport{sseBody()}}}
	req := provider.Request{Prompt: testPrompt, MaxTokens: 2048, Temperature: 0.3, TopP: 0.95}
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Generate(b.Context(), req)
		if err != nil {
			b.Fatal(err)
		}
		if r.Stream.Chunks < 400 {
			b.Fatalf("%d chunks", r.Stream.Chunks)
		}
	}
}
