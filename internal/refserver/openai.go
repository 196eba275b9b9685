package refserver

// The OpenAI contract, as vLLM's OpenAI-compatible server answers it:
//
//	POST /v1/chat/completions  the prompt is the last user message's content
//	POST /v1/completions       the prompt is "prompt"
//	GET  /v1/models            the one served model (Config.Model)
//	GET  /metrics              vLLM's inference-time histogram (metrics.go)
//
// Answers come from the same scripts as /generate, matched by prompt the
// same way (stage 1 by exact prompt, stage 2 by "def NAME(" and the retry
// lines). A success is choices[0].message.content (chat) or choices[0].text
// (completions) holding the JSON document as a string, finish_reason and
// usage. The scripted failures become what vLLM would send: json_error is
// the broken output with finish_reason "stop" (the client finds it is not
// JSON), length the truncated output with finish_reason "length", error an
// HTTP 500 with an OpenAI error body. A prompt with no script is an HTTP
// 400 naming it.
//
// "stream": true answers server-sent events: a role chunk, one chunk per
// token, the finish reason on the last one, a usage chunk when
// stream_options.include_usage asks for it, then "data: [DONE]". The
// content is split into tokens of about 4 bytes (usage.completion_tokens
// is their number, so TPOT equals the pacing). The first token comes after
// Config.FirstTokenDelay, the next ones every Config.TokenInterval, each at
// a deadline counted from the start of the answer so that timer slack does
// not accumulate. With TokenInterval 0 the scripted delay (DelayMS ×
// TimeScale) is spread evenly over the tokens instead. A non-streamed
// answer takes as long as its stream would.
//
// Faults queued for /generate apply to these routes too (they stand for
// the same model): Status, NonJSON and Slow as on /generate, the model
// faults as above, Truncated drops the connection halfway (mid-stream for
// a stream), Huge pads a non-streamed answer.
//
// Config.MaxConcurrent bounds the generations in progress on these routes;
// others wait in a queue, and one that waits longer than
// Config.QueueTimeout gets Modal's HTTP 408 (ModalExpiredBody), as
// lift-sys's parallel runs met it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"weak"
)

const (
	routeChat        = "/v1/chat/completions"
	routeCompletions = "/v1/completions"
	routeModels      = "/v1/models"
	routeProps       = "/props" // llama.cpp's, with Config.LlamaCpp
	routeMetrics     = "/metrics"
)

// bytesPerToken is the tokenizer's stand-in: about 4 bytes a token, the
// estimate /generate uses for tokens_used.
const bytesPerToken = 4

// oaSeq numbers the answers' ids.
var oaSeq atomic.Int64

// oaState is the per-Server state of the OpenAI routes. It lives beside
// the Server, keyed weakly, so that the Server struct (another file's)
// needs no field; the entry goes when the Server is collected.
type oaState struct {
	slots chan struct{} // nil: no concurrency limit

	mu        sync.Mutex
	inference time.Duration // vLLM's request_inference_time_seconds: sum
	finished  int           // and count
	buckets   []int         // cumulative, by latencyBuckets
}

var oaStates sync.Map // weak.Pointer[Server] -> *oaState

func (s *Server) openAIState() *oaState {
	key := weak.Make(s)
	if v, ok := oaStates.Load(key); ok {
		return v.(*oaState)
	}
	st := &oaState{}
	if s.cfg.MaxConcurrent > 0 {
		st.slots = make(chan struct{}, s.cfg.MaxConcurrent)
	}
	v, loaded := oaStates.LoadOrStore(key, st)
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Server]) { oaStates.Delete(k) }, key)
	}
	return v.(*oaState)
}

// serveOpenAI answers the OpenAI routes; ServeHTTP has logged the request
// and read its body.
func (s *Server) serveOpenAI(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.cfg.LlamaCpp {
		w.Header().Set("Server", "llama.cpp")
	}
	if r.URL.Path == routeProps {
		s.serveProps(w, r)
		return
	}
	if r.URL.Path == routeMetrics {
		s.serveMetrics(w, r)
		return
	}
	if r.URL.Path == routeModels {
		if resp, refused := s.authorize(r); refused && s.cfg.APIKeyOnModels {
			s.write(w, resp, Fault{})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.write(w, methodNotAllowed(http.MethodGet), Fault{})
			return
		}
		model := object(kv{"id", s.cfg.Model}, kv{"object", "model"}, kv{"created", 0}, kv{"owned_by", s.ownedBy()},
			kv{"root", s.cfg.Model}, kv{"parent", nil})
		s.write(w, jsonResponse(http.StatusOK, object(kv{"object", "list"}, kv{"data", []json.RawMessage{model}})), Fault{})
		return
	}
	if r.Method != http.MethodPost {
		s.write(w, methodNotAllowed(http.MethodPost), Fault{})
		return
	}
	chat := r.URL.Path == routeChat
	// The answer's clock starts when the request is in, plus the waits
	// below (platform delay, queue, cold start), so that the pacing is
	// counted as a client counts it and the handler's own work is not.
	start := time.Now()
	var waited time.Duration
	wait := func(fn func() error) error {
		t := time.Now()
		err := fn()
		waited += time.Since(t)
		return err
	}

	var f Fault
	if !isCanaryBody(body) { // the canary leaves the queued faults to the cases
		f, _ = s.takeFault(routeGenerate)
	}
	if err := wait(func() error { return s.sleep(r.Context(), f.Delay) }); err != nil {
		s.abort(err)
		return
	}
	switch f.Kind {
	case FaultStatus, FaultNonJSON:
		s.platformFault(w, f)
		return
	}

	if resp, refused := s.authorize(r); refused {
		s.write(w, resp, Fault{})
		return
	}
	req, prompt, errResp := parseOpenAI(body, chat)
	if errResp != nil {
		s.write(w, *errResp, Fault{})
		return
	}
	if req.Model != "" && req.Model != s.cfg.Model {
		s.write(w, oaError(http.StatusNotFound, "NotFoundError", fmt.Sprintf("The model `%s` does not exist.", req.Model)), Fault{})
		return
	}

	if s.cfg.MaxConcurrent > 0 {
		slots := s.openAIState().slots
		var release func()
		err := wait(func() (err error) { release, err = s.enqueue(r, slots); return err })
		if errors.Is(err, errQueueTimeout) {
			s.write(w, response{status: http.StatusRequestTimeout, contentType: "text/plain; charset=utf-8", body: []byte(ModalExpiredBody)}, Fault{})
			return
		}
		if err != nil {
			s.abort(err)
			return
		}
		defer release()
	}
	if err := wait(func() error { return s.awaitLoaded(r.Context()) }); err != nil {
		s.abort(err)
		return
	}
	start = start.Add(waited)
	a, ok := s.match(prompt)
	if ca, isCanary := s.canary(prompt, body, chat); isCanary {
		a, ok = ca, true
	}
	if !ok {
		s.write(w, oaError(http.StatusBadRequest, "BadRequestError",
			fmt.Sprintf("the reference endpoint has no scripted answer for prompt %q", head(prompt, 80))), Fault{})
		return
	}
	if f.modelFault() {
		a = a.spoil(f)
	}
	g := s.plan(a, req, prompt)
	if resp, refused := s.fitContext(&g, req); refused {
		s.write(w, resp, Fault{})
		return
	}
	if g.status != 0 { // a generation error: vLLM answers 500 after the work
		if err := s.waitUntil(r.Context(), start.Add(g.total()), false); err != nil {
			s.abort(err)
			return
		}
		s.write(w, oaError(g.status, "InternalServerError", g.message), Fault{})
		return
	}
	if req.Stream {
		s.stream(w, r, start, g, chat, req.includeUsage(), f)
		return
	}
	if err := s.waitUntil(r.Context(), start.Add(g.total()), g.precise); err != nil {
		s.abort(err)
		return
	}
	s.finished(g)
	s.write(w, jsonResponse(http.StatusOK, g.completion(chat)), f)
}

// platformFault answers a Status or NonJSON fault, as Modal's proxy would:
// at once, without the model.
func (s *Server) platformFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
	status := f.Status
	msg := f.Body
	if f.Kind == FaultStatus {
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		s.write(w, response{status: status, contentType: "text/plain; charset=utf-8", body: []byte(msg)}, Fault{})
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	if msg == "" {
		msg = htmlErrorPage
	}
	s.write(w, response{status: status, contentType: "text/html; charset=utf-8", body: []byte(msg)}, Fault{})
}

var errQueueTimeout = errors.New("refserver: queue timeout")

// enqueue waits for a generation slot, at most Config.QueueTimeout (0: as
// long as the client waits).
func (s *Server) enqueue(r *http.Request, slots chan struct{}) (func(), error) {
	release := func() { <-slots }
	select {
	case slots <- struct{}{}:
		return release, nil
	default:
	}
	var expired <-chan time.Time
	if s.cfg.QueueTimeout > 0 {
		t := time.NewTimer(s.cfg.QueueTimeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case slots <- struct{}{}:
		return release, nil
	case <-expired:
		return nil, errQueueTimeout
	case <-r.Context().Done():
		return nil, r.Context().Err()
	case <-s.done:
		return nil, errClosed
	}
}

// oaRequest is the part of an OpenAI request the answer depends on; the
// sampling parameters, the schema field (whichever of structured_outputs,
// guided_json or response_format) and unknown fields are accepted and
// ignored, since the answer is scripted.
type oaRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Prompt              json.RawMessage `json:"prompt"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Stream              bool            `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

func (q *oaRequest) includeUsage() bool {
	return q.StreamOptions != nil && q.StreamOptions.IncludeUsage
}

func (q *oaRequest) maxTokens() int {
	for _, p := range []*int{q.MaxCompletionTokens, q.MaxTokens} {
		if p != nil && *p > 0 {
			return *p
		}
	}
	return defaultMaxTokens
}

// parseOpenAI decodes a request and finds its prompt: the last user
// message's content (a string, or the text parts of an array) for chat,
// "prompt" (a string, or an array of one) for completions.
func parseOpenAI(body []byte, chat bool) (oaRequest, string, *response) {
	var q oaRequest
	if err := json.Unmarshal(body, &q); err != nil {
		e := oaError(http.StatusBadRequest, "BadRequestError", "Invalid JSON body: "+err.Error())
		return q, "", &e
	}
	if chat {
		for i := len(q.Messages) - 1; i >= 0; i-- {
			if q.Messages[i].Role != "user" {
				continue
			}
			var s string
			if json.Unmarshal(q.Messages[i].Content, &s) == nil {
				return q, s, nil
			}
			var parts []struct{ Type, Text string }
			if json.Unmarshal(q.Messages[i].Content, &parts) == nil {
				var b bytes.Buffer
				for _, p := range parts {
					if p.Type == "text" {
						b.WriteString(p.Text)
					}
				}
				return q, b.String(), nil
			}
			break
		}
		e := oaError(http.StatusBadRequest, "BadRequestError", "messages must contain a user message with text content")
		return q, "", &e
	}
	var s string
	if json.Unmarshal(q.Prompt, &s) == nil && s != "" {
		return q, s, nil
	}
	var ss []string
	if json.Unmarshal(q.Prompt, &ss) == nil && len(ss) == 1 && ss[0] != "" {
		return q, ss[0], nil
	}
	e := oaError(http.StatusBadRequest, "BadRequestError", "prompt must be a non-empty string (or an array of one)")
	return q, "", &e
}

// oaError is an OpenAI error body.
func oaError(status int, typ, msg string) response {
	return jsonResponse(status, object(kv{"error", json.RawMessage(object(
		kv{"message", msg}, kv{"type", typ}, kv{"param", nil}, kv{"code", status}))}))
}

// generation is a scripted answer laid out in tokens and time.
type generation struct {
	id, model    string
	created      int64
	tokens       []string // the content, split
	finish       string
	promptTokens int
	outputTokens int           // usage.completion_tokens
	first, every time.Duration // first content chunk, then one every
	precise      bool          // explicit pacing: see waitUntil
	status       int           // non-zero: an error answer instead
	message      string
	timings      bool // send llama.cpp's "timings"
}

// total is how long the whole answer takes: until its last token.
func (g generation) total() time.Duration {
	return g.first + time.Duration(max(len(g.tokens)-1, 0))*g.every
}

func (s *Server) plan(a answer, req oaRequest, prompt string) generation {
	g := generation{
		id:           fmt.Sprintf("ref-%d", oaSeq.Add(1)),
		model:        s.cfg.Model,
		created:      time.Now().Unix(),
		promptTokens: max(1, len(prompt)/bytesPerToken),
		finish:       "stop",
	}
	var content string
	switch a.FinishReason {
	case FinishError:
		g.status = http.StatusInternalServerError
		g.message = prefixed("Generation failed: ", orDefault(a.Error, "CUDA error: an illegal memory access was encountered"))
	case FinishJSONError:
		content = a.rawOutput()
	case FinishLength:
		content, g.finish = a.rawOutput(), "length"
		g.outputTokens = a.Tokens
		if g.outputTokens == 0 {
			g.outputTokens = req.maxTokens()
		}
	default:
		content = string(a.body)
	}
	n := max(1, len(content)/bytesPerToken)
	if a.Tokens > 0 {
		n = a.Tokens
	}
	g.tokens = splitTokens(content, n)
	if g.outputTokens == 0 {
		g.outputTokens = len(g.tokens)
	}
	g.first, g.every = max(0, s.cfg.FirstTokenDelay), max(0, s.cfg.TokenInterval)
	g.precise = g.every > 0
	if g.every == 0 && len(g.tokens) > 0 {
		g.every = s.scaled(a.DelayMS) / time.Duration(len(g.tokens))
		g.first += g.every
	}
	return g
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// splitTokens cuts s into n pieces of about equal length in bytes, at rune
// boundaries (n is clamped to [1, runes]); "" gives no piece.
func splitTokens(s string, n int) []string {
	runes := utf8.RuneCountInString(s)
	if runes == 0 {
		return nil
	}
	n = min(max(n, 1), runes)
	out := make([]string, 0, n)
	start := 0
	for k := 1; k <= n; k++ {
		end := len(s) * k / n
		for end < len(s) && !utf8.RuneStart(s[end]) {
			end++
		}
		if end <= start { // several pieces would fall in one rune
			continue
		}
		out = append(out, s[start:end])
		start = end
	}
	return out
}

// completion is the non-streamed answer.
func (g generation) completion(chat bool) []byte {
	content := joinTokens(g.tokens)
	var ch []byte
	if chat {
		ch = object(kv{"index", 0}, kv{"message", json.RawMessage(object(kv{"role", "assistant"}, kv{"content", content}))},
			kv{"logprobs", nil}, kv{"finish_reason", g.finish})
	} else {
		ch = object(kv{"index", 0}, kv{"text", content}, kv{"logprobs", nil}, kv{"finish_reason", g.finish})
	}
	fields := []kv{{"id", g.idFor(chat)}, {"object", pick(chat, "chat.completion", "text_completion")}, {"created", g.created},
		{"model", g.model}, {"choices", []json.RawMessage{ch}}, {"usage", g.usage()}}
	if g.timings {
		fields = append(fields, kv{"timings", g.timingsJSON()})
	}
	return object(fields...)
}

func joinTokens(t []string) string {
	var b bytes.Buffer
	for _, s := range t {
		b.WriteString(s)
	}
	return b.String()
}

func (g generation) idFor(chat bool) string { return pick(chat, "chatcmpl-", "cmpl-") + g.id }

func (g generation) usage() json.RawMessage {
	return object(kv{"prompt_tokens", g.promptTokens}, kv{"total_tokens", g.promptTokens + g.outputTokens},
		kv{"completion_tokens", g.outputTokens})
}

func pick(chat bool, a, b string) string {
	if chat {
		return a
	}
	return b
}

// chunk is one stream event's JSON. finish is nil until the last token.
func (g generation) chunk(chat bool, text string, role bool, finish any) []byte {
	var ch []byte
	if chat {
		d := object(kv{"content", text})
		if role {
			d = object(kv{"role", "assistant"}, kv{"content", text})
		}
		ch = object(kv{"index", 0}, kv{"delta", json.RawMessage(d)}, kv{"logprobs", nil}, kv{"finish_reason", finish})
	} else {
		ch = object(kv{"index", 0}, kv{"text", text}, kv{"logprobs", nil}, kv{"finish_reason", finish}, kv{"stop_reason", nil})
	}
	return object(kv{"id", g.idFor(chat)}, kv{"object", pick(chat, "chat.completion.chunk", "text_completion")},
		kv{"created", g.created}, kv{"model", g.model}, kv{"choices", []json.RawMessage{ch}})
}

// stream sends g as server-sent events, paced from start.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, start time.Time, g generation, chat, usage bool, f Fault) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	var buf []byte
	send := func(data []byte) bool {
		buf = append(append(append(buf[:0], "data: "...), data...), "\n\n"...)
		if _, err := w.Write(buf); err != nil {
			return false // the client is gone
		}
		return rc.Flush() == nil
	}
	cut := len(g.tokens) / 2 // where FaultTruncated drops the connection
	for k, tok := range g.tokens {
		if f.Kind == FaultTruncated && k == cut {
			panic(http.ErrAbortHandler)
		}
		if err := s.waitUntil(r.Context(), start.Add(g.first+time.Duration(k)*g.every), g.precise); err != nil {
			s.abort(err)
			return
		}
		if k == 0 && chat && !send(g.chunk(chat, "", true, nil)) { // vLLM's role chunk
			return
		}
		var finish any
		if k == len(g.tokens)-1 {
			finish = g.finish
		}
		if !send(g.chunk(chat, tok, false, finish)) {
			return
		}
	}
	if len(g.tokens) == 0 { // nothing generated: still say how it ended
		if !send(g.chunk(chat, "", chat, g.finish)) {
			return
		}
	}
	if usage {
		fields := []kv{{"id", g.idFor(chat)}, {"object", pick(chat, "chat.completion.chunk", "text_completion")},
			{"created", g.created}, {"model", g.model}, {"choices", []json.RawMessage{}}, {"usage", g.usage()}}
		if g.timings {
			fields = append(fields, kv{"timings", g.timingsJSON()})
		}
		if !send(object(fields...)) {
			return
		}
	}
	s.finished(g)
	send([]byte("[DONE]"))
}

// spinWindow is the end of a wait that waitUntil spends polling the clock
// rather than on a timer. A Go timer that has less than a millisecond left
// fires about 1 ms late on Linux (the poller waits whole milliseconds:
// 0.9 ms late for a 200 µs timer measured here), which alone would put a
// 5 ms token pacing 20 % off.
const spinWindow = 1200 * time.Microsecond

// waitUntil waits until deadline, or less if ctx is done or the Server is
// closed. precise (explicit TokenInterval pacing, which tests measure)
// sleeps on a timer until spinWindow before the deadline and then yields
// in a loop until it: sub-0.1 ms precision for about 1 ms of CPU per token.
// Otherwise it is Server.sleep, whose slack (up to about 1 ms) is nothing
// next to a scripted multi-second delay and costs no CPU under load tests.
func (s *Server) waitUntil(ctx context.Context, deadline time.Time, precise bool) error {
	if !precise {
		return s.sleep(ctx, time.Until(deadline))
	}
	if d := time.Until(deadline) - spinWindow; d > 0 {
		if err := s.timer(ctx, d); err != nil {
			return err
		}
	}
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return errClosed
		default:
			runtime.Gosched()
		}
	}
	return nil
}
