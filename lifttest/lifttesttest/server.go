package lifttesttest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// DefaultModel is the model a Server reports when Config.Model is empty:
// the one lift-sys's recorded baseline ran.
const DefaultModel = "Qwen/Qwen2.5-Coder-32B-Instruct"

// Answer scripts one case: what the model answers to its stage-1 prompt
// and to the stage-2 code prompts that follow.
type Answer struct {
	// Prompt is the stage-1 prompt, matched exactly.
	Prompt string
	// IR is the stage-1 answer, an IR JSON document. Its signature.name is
	// how the case's stage-2 prompts are recognised, so it must have one
	// when Code is not empty.
	IR string
	// Code are the stage-2 answers (code JSON), one per attempt: a client
	// that retries after a failed attempt gets the next one, and the last
	// one once they run out.
	Code []string
	// Tokens is the tokens_used of each of these answers; 0 means an
	// estimate of about 4 bytes a token. It also drives Latency.PerToken.
	Tokens int
}

// Latency is the server-side time of one generation: Fixed + PerToken ×
// its output tokens. It is what a client sees as generation_time_ms and,
// on a stream, the time until the last token; the zero value answers at
// once.
type Latency struct {
	Fixed    time.Duration
	PerToken time.Duration
}

// Config says what a Server answers. The zero value is a server that knows
// no prompt, which is still useful for fault and health checks.
type Config struct {
	// Answers are the scripted cases. Prompts must be distinct.
	Answers []Answer
	// Suite, when set, also serves the answers of one of lifttest's
	// bundled suites ("simple", "phase2", "nontrivial", "expanded",
	// "humaneval_sample"), as the reference endpoint answers them; their
	// recorded delays are replaced by Latency.
	Suite string
	// Latency applies to every generation on both contracts.
	Latency Latency
	// Model is the model name of /health, /v1/models and the OpenAI
	// answers; an OpenAI request naming another model gets a 404, as vLLM
	// answers it. Empty means DefaultModel.
	Model string
}

// Server is a running fake endpoint. It is safe for concurrent use.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, without a trailing slash.
	URL string

	ref *refserver.Server
	ts  *httptest.Server
}

// NewServer starts a Server for cfg, listening on a free port of
// 127.0.0.1. The caller must Close it. NewServer panics if cfg is invalid
// (a negative latency, an IR or Code answer that is not JSON, an IR without
// signature.name beside Code answers, two answers with one prompt, an
// unknown Suite) or if it cannot listen: both are mistakes of the test, as
// with httptest.NewServer. Use Start in a test to get a failure instead.
func NewServer(cfg Config) *Server {
	s, err := newServer(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

// Start is NewServer for a test: it fails tb instead of panicking, and
// closes the Server when the test and its subtests end.
func Start(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s, err := newServer(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

func newServer(cfg Config) (*Server, error) {
	scripts, err := scripts(cfg)
	if err != nil {
		return nil, err
	}
	ref, err := refserver.New(refserver.Config{Scripts: scripts, TimeScale: 1, Model: cfg.Model})
	if err != nil {
		return nil, fmt.Errorf("lifttesttest: %w", err)
	}
	// Listen on IPv4 loopback explicitly: httptest would fall back to
	// [::1] or follow -httptest.serve, and a test may rely on 127.0.0.1.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lifttesttest: listen on 127.0.0.1: %w", err)
	}
	ts := httptest.NewUnstartedServer(ref)
	ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	return &Server{URL: ts.URL, ref: ref, ts: ts}, nil
}

// scripts converts the Answers and the Suite to the reference endpoint's
// scripts, with the delays of the latency model.
func scripts(cfg Config) ([]refserver.Script, error) {
	if cfg.Latency.Fixed < 0 || cfg.Latency.PerToken < 0 {
		return nil, fmt.Errorf("lifttesttest: negative Latency %+v", cfg.Latency)
	}
	var out []refserver.Script
	for i, a := range cfg.Answers {
		if a.Tokens < 0 {
			return nil, fmt.Errorf("lifttesttest: Answers[%d]: negative Tokens %d", i, a.Tokens)
		}
		if a.IR == "" {
			return nil, fmt.Errorf("lifttesttest: Answers[%d] (%q): IR is empty", i, a.Prompt)
		}
		sc := refserver.Script{Case: fmt.Sprint(i), Prompt: a.Prompt,
			Stage1: refserver.Answer{Body: json.RawMessage(a.IR), Tokens: a.Tokens}}
		for _, c := range a.Code {
			sc.Stage2 = append(sc.Stage2, refserver.Answer{Body: json.RawMessage(c), Tokens: a.Tokens})
		}
		out = append(out, sc)
	}
	if cfg.Suite != "" {
		suite, err := refserver.BundledSuite(cfg.Suite)
		if err != nil {
			return nil, fmt.Errorf("lifttesttest: Suite: %w", err)
		}
		out = append(out, suite...)
	}
	for i := range out {
		sc := &out[i]
		sc.Stage1.DelayMS = cfg.Latency.ms(sc.Stage1)
		for k := range sc.Stage2 {
			sc.Stage2[k].DelayMS = cfg.Latency.ms(sc.Stage2[k])
		}
	}
	return out, nil
}

// ms is the scripted delay of a, in the reference endpoint's unit.
func (l Latency) ms(a refserver.Answer) float64 {
	d := l.Fixed
	if l.PerToken > 0 && json.Valid(a.Body) { // else refserver.New reports it
		d += l.PerToken * time.Duration(a.OutputTokens())
	}
	return float64(d) / float64(time.Millisecond)
}

// GenerateURL is the Modal contract's generate URL, URL + "/generate";
// /health and /warmup sit beside it.
func (s *Server) GenerateURL() string { return s.URL + "/generate" }

// OpenAIURL is the base URL of the OpenAI-compatible API, URL + "/v1", as
// an OpenAI client takes it.
func (s *Server) OpenAIURL() string { return s.URL + "/v1" }

// Requests returns how many HTTP requests the Server has received, on any
// route, faulted ones included.
func (s *Server) Requests() int { return s.ref.Count() }

// Close aborts the answers in progress (their connections are dropped
// rather than left to wait out a latency), then shuts the server down. It
// may be called more than once.
func (s *Server) Close() {
	s.ref.Close()
	s.ts.Close()
}

// FaultKind says how a Fault spoils a call.
type FaultKind int

// Fault kinds.
const (
	// FaultStatus answers HTTP Fault.Status (default 500) with Fault.Body
	// (default the status text) as text/plain, at once, as the platform's
	// proxy does; with Fault.RetryAfter it also sends Retry-After.
	FaultStatus FaultKind = iota + 1
	// FaultDrop sends the headers and half the body, then drops the
	// connection (mid-stream for a stream): the client reads an
	// unexpected EOF.
	FaultDrop
	// FaultMalformed answers HTTP 200 with a body that is not JSON:
	// Fault.Body, default an HTML error page.
	FaultMalformed
	// FaultSlow waits Fault.Delay, then answers normally.
	FaultSlow
	// FaultInvalidJSON answers as when the model produced invalid JSON:
	// finish_reason json_error on /generate, broken content on the OpenAI
	// routes. Fault.Body is the broken output (default half the answer).
	FaultInvalidJSON
)

// Fault spoils the next generation calls, on either contract: POST
// /generate, /v1/chat/completions or /v1/completions. Health, warmup and
// models requests are never faulted.
type Fault struct {
	Kind FaultKind
	// Times is how many calls in a row the fault spoils; 0 means 1.
	Times int
	// Status is the HTTP status of FaultStatus.
	Status int
	// RetryAfter is sent as a Retry-After header (whole seconds, rounded
	// up) by FaultStatus, as with a 429 or 503.
	RetryAfter time.Duration
	// Body replaces the default body of FaultStatus, FaultMalformed and
	// FaultInvalidJSON.
	Body string
	// Delay is waited before the fault applies, whatever its kind; it is
	// not part of generation_time_ms (it models the platform's queue).
	Delay time.Duration
}

var kinds = map[FaultKind]refserver.FaultKind{
	FaultStatus:      refserver.FaultStatus,
	FaultDrop:        refserver.FaultTruncated,
	FaultMalformed:   refserver.FaultNonJSON,
	FaultSlow:        refserver.FaultSlow,
	FaultInvalidJSON: refserver.FaultJSONError,
}

// Inject queues faults: each generation call takes the first one left, so
// they apply in order, Times calls each, and calls after them are answered
// normally. Inject panics on an unknown Kind or a negative Times or Delay:
// those are mistakes of the test.
func (s *Server) Inject(faults ...Fault) {
	var queue []refserver.Fault
	for _, f := range faults {
		kind, ok := kinds[f.Kind]
		switch {
		case !ok:
			panic(fmt.Sprintf("lifttesttest: Inject: unknown fault kind %d", f.Kind))
		case f.Times < 0 || f.Delay < 0:
			panic(fmt.Sprintf("lifttesttest: Inject: negative Times or Delay in %+v", f))
		}
		rf := refserver.Fault{Kind: kind, Body: f.Body, Delay: f.Delay}
		if f.Kind == FaultStatus {
			rf.Status, rf.RetryAfter = f.Status, f.RetryAfter
		}
		for range max(f.Times, 1) {
			queue = append(queue, rf)
		}
	}
	s.ref.Inject(queue...)
}
