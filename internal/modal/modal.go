// Package modal is a client for the lift-sys Modal endpoints: generate
// (schema-constrained generation on the GPU), health (CPU only) and warmup
// (returns once the model is loaded).
//
// The endpoint reports most failures inside HTTP 200 bodies; this client
// turns each of them into a distinct error so the harness can count, retry
// or report it, and it never reads more than MaxBody bytes of an answer.
package modal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Defaults of the generate request (LIFTSYS.md §1) and of the client.
const (
	DefaultMaxTokens   = 2048
	DefaultTemperature = 0.3
	DefaultTopP        = 0.95
	DefaultTimeout     = 120 * time.Second
	DefaultMaxBody     = 8 << 20
)

// Errors the endpoint reports in an HTTP-200 body, by finish_reason.
var (
	// ErrJSON: the model produced invalid JSON (finish_reason json_error).
	ErrJSON = errors.New("endpoint: model produced invalid JSON")
	// ErrLength: generation hit max_tokens (finish_reason length).
	ErrLength = errors.New("endpoint: generation hit max_tokens")
	// ErrGeneration: any other generation failure (finish_reason error).
	ErrGeneration = errors.New("endpoint: generation failed")
	// ErrRequest: the endpoint rejected the request ("status": 400 in the body).
	ErrRequest = errors.New("endpoint: request rejected")
	// ErrMalformed: the answer is not the contract's JSON.
	ErrMalformed = errors.New("endpoint: malformed answer")
	// ErrTooLarge: the answer exceeded the client's body cap.
	ErrTooLarge = errors.New("endpoint: answer too large")
)

// StatusError is a non-2xx HTTP answer, with the start of its body.
type StatusError struct {
	URL    string
	Status int
	Body   string // at most the first 500 bytes
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("endpoint %s answered HTTP %d: %s", e.URL, e.Status, e.Body)
}

// AnswerError carries the details of an error reported in an HTTP-200 body.
// It wraps one of ErrJSON, ErrLength, ErrGeneration, ErrRequest.
type AnswerError struct {
	Kind         error
	Message      string
	RawOutput    string
	FinishReason string
	Tokens       int
	ServerTime   time.Duration
}

func (e *AnswerError) Error() string {
	msg := fmt.Sprintf("%v: %s", e.Kind, e.Message)
	if e.RawOutput != "" {
		msg += fmt.Sprintf(" (raw output: %.200q)", e.RawOutput)
	}
	return msg
}

func (e *AnswerError) Unwrap() error { return e.Kind }

// Client calls one deployment. The zero value is not usable: set
// GenerateURL. HTTP decides the mode (replay, record, live) through its
// Transport; the client does not know which.
type Client struct {
	GenerateURL string
	HealthURL   string // "" derives it from GenerateURL (see DeriveURL)
	WarmupURL   string // "" derives it from GenerateURL
	Key, Secret string // Modal proxy auth, sent as Modal-Key / Modal-Secret when set
	HTTP        *http.Client
	Timeout     time.Duration // per call; 0 means DefaultTimeout
	MaxBody     int64         // answer cap in bytes; 0 means DefaultMaxBody

	schemas sync.Map // schemaKey -> true: schema slices already checked
}

// Request is one generate call.
type Request struct {
	Prompt      string          `json:"prompt"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	MaxTokens   int             `json:"max_tokens"`
	Temperature float64         `json:"temperature"`
	TopP        float64         `json:"top_p"`
	// Seed, when set, asks for a reproducible sample; the harness sets it
	// for the second and later samples of a case so that each is a request
	// of its own (vLLM honours it; lift-sys's app ignores unknown fields).
	Seed *int `json:"seed,omitempty"`
}

// Response is a successful generate answer. Request and Response are also
// the vocabulary of the other providers (package openai), so the pipeline
// drives any of them the same way.
type Response struct {
	Output       json.RawMessage // the ir_json or text object
	Key          string          // which key carried it: "ir_json" or "text"
	Tokens       int
	ServerTime   time.Duration // generation_time_ms; 0 when the server does not say
	FinishReason string
	// Stream holds the token timings of a streamed answer; nil otherwise.
	Stream *Stream
}

// Stream is the timing of a streamed answer, with vLLM's definitions:
// TTFT is the first content chunk's arrival minus the send; ITL the gaps
// between content chunks; TPOT (E2E - TTFT) / (output tokens - 1).
type Stream struct {
	TTFT         time.Duration
	ITL          []time.Duration
	TPOT         time.Duration
	Chunks       int
	OutputTokens int
}

// answer is the wire shape of every generate body.
type answer struct {
	IRJSON       json.RawMessage `json:"ir_json"`
	Text         json.RawMessage `json:"text"`
	Tokens       int             `json:"tokens_used"`
	GenTimeMS    float64         `json:"generation_time_ms"`
	FinishReason string          `json:"finish_reason"`
	Error        string          `json:"error"`
	RawOutput    string          `json:"raw_output"`
	Status       int             `json:"status"`
}

// Generate sends one request. Errors are *StatusError for HTTP failures,
// *AnswerError for failures reported in the body, or wrap ErrMalformed or
// ErrTooLarge.
func (c *Client) Generate(ctx context.Context, req Request) (Response, error) {
	body, err := c.encode(req)
	if err != nil {
		return Response{}, fmt.Errorf("encode generate request: %w", err)
	}
	raw, err := c.do(ctx, http.MethodPost, c.GenerateURL, body)
	if err != nil {
		return Response{}, err
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return Response{}, fmt.Errorf("%w: %s: not JSON (%v): %s", ErrMalformed, c.GenerateURL, err, head(raw))
	}
	server := time.Duration(a.GenTimeMS * float64(time.Millisecond))
	out, key := a.IRJSON, "ir_json"
	if isNull(out) {
		out, key = a.Text, "text"
	}
	switch {
	case a.Status >= 400 || (a.Error != "" && a.FinishReason == ""):
		return Response{}, &AnswerError{Kind: ErrRequest, Message: a.Error, ServerTime: server}
	case a.FinishReason == "json_error":
		return Response{}, &AnswerError{Kind: ErrJSON, Message: a.Error, RawOutput: a.RawOutput, FinishReason: a.FinishReason, ServerTime: server}
	case a.FinishReason == "length":
		return Response{}, &AnswerError{Kind: ErrLength, Message: orDefault(a.Error, "output truncated at max_tokens"), RawOutput: a.RawOutput, FinishReason: a.FinishReason, Tokens: a.Tokens, ServerTime: server}
	case a.FinishReason == "error" || a.Error != "":
		return Response{}, &AnswerError{Kind: ErrGeneration, Message: a.Error, FinishReason: a.FinishReason, ServerTime: server}
	case isNull(out):
		return Response{}, fmt.Errorf("%w: %s: neither ir_json nor text in answer: %s", ErrMalformed, c.GenerateURL, head(raw))
	}
	// The newer app may put the JSON document in "text" as a string.
	if out[0] == '"' {
		var s string
		if err := json.Unmarshal(out, &s); err == nil {
			if !json.Valid([]byte(s)) {
				return Response{}, &AnswerError{Kind: ErrJSON, Message: "text is not JSON", RawOutput: s, FinishReason: a.FinishReason, ServerTime: server}
			}
			out = json.RawMessage(s)
		}
	}
	return Response{Output: out, Key: key, Tokens: a.Tokens, ServerTime: server, FinishReason: a.FinishReason}, nil
}

// encode writes the request. json.Marshal would re-validate and re-compact
// the 5 KB schema on every call (a third of the client's CPU under load), so
// the schema is checked once per distinct slice and spliced in as it is.
func (c *Client) encode(req Request) ([]byte, error) {
	sch := req.Schema
	req.Schema = nil
	body, err := json.Marshal(req)
	if err != nil || len(sch) == 0 {
		return body, err
	}
	key := schemaKey{unsafe.SliceData(sch), len(sch)}
	if _, ok := c.schemas.Load(key); !ok {
		var buf bytes.Buffer
		if err := json.Compact(&buf, sch); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		if buf.Len() != len(sch) {
			return nil, errors.New("schema: not compact JSON (pass json.Compact output)")
		}
		c.schemas.Store(key, true)
	}
	out := make([]byte, 0, len(body)+len(sch)+10)
	out = append(out, body[:len(body)-1]...)
	out = append(out, `,"schema":`...)
	out = append(out, sch...)
	return append(out, '}'), nil
}

// schemaKey identifies a schema slice the client has checked already.
type schemaKey struct {
	p *byte
	n int
}

// Health is the health endpoint's answer.
type Health struct {
	Status  string `json:"status"`
	Model   string `json:"model"`
	GPU     string `json:"gpu"`
	Backend string `json:"backend"`
}

// Health calls the health endpoint (CPU only: it never loads the model).
func (c *Client) Health(ctx context.Context) (Health, error) {
	url := c.HealthURL
	if url == "" {
		url = DeriveURL(c.GenerateURL, "health")
	}
	var h Health
	err := c.getJSON(ctx, url, &h)
	if err == nil && h.Status != "healthy" {
		err = fmt.Errorf("endpoint %s is not healthy: status %q", url, h.Status)
	}
	return h, err
}

// Warm is the warmup endpoint's answer.
type Warm struct {
	Status           string `json:"status"`
	ModelLoaded      bool   `json:"model_loaded"`
	Model            string `json:"model"`
	ReadyForRequests bool   `json:"ready_for_requests"`
}

// Warmup calls the warmup endpoint, which returns only once the model is
// loaded: a cold start can take minutes, so the caller sets a long timeout
// through ctx or Client.Timeout.
func (c *Client) Warmup(ctx context.Context) (Warm, error) {
	url := c.WarmupURL
	if url == "" {
		url = DeriveURL(c.GenerateURL, "warmup")
	}
	var w Warm
	err := c.getJSON(ctx, url, &w)
	if err == nil && !w.ReadyForRequests {
		err = fmt.Errorf("endpoint %s is not ready: %+v", url, w)
	}
	return w, err
}

// DeriveURL turns a generate URL into the URL of a sibling endpoint
// ("health" or "warmup"): "-generate.modal.run" becomes
// "-health.modal.run" (Modal labels, also "qwen-80b-generate"; a dev
// deployment's "-generate-dev" becomes "-health-dev"); otherwise a
// trailing "/generate" path becomes "/health".
func DeriveURL(generateURL, endpoint string) string {
	for _, label := range []string{"-generate.modal.run", "-generate-dev.modal.run"} {
		if i := strings.Index(generateURL, label); i >= 0 {
			return generateURL[:i] + strings.Replace(label, "generate", endpoint, 1) + generateURL[i+len(label):]
		}
	}
	if i := strings.LastIndex(generateURL, "/generate"); i >= 0 {
		return generateURL[:i] + "/" + endpoint + generateURL[i+len("/generate"):]
	}
	return strings.TrimSuffix(generateURL, "/") + "/" + endpoint
}

func (c *Client) getJSON(ctx context.Context, url string, v any) error {
	raw, err := c.do(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: not JSON (%v): %s", ErrMalformed, url, err, head(raw))
	}
	return nil
}

func (c *Client) do(ctx context.Context, method, url string, body []byte) ([]byte, error) {
	if url == "" {
		return nil, errors.New("modal: no endpoint URL: set -endpoint or LIFTTEST_ENDPOINT")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("modal: %w", err)
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Key != "" {
		req.Header.Set("Modal-Key", c.Key)
	}
	if c.Secret != "" {
		req.Header.Set("Modal-Secret", c.Secret)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return nil, fmt.Errorf("modal: %s %s: no answer within %v: %w", method, url, timeout, err)
		}
		return nil, fmt.Errorf("modal: %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: reading the body: %v (got %d bytes)", ErrMalformed, method, url, err, len(raw))
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: %s %s: more than %d bytes", ErrTooLarge, method, url, limit)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{URL: url, Status: resp.StatusCode, Body: string(truncate(raw, 500))}
	}
	return raw, nil
}

func isNull(m json.RawMessage) bool {
	return len(m) == 0 || string(m) == "null"
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func head(b []byte) string { return fmt.Sprintf("%.200q", b) }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
