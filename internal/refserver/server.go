package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/lift-sys/lifttest/internal/ir"
)

// Defaults of Config.Model and Config.GPU: the deployment of the 2025-10-22
// baseline.
const (
	DefaultModel = "Qwen/Qwen2.5-Coder-32B-Instruct"
	DefaultGPU   = "A100-80GB"
)

const (
	routeGenerate = "/generate"
	routeHealth   = "/health"
	routeWarmup   = "/warmup"
)

// defaultMaxTokens is the contract's default for max_tokens.
const defaultMaxTokens = 2048

// maxRequestBody bounds a request body; real prompts are a few KiB.
const maxRequestBody = 8 << 20

// errClosed aborts the answers in progress when the Server is closed.
var errClosed = errors.New("refserver: server closed")

// Config configures a Server. The zero value works: no scripts (every
// generate answers "no scripted answer"), no delays, no cold start.
type Config struct {
	// Scripts are the cases the server can answer.
	Scripts []Script
	// TimeScale multiplies every Answer.DelayMS: 0 answers at once, 1 in
	// real time. It must not be negative.
	TimeScale float64
	// Model and GPU are reported by /health and /warmup; empty means
	// DefaultModel and DefaultGPU.
	Model, GPU string
	// ColdStart is paid once, by the first generate or warmup request (and
	// by those that arrive while it lasts). It is wall time, not scaled by
	// TimeScale, so a test can have instant answers and a visible cold start.
	ColdStart time.Duration

	// The OpenAI routes (openai.go). FirstTokenDelay and TokenInterval pace
	// a streamed answer: its first token after FirstTokenDelay, then one
	// every TokenInterval (0: the scripted delay spread over the tokens);
	// both are wall time, not scaled. MaxConcurrent bounds the generations
	// in progress there (0: no bound); one that waits in the queue longer
	// than QueueTimeout (0: no limit) gets Modal's HTTP 408.
	FirstTokenDelay, TokenInterval time.Duration
	MaxConcurrent                  int
	QueueTimeout                   time.Duration

	// Real servers' ways, on the OpenAI routes (servers.go). LlamaCpp
	// answers as llama.cpp's llama-server does: owned_by "llamacpp", a
	// "Server: llama.cpp" header, GET /props, "timings" in every final
	// answer, and the structured-output fields it honours (response_format
	// and json_schema on chat, json_schema on completions). Honours, when
	// not nil, replaces the fields the server honours (by default vLLM's:
	// structured_outputs, guided_json, response_format): a canary sent
	// with another is answered with free text, as a real server that
	// ignores an unknown field does. APIKey, when set, is required as a
	// bearer token on the generation routes (not on /v1/models, as
	// llama.cpp). ContextWindow, when positive, is the context size in
	// tokens: a prompt that does not fit is refused with llama.cpp's 400,
	// a generation that fills it stops with finish_reason "length".
	// APIKeyOnModels guards /v1/models with APIKey too, as a llama.cpp
	// started with --api-key does (at 3f545becc).
	LlamaCpp       bool
	Honours        []string
	APIKey         string
	APIKeyOnModels bool
	ContextWindow  int
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Server is an http.Handler implementing the Modal contract from scripts.
// It is safe for concurrent use.
type Server struct {
	cfg    Config
	stage1 map[string]answer // by exact prompt
	stage2 []stage2Script    // in script order

	loadOnce sync.Once
	loadedAt time.Time // set once, by loadOnce

	closeOnce sync.Once
	done      chan struct{}

	mu       sync.Mutex
	faults   []Fault
	requests []Request // the first maxLog
	count    int
}

// maxLog bounds the request log so that a load test cannot exhaust memory
// through it; tests look at far fewer requests.
const maxLog = 10_000

// New checks cfg and returns a Server for it.
func New(cfg Config) (*Server, error) {
	if cfg.TimeScale < 0 || math.IsNaN(cfg.TimeScale) || math.IsInf(cfg.TimeScale, 0) {
		return nil, fmt.Errorf("refserver: TimeScale %v is not a finite non-negative number", cfg.TimeScale)
	}
	if cfg.ColdStart < 0 {
		return nil, fmt.Errorf("refserver: ColdStart %v is negative", cfg.ColdStart)
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.GPU == "" {
		cfg.GPU = DefaultGPU
	}
	s := &Server{cfg: cfg, stage1: make(map[string]answer), done: make(chan struct{})}
	s.cfg.Scripts = nil // kept in prepared form only
	for _, sc := range cfg.Scripts {
		if err := s.add(sc); err != nil {
			return nil, fmt.Errorf("refserver: script %s/%s: %w", sc.Suite, sc.Case, err)
		}
	}
	return s, nil
}

func (s *Server) add(sc Script) error {
	if err := sc.validate(); err != nil {
		return err
	}
	if _, dup := s.stage1[sc.Prompt]; dup {
		return fmt.Errorf("%w: another script has the same prompt %q", ErrInvalidScript, sc.Prompt)
	}
	s.stage1[sc.Prompt] = prepare(sc.Stage1)
	if len(sc.Stage2) == 0 {
		return nil
	}
	if sc.Stage1.FinishReason != "" && sc.Stage1.FinishReason != FinishStop {
		return fmt.Errorf("%w: stage2 answers need a successful stage1 answer to name the function", ErrInvalidScript)
	}
	v, err := ir.ParseIR(sc.Stage1.Body)
	if err != nil {
		return fmt.Errorf("%w: stage1 body: %w", ErrInvalidScript, err)
	}
	st := stage2Script{def: "def " + v.Signature.Name + "(", summary: v.Intent.Summary}
	for _, a := range sc.Stage2 {
		st.answers = append(st.answers, prepare(a))
	}
	s.stage2 = append(s.stage2, st)
	return nil
}

// Close makes the answers in progress and to come abort their delays (the
// connection is dropped), so that an httptest server can close at once
// instead of waiting out real-time delays. It does not close any listener.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

// Requests returns a copy of the requests received so far, in order (the
// first 10,000 of them).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Path: r.Path, Header: r.Header.Clone(), Body: bytes.Clone(r.Body)}
	}
	return out
}

// Count returns how many requests were received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// ServeHTTP implements http.Handler. Some faults and Close drop the
// connection by panicking with http.ErrAbortHandler, as net/http intends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	s.mu.Lock()
	s.count++
	if len(s.requests) < maxLog {
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	}
	s.mu.Unlock()
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		}
		return // else the client is gone
	}

	route := r.URL.Path
	switch route {
	case routeGenerate, routeHealth, routeWarmup:
	case routeChat, routeCompletions, routeModels, routeProps, routeMetrics: // the OpenAI contract: openai.go
		s.serveOpenAI(w, r, body)
		return
	default:
		s.write(w, jsonResponse(http.StatusNotFound, object(kv{"detail", "Not Found"})), Fault{})
		return
	}

	f, _ := s.takeFault(route)
	if err := s.sleep(r.Context(), f.Delay); err != nil {
		s.abort(err)
		return
	}
	switch f.Kind {
	case FaultStatus, FaultNonJSON:
		s.platformFault(w, f)
		return
	}

	var resp response
	switch route {
	case routeGenerate:
		resp, err = s.generate(r, body, f)
	case routeHealth:
		resp = s.health(r)
	case routeWarmup:
		resp, err = s.warmup(r)
	}
	if err != nil {
		s.abort(err)
		return
	}
	s.write(w, resp, f)
}

// abort ends a request whose delay was interrupted: a cancelled client is
// gone already; on Close the connection is dropped rather than answered.
func (s *Server) abort(err error) {
	if errors.Is(err, errClosed) {
		panic(http.ErrAbortHandler)
	}
}

// generateRequest is the part of the generate body the answer depends on;
// schema, temperature, top_p and unknown fields are accepted and ignored,
// since the answer is scripted.
type generateRequest struct {
	Prompt    string `json:"prompt"`
	MaxTokens *int   `json:"max_tokens"`
}

func (s *Server) generate(r *http.Request, body []byte, f Fault) (response, error) {
	if r.Method != http.MethodPost {
		return methodNotAllowed(http.MethodPost), nil
	}
	var req generateRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return jsonResponse(http.StatusOK, object(kv{"error", "Invalid JSON body: " + err.Error()}, kv{"status", 400})), nil
	}
	if req.Prompt == "" {
		return jsonResponse(http.StatusOK, object(kv{"error", "Missing required field: prompt"}, kv{"status", 400})), nil
	}
	if err := s.awaitLoaded(r.Context()); err != nil {
		return response{}, err
	}
	a, ok := s.match(req.Prompt)
	if !ok {
		a = answer{Answer: Answer{
			FinishReason: FinishError,
			Error:        fmt.Sprintf("the reference endpoint has no scripted answer for prompt %q", head(req.Prompt, 80)),
		}}
	}
	if f.modelFault() {
		a = a.spoil(f)
	}
	start := time.Now()
	d := s.scaled(a.DelayMS)
	if err := s.sleep(r.Context(), d); err != nil {
		return response{}, err
	}
	var genMS float64
	if d > 0 { // the time actually slept, which timer slack makes a little longer
		genMS = float64(time.Since(start)) / float64(time.Millisecond)
	}
	maxTokens := defaultMaxTokens
	if req.MaxTokens != nil && *req.MaxTokens > 0 {
		maxTokens = *req.MaxTokens
	}
	return jsonResponse(http.StatusOK, a.render(genMS, maxTokens)), nil
}

func (s *Server) health(r *http.Request) response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return methodNotAllowed(http.MethodGet)
	}
	return jsonResponse(http.StatusOK, object(
		kv{"status", "healthy"}, kv{"model", s.cfg.Model}, kv{"gpu", s.cfg.GPU}, kv{"backend", "vllm"}))
}

func (s *Server) warmup(r *http.Request) (response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return methodNotAllowed(http.MethodGet), nil
	}
	if err := s.awaitLoaded(r.Context()); err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, object(
		kv{"status", "warm"}, kv{"model_loaded", true}, kv{"model", s.cfg.Model}, kv{"ready_for_requests", true})), nil
}

// awaitLoaded starts the cold start on the first call and waits until it
// is over; a caller that gives up does not stop the loading.
func (s *Server) awaitLoaded(ctx context.Context) error {
	s.loadOnce.Do(func() { s.loadedAt = time.Now().Add(s.cfg.ColdStart) })
	return s.sleep(ctx, time.Until(s.loadedAt))
}

// scaled converts a scripted delay into the time to sleep.
func (s *Server) scaled(ms float64) time.Duration {
	return time.Duration(ms * s.cfg.TimeScale * float64(time.Millisecond))
}

// sleep waits d, or less if ctx is done or the Server is closed.
//
// A long timer fires late in proportion to its length on some machines
// (about 0.07 % measured here: 6 ms on an 8.85 s answer), which would put
// every recorded baseline off by milliseconds. So it sleeps most of what is
// left, checks the clock, and closes in on the deadline.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		if left > 2*time.Millisecond {
			left -= left / 50
		}
		if err := s.timer(ctx, left); err != nil {
			return err
		}
	}
}

// timer waits d on one timer, or less if ctx is done (its error) or the
// Server is closed (errClosed).
func (s *Server) timer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errClosed
	}
}
