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
	// IR is the stage-1 answer (IR JSON). Code prompts are recognised by
	// its signature.name, so it needs one when Code is not empty.
	IR string
	// Code are the stage-2 answers (code JSON), one per attempt; the last
	// one answers the attempts beyond.
	Code []string
	// Tokens is each answer's tokens_used (0: about 4 bytes a token).
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

// Config says what a Server answers. The zero value knows no prompt, which
// still serves health checks and faults.
type Config struct {
	// Answers are the scripted cases. Prompts must be distinct.
	Answers []Answer
	// Suite adds the answers of a bundled suite of lifttest ("simple",
	// "phase2", "nontrivial", "expanded", "humaneval_sample"), with
	// Latency in place of their recorded delays.
	Suite string
	// Latency applies to every generation on both contracts.
	Latency Latency
	// Model is the served model (empty: DefaultModel); an OpenAI request
	// naming another one gets a 404, as from vLLM.
	Model string
}

// Server is a running fake endpoint. It is safe for concurrent use.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, without a trailing slash.
	URL string

	ref *refserver.Server
	ts  *httptest.Server
}

// NewServer starts a Server for cfg on a free port of 127.0.0.1; the caller
// must Close it. Like httptest.NewServer, it panics if it cannot listen, and
// also if cfg is invalid: a negative latency, an IR or Code that is not
// JSON, Code beside an IR without signature.name, a prompt given twice, an
// unknown Suite. Start fails the test instead.
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
		// The reference endpoint checks these too; checked here, the
		// message names the fields of Answer rather than its stages.
		if !json.Valid([]byte(a.IR)) {
			return nil, fmt.Errorf("lifttesttest: Answers[%d] (%q): IR is not a JSON document", i, a.Prompt)
		}
		sc := refserver.Script{Suite: "Answers", Case: fmt.Sprint(i), Prompt: a.Prompt,
			Stage1: refserver.Answer{Body: json.RawMessage(a.IR), Tokens: a.Tokens}}
		for k, c := range a.Code {
			if !json.Valid([]byte(c)) {
				return nil, fmt.Errorf("lifttesttest: Answers[%d] (%q): Code[%d] is not a JSON document", i, a.Prompt, k)
			}
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
	if l.PerToken > 0 && json.Valid(a.Body) { // a failure's Body may be empty
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
	// FaultStatus answers HTTP Status (default 500) at once, with Body
	// (default the status text) as text/plain, as the platform's proxy does.
	FaultStatus FaultKind = iota + 1
	// FaultDrop drops the connection halfway through the answer (or the
	// stream): the client reads an unexpected EOF.
	FaultDrop
	// FaultMalformed answers HTTP 200 with a body that is not JSON (default
	// an HTML error page).
	FaultMalformed
	// FaultSlow waits Fault.Delay, then answers normally.
	FaultSlow
	// FaultInvalidJSON answers as a model that produced invalid JSON
	// (default half the answer): finish_reason json_error on /generate,
	// broken content on the OpenAI routes.
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
	// RetryAfter is sent by FaultStatus as a Retry-After header, in whole
	// seconds rounded up, as with a 429 or 503.
	RetryAfter time.Duration
	// Body replaces the default body or broken output of the kind.
	Body string
	// Delay is waited before any kind applies; as time in the platform's
	// queue, it is not part of generation_time_ms.
	Delay time.Duration
}

var kinds = map[FaultKind]refserver.FaultKind{
	FaultStatus:      refserver.FaultStatus,
	FaultDrop:        refserver.FaultTruncated,
	FaultMalformed:   refserver.FaultNonJSON,
	FaultSlow:        refserver.FaultSlow,
	FaultInvalidJSON: refserver.FaultJSONError,
}

// Inject queues faults for the next generation calls, in order, Times calls
// each; later calls are answered normally. It panics on an unknown Kind or
// a negative Times or Delay, mistakes of the test.
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
