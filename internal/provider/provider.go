// Package provider is the vocabulary every endpoint client speaks: one
// generate request, its answer, and the errors an answer can carry. The
// Modal client (package modal) and the OpenAI-compatible client (package
// openai) are peers that both translate this vocabulary to their wire
// format, so the pipeline drives either the same way and neither imports
// the other.
package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Defaults of a generate call (LIFTSYS.md §1) and of every client.
const (
	DefaultTimeout = 120 * time.Second
	DefaultMaxBody = 8 << 20 // bytes of one answer, a stream's raw bytes included
)

// Errors an answer can report, whatever the wire format said them with.
var (
	// ErrJSON: the model produced invalid JSON.
	ErrJSON = errors.New("endpoint: model produced invalid JSON")
	// ErrLength: generation hit max_tokens.
	ErrLength = errors.New("endpoint: generation hit max_tokens")
	// ErrContext: the server's context window, not max_tokens, ended the
	// generation (or refused a prompt too long for it).
	ErrContext = errors.New("endpoint: context window full")
	// ErrGeneration: any other generation failure.
	ErrGeneration = errors.New("endpoint: generation failed")
	// ErrRequest: the endpoint rejected the request in its body.
	ErrRequest = errors.New("endpoint: request rejected")
	// ErrMalformed: the answer is not the contract's JSON.
	ErrMalformed = errors.New("endpoint: malformed answer")
	// ErrTooLarge: the answer exceeded the client's body cap.
	ErrTooLarge = errors.New("endpoint: answer too large")
)

// Generator is what the pipeline needs from a client.
type Generator interface {
	Generate(ctx context.Context, req Request) (Response, error)
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

// Response is a successful generate answer.
type Response struct {
	Output json.RawMessage // the answer's JSON object
	Key    string          // which key carried it: "ir_json" or "text" (Modal); "content" (OpenAI)
	Tokens int             // output (completion) tokens
	// InputTokens are the prompt tokens, where the endpoint says
	// (usage.prompt_tokens on the OpenAI contract); 0 otherwise.
	InputTokens int
	ServerTime  time.Duration // the server's own generation time; 0 when it does not say
	// ServerTPOT is the server's own time per output token (llama.cpp's
	// predicted_per_token_ms); 0 when it does not say.
	ServerTPOT   time.Duration
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

// StatusError is a non-2xx HTTP answer, with the start of its body.
type StatusError struct {
	URL    string
	Status int
	Body   string // at most the first 500 bytes
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("endpoint %s answered HTTP %d: %s", e.URL, e.Status, e.Body)
}

// AnswerError is a failure the endpoint reported about the generation
// itself (invalid JSON, max_tokens, a rejected request): the model's or the
// request's fault, not the transport's. It wraps one of ErrJSON, ErrLength,
// ErrGeneration, ErrRequest.
type AnswerError struct {
	Kind         error
	Message      string
	RawOutput    string
	FinishReason string
	Tokens       int
	ServerTime   time.Duration
	ServerTPOT   time.Duration // the server's own time per output token; 0 when it does not say
	// Stream holds the timings of a streamed answer that came to this
	// error (a truncated one, say); nil when not streamed.
	Stream *Stream
}

func (e *AnswerError) Error() string {
	msg := fmt.Sprintf("%v: %s", e.Kind, e.Message)
	if e.RawOutput != "" {
		msg += fmt.Sprintf(" (raw output: %.200q)", e.RawOutput)
	}
	return msg
}

func (e *AnswerError) Unwrap() error { return e.Kind }

// Truncate cuts b to at most n bytes.
func Truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// Head quotes the first 200 bytes of b, for error messages.
func Head(b []byte) string { return fmt.Sprintf("%.200q", b) }
