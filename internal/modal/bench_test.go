package modal

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/lift-sys/lifttest/internal/provider"
	"github.com/lift-sys/lifttest/internal/schema"
)

// benchAnswer is the reference endpoint's answer to the stage-1 request of
// simple/add_numbers (758 bytes), the answer `make loadtest` receives.
const benchAnswer = `{"ir_json":{"intent":{"summary":"Create a function that adds two numbers","rationale":"The function will take two numbers as input and return their sum.","holes":[]},"signature":{"name":"add_two_numbers","parameters":[{"name":"num1","type_hint":"int","description":"The first number to be added"},{"name":"num2","type_hint":"int","description":"The second number to be added"}],"returns":"int","holes":[]},"effects":[],"assertions":[],"metadata":{"source_path":null,"language":null,"origin":null,"evidence":[]},"constraints":[{"type":"return_constraint","description":"The function must return the sum of num1 and num2","severity":"error","value_name":"result","requirement":"MUST_RETURN"}]},"tokens_used":247,"generation_time_ms":0.0,"finish_reason":"stop"}`

// benchRequest is a stage-1 request: the IR schema (~3 KB) and a prompt.
func benchRequest() provider.Request {
	return provider.Request{Prompt: "Write a function that adds two numbers and returns the result.",
		Schema: schema.IR().JSON(), MaxTokens: 2048, Temperature: 0.3, TopP: 0.95}
}

// memTransport answers every request with body, in memory, so that a
// benchmark counts the client's own work only (net/http's Transport and
// the network aside).
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(m.body)), Body: io.NopCloser(bytes.NewReader(m.body)), Request: r}, nil
}

// BenchmarkGenerate is lifttest's own cost per stage-1 request (encoding,
// headers, timeout, reading and decoding the answer), network aside.
// go test -run '^$' -bench Generate -benchmem ./internal/modal/
func BenchmarkGenerate(b *testing.B) {
	c := &Client{GenerateURL: "http://mem/generate", HTTP: &http.Client{Transport: memTransport{[]byte(benchAnswer)}}}
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Generate(b.Context(), req)
		if err != nil || r.Key != "ir_json" {
			b.Fatal(r.Key, err)
		}
	}
}

// BenchmarkGenerateLoopback is the same request over loopback HTTP to a
// server that answers benchAnswer, 64 in flight as in `make loadtest`
// (the server's work is in the figures too: compare with
// BenchmarkNetHTTPLoopback, the bare net/http client on the same server).
func BenchmarkGenerateLoopback(b *testing.B) {
	url, tr := benchServer(b)
	c := &Client{GenerateURL: url, HTTP: &http.Client{Transport: tr}}
	req := benchRequest()
	b.ReportAllocs()
	b.SetParallelism(32) // x GOMAXPROCS=2: 64 in flight
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Generate(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkNetHTTPLoopback is the floor of BenchmarkGenerateLoopback: a
// bare net/http client posting the same body and reading the answer whole,
// no decoding, timeout or checks.
func BenchmarkNetHTTPLoopback(b *testing.B) {
	url, tr := benchServer(b)
	hc := &http.Client{Transport: tr}
	c := &Client{}
	body, err := c.encode(benchRequest())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

var benchBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// benchServer serves benchAnswer on loopback and returns its URL and a
// Transport tuned as `make loadtest` tunes it.
func benchServer(b *testing.B) (string, *http.Transport) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := benchBufs.Get().(*bytes.Buffer)
		buf.Reset()
		_, _ = buf.ReadFrom(r.Body)
		benchBufs.Put(buf)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchAnswer)
	}))
	b.Cleanup(srv.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 128
	tr.WriteBufferSize = 16 << 10
	b.Cleanup(tr.CloseIdleConnections)
	return srv.URL + "/generate", tr
}

// BenchmarkNetHTTPMem is BenchmarkGenerate's floor: the bare net/http
// client of BenchmarkNetHTTPLoopback on the in-memory transport.
func BenchmarkNetHTTPMem(b *testing.B) {
	hc := &http.Client{Transport: memTransport{[]byte(benchAnswer)}}
	body, err := (&Client{}).encode(benchRequest())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "http://mem/generate", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
