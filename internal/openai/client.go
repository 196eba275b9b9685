package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"
)

// API selects the endpoint a Client calls.
type API int

const (
	// Chat calls {BaseURL}/chat/completions with the prompt as the one user
	// message (the server applies the model's chat template).
	Chat API = iota
	// Completions calls {BaseURL}/completions with the prompt as is (raw
	// completion, as lift-sys's own app does).
	Completions
)

func (a API) String() string {
	switch a {
	case Chat:
		return "chat"
	case Completions:
		return "completions"
	}
	return fmt.Sprintf("API(%d)", int(a))
}

// Structured selects how the schema constrains the output; vLLM's field
// has changed across versions.
type Structured int

const (
	// StructuredOutputs sends "structured_outputs": {"json": schema}
	// (vLLM >= 0.12).
	StructuredOutputs Structured = iota
	// GuidedJSON sends "guided_json": schema (older vLLM).
	GuidedJSON
	// ResponseFormat sends OpenAI's "response_format": {"type":
	// "json_schema", "json_schema": {"name", "schema", "strict": true}}.
	ResponseFormat
)

func (s Structured) String() string {
	switch s {
	case StructuredOutputs:
		return "structured_outputs"
	case GuidedJSON:
		return "guided_json"
	case ResponseFormat:
		return "response_format"
	case JSONSchema:
		return "json_schema"
	case JSONSchemaString:
		return "json_schema_string"
	case ResponseFormatValue:
		return "response_format_value"
	}
	return fmt.Sprintf("Structured(%d)", int(s))
}

// Output keys of a Response: where the document was found.
const (
	KeyContent = "message.content" // Chat
	KeyText    = "text"            // Completions
)

// Client calls one vLLM (or other OpenAI-compatible) server. As with
// modal.Client (its peer), HTTP decides the mode (replay, record, live) through its
// Transport; the client does not know which.
type Client struct {
	// BaseURL is the API root, e.g. http://127.0.0.1:8000/v1.
	BaseURL string
	// Model is the served model name; required by Generate (Health lists
	// the served ones).
	Model string
	// APIKey is sent as "Authorization: Bearer"; "" sends no header. The
	// client reads no environment: the harness binds OPENAI_API_KEY.
	APIKey     string
	API        API
	Structured Structured
	// Stream asks for a server-sent-event stream and reports its timings
	// in Response.Stream.
	Stream  bool
	HTTP    *http.Client
	Timeout time.Duration // per call, a whole stream included; 0 means provider.DefaultTimeout
	MaxBody int64         // answer cap in bytes (a stream's raw bytes); 0 means provider.DefaultMaxBody
}

// Request bodies. Structs, not maps, so that the same provider.Request always
// gives the same bytes (cassettes match on them).
type (
	wireRequest struct {
		Model             string            `json:"model"`
		Messages          []message         `json:"messages,omitempty"`
		Prompt            *string           `json:"prompt,omitempty"`
		MaxTokens         int               `json:"max_tokens,omitempty"`
		Temperature       float64           `json:"temperature"`
		TopP              float64           `json:"top_p,omitempty"`
		Seed              *int              `json:"seed,omitempty"`
		Stream            bool              `json:"stream,omitempty"`
		StreamOptions     *streamOptions    `json:"stream_options,omitempty"`
		StructuredOutputs *structuredOutput `json:"structured_outputs,omitempty"`
		GuidedJSON        json.RawMessage   `json:"guided_json,omitempty"`
		ResponseFormat    *responseFormat   `json:"response_format,omitempty"`
		JSONSchema        json.RawMessage   `json:"json_schema,omitempty"`
	}
	message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	streamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	}
	structuredOutput struct {
		JSON json.RawMessage `json:"json"`
	}
	responseFormat struct {
		Type       string          `json:"type"`
		JSONSchema *jsonSchema     `json:"json_schema,omitempty"`
		Value      json.RawMessage `json:"value,omitempty"` // TGI
	}
	jsonSchema struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict bool            `json:"strict"`
	}
)

// Answer bodies: a completion and a stream chunk share the shape that
// matters here.
type (
	wireAnswer struct {
		Choices []choice  `json:"choices"`
		Usage   *usage    `json:"usage"`
		Error   *apiError `json:"error"`
		// Timings is llama.cpp's own account of the generation
		// (tools/server/server-common.cpp, server_slot_stats::to_json),
		// sent with every final answer and a stream's last chunk.
		Timings *timingsBody `json:"timings"`
	}
	timingsBody struct {
		PromptN             int     `json:"prompt_n"`
		PromptMS            float64 `json:"prompt_ms"`
		PredictedN          int     `json:"predicted_n"`
		PredictedMS         float64 `json:"predicted_ms"`
		PredictedPerTokenMS float64 `json:"predicted_per_token_ms"`
	}
	// choice has no pointers, so that a reused one decodes a stream chunk
	// without allocating; "null" leaves a field at its zero value.
	choice struct {
		Message      delta  `json:"message"` // chat, whole answer
		Delta        delta  `json:"delta"`   // chat, stream chunk
		Text         string `json:"text"`    // completions
		FinishReason string `json:"finish_reason"`
	}
	delta struct {
		Content string `json:"content"`
	}
	usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	}
	apiError struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	}
)

// text returns the choice's generated text, whichever API sent it (only
// one of the fields is ever set).
func (c *choice) text() string { return c.Text + c.Delta.Content + c.Message.Content }

func (c *Client) url(path string) string { return strings.TrimSuffix(c.BaseURL, "/") + path }

// endpoint is the generation URL of c.API.
func (c *Client) endpoint() string {
	if c.API == Completions {
		return c.url("/completions")
	}
	return c.url("/chat/completions")
}

// body encodes req for c's API and structured-output field.
func (c *Client) body(req provider.Request) ([]byte, error) {
	w := wireRequest{Model: c.Model, MaxTokens: req.MaxTokens, Temperature: req.Temperature, TopP: req.TopP, Seed: req.Seed}
	if c.API == Completions {
		w.Prompt = &req.Prompt
	} else {
		w.Messages = []message{{Role: "user", Content: req.Prompt}}
	}
	if c.Stream {
		w.Stream, w.StreamOptions = true, &streamOptions{IncludeUsage: true}
	}
	if len(req.Schema) > 0 && string(req.Schema) != "null" {
		switch c.Structured {
		case StructuredOutputs:
			w.StructuredOutputs = &structuredOutput{JSON: req.Schema}
		case GuidedJSON:
			w.GuidedJSON = req.Schema
		case ResponseFormat:
			w.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: schemaName(req.Schema), Schema: req.Schema, Strict: true}}
		case JSONSchema:
			w.JSONSchema = req.Schema
		case JSONSchemaString:
			str, err := json.Marshal(string(req.Schema))
			if err != nil {
				return nil, err
			}
			w.JSONSchema = str
		case ResponseFormatValue:
			w.ResponseFormat = &responseFormat{Type: "json_object", Value: req.Schema}
		default:
			return nil, fmt.Errorf("openai: unknown Structured %v", c.Structured)
		}
	}
	return json.Marshal(w)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// schemaName is response_format's required name: the schema's title when
// OpenAI accepts it as a name, else "output".
func schemaName(schema json.RawMessage) string {
	var s struct{ Title string }
	if json.Unmarshal(schema, &s) == nil && nameRE.MatchString(s.Title) {
		return s.Title
	}
	return "output"
}

// Generate sends one request. Errors are those of every provider (package provider):
// *provider.StatusError for HTTP failures (an OpenAI error body included),
// *provider.AnswerError wrapping provider.ErrJSON (content is not JSON),
// provider.ErrLength (finish_reason length) or provider.ErrGeneration (abort,
// error, content_filter or an error event in a stream), or errors wrapping
// provider.ErrMalformed or provider.ErrTooLarge.
//
// Response.Output is the generated JSON document; Tokens is
// usage.completion_tokens (the generated tokens only, as the Modal app's
// tokens_used; prompt tokens are not added); ServerTime and ServerTPOT
// are the server's own timings where it sends them (llama.cpp's
// "timings"), else 0; Stream holds the timings of a streamed answer.
// A finish_reason "length" before max_tokens, or a 400 saying the prompt
// is too long, is provider.ErrContext.
func (c *Client) Generate(ctx context.Context, req provider.Request) (provider.Response, error) {
	if c.BaseURL == "" {
		return provider.Response{}, errors.New("openai: no BaseURL: set it to the server's API root, e.g. http://127.0.0.1:8000/v1")
	}
	if c.Model == "" {
		return provider.Response{}, fmt.Errorf("openai: no Model: set Client.Model to a model %s serves (Health lists them)", c.url("/models"))
	}
	body, err := c.body(req)
	if err != nil {
		return provider.Response{}, fmt.Errorf("openai: encode request: %w", err)
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	url := c.endpoint()
	hreq, err := c.newRequest(ctx, http.MethodPost, url, body)
	if err != nil {
		return provider.Response{}, err
	}
	if c.Stream {
		hreq.Header.Set("Accept", "text/event-stream")
	}
	sent := time.Now()
	resp, err := c.client().Do(hreq)
	if err != nil {
		return provider.Response{}, c.transportError(ctx, http.MethodPost, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if msg, ok := contextError(resp.StatusCode, raw); ok {
			return provider.Response{}, &provider.AnswerError{Kind: provider.ErrContext, Message: msg}
		}
		return provider.Response{}, &provider.StatusError{URL: url, Status: resp.StatusCode, Body: string(provider.Truncate(raw, 500))}
	}
	if c.Stream {
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
			raw, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
			return provider.Response{}, fmt.Errorf("%w: %s: asked for a stream, got Content-Type %q: %s", provider.ErrMalformed, url, resp.Header.Get("Content-Type"), provider.Head(raw))
		}
		return c.readStream(url, resp, sent, req.MaxTokens)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody()+1))
	if err != nil {
		return provider.Response{}, fmt.Errorf("%w: POST %s: reading the body: %v (got %d bytes)", provider.ErrMalformed, url, err, len(raw))
	}
	if int64(len(raw)) > c.maxBody() {
		return provider.Response{}, fmt.Errorf("%w: POST %s: more than %d bytes", provider.ErrTooLarge, url, c.maxBody())
	}
	var a wireAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return provider.Response{}, fmt.Errorf("%w: %s: not JSON (%v): %s", provider.ErrMalformed, url, err, provider.Head(raw))
	}
	if a.Error != nil {
		return provider.Response{}, &provider.AnswerError{Kind: provider.ErrGeneration, Message: a.Error.Message}
	}
	if len(a.Choices) == 0 {
		return provider.Response{}, fmt.Errorf("%w: %s: no choices in answer: %s", provider.ErrMalformed, url, provider.Head(raw))
	}
	ch := a.Choices[0]
	o := outcome{content: ch.text(), finish: ch.FinishReason, maxTokens: req.MaxTokens, timings: a.Timings}
	if a.Usage != nil {
		o.tokens, o.promptTokens, o.usage = a.Usage.CompletionTokens, a.Usage.PromptTokens, true
	}
	return c.result(url, o)
}

// outcome is what an answer, whole or streamed, came to.
type outcome struct {
	content              string
	finish               string
	tokens, promptTokens int  // usage; 0 when not sent
	usage                bool // tokens came from the server's usage
	maxTokens            int  // the request's; 0 when it set none
	timings              *timingsBody
}

// serverTime is the server's own prompt and generation time, and its
// time per output token, when it reported them (llama.cpp's timings).
func (o outcome) serverTime() (total, perToken time.Duration) {
	if o.timings == nil {
		return 0, 0
	}
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	return ms(o.timings.PromptMS + o.timings.PredictedMS), ms(o.timings.PredictedPerTokenMS)
}

// result turns the generated text and its finish reason into the
// pipeline's vocabulary. finish_reason "length" is told apart by the
// limit that applied: max_tokens when the answer reached it, else the
// context window (llama.cpp stops a slot that fills its context with
// "length" too: tools/server/server-context.cpp, "stopped due to running
// out of context capacity"; OpenAI's API reference says the same of
// finish_reason length).
func (c *Client) result(url string, o outcome) (provider.Response, error) {
	server, perToken := o.serverTime()
	fail := func(kind error, msg string) (provider.Response, error) {
		return provider.Response{}, &provider.AnswerError{Kind: kind, Message: msg, RawOutput: o.content, FinishReason: o.finish, Tokens: o.tokens, ServerTime: server, ServerTPOT: perToken}
	}
	switch o.finish {
	case "stop":
	case "length":
		switch {
		case o.usage && o.maxTokens > 0 && o.tokens < o.maxTokens:
			msg := fmt.Sprintf("the context window filled after %d generated tokens, before max_tokens (%d)", o.tokens, o.maxTokens)
			if o.promptTokens > 0 {
				msg += fmt.Sprintf("; the prompt took %d, so the window is about %d tokens: raise the server's context size (llama.cpp -c, per slot: -c / -np) or lower max_tokens", o.promptTokens, o.promptTokens+o.tokens)
			}
			return fail(provider.ErrContext, msg)
		case o.maxTokens > 0:
			return fail(provider.ErrLength, fmt.Sprintf("output truncated at max_tokens (%d)", o.maxTokens))
		}
		return fail(provider.ErrLength, "output truncated at the server's default max_tokens (the request set none)")
	case "":
		return provider.Response{}, fmt.Errorf("%w: %s: no finish_reason in answer", provider.ErrMalformed, url)
	default: // abort, error, content_filter, tool_calls: no document came
		return fail(provider.ErrGeneration, "finish_reason "+o.finish)
	}
	doc := bytes.TrimSpace([]byte(o.content))
	if err := json.Unmarshal(doc, new(json.RawMessage)); err != nil {
		return fail(provider.ErrJSON, "content is not JSON: "+err.Error())
	}
	key := KeyContent
	if c.API == Completions {
		key = KeyText
	}
	return provider.Response{Output: json.RawMessage(doc), Key: key, Tokens: o.tokens, InputTokens: o.promptTokens, FinishReason: o.finish, ServerTime: server, ServerTPOT: perToken}, nil
}

// contextError reads a 400 that says the prompt does not fit the context
// window: vLLM's "This model's maximum context length is N tokens"
// (serving_engine's validation, answered as HTTP 400) and llama.cpp's
// error type "exceed_context_size_error" (tools/server/server-common.cpp,
// format_error_response).
func contextError(status int, body []byte) (string, bool) {
	if status != http.StatusBadRequest {
		return "", false
	}
	// {"error": {...}} (llama.cpp, newer vLLM) or the fields at the top
	// (older vLLM's ErrorResponse).
	var a struct {
		Error *apiError `json:"error"`
		apiError
	}
	if json.Unmarshal(body, &a) != nil {
		return "", false
	}
	e := a.apiError
	if a.Error != nil {
		e = *a.Error
	}
	m := e.Message
	if e.Type == "exceed_context_size_error" || strings.Contains(m, "maximum context length") || strings.Contains(m, "exceeds the available context size") {
		return "the prompt does not fit the context window: " + m, true
	}
	return "", false
}

func readCapped(resp *http.Response, max int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return raw, fmt.Errorf("reading the body: %v", err)
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("more than %d bytes", max)
	}
	return raw, nil
}

// Health checks the server: its /health (vLLM serves it beside /v1; a 404
// means the server has none and is not an error), then GET {BaseURL}/models,
// and returns the served model names. When Model is set it must be one of
// them. Errors name the URL and the status.
func (c *Client) Health(ctx context.Context) ([]string, error) {
	if c.BaseURL == "" {
		return nil, errors.New("openai: no BaseURL: set it to the server's API root, e.g. http://127.0.0.1:8000/v1")
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	if root, ok := strings.CutSuffix(strings.TrimSuffix(c.BaseURL, "/"), "/v1"); ok {
		_, err := c.get(ctx, root+"/health")
		if se, ok := errors.AsType[*provider.StatusError](err); err != nil && !(ok && se.Status == http.StatusNotFound) {
			return nil, fmt.Errorf("openai: health: %w", err)
		}
	}
	url := c.url("/models")
	raw, err := c.get(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("openai: health: %w", err)
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%w: %s: not a model list (%v): %s", provider.ErrMalformed, url, err, provider.Head(raw))
	}
	var models []string
	for _, m := range list.Data {
		models = append(models, m.ID)
	}
	if len(models) == 0 {
		return nil, fmt.Errorf("openai: health: %s lists no model", url)
	}
	if c.Model != "" && !slices.Contains(models, c.Model) {
		return models, fmt.Errorf("openai: health: %s does not serve model %q (it serves %s)", url, c.Model, strings.Join(models, ", "))
	}
	return models, nil
}

func (c *Client) get(ctx context.Context, url string) ([]byte, error) {
	req, err := c.newRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, c.transportError(ctx, http.MethodGet, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody()+1))
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: reading the body: %v", provider.ErrMalformed, url, err)
	}
	if int64(len(raw)) > c.maxBody() {
		return nil, fmt.Errorf("%w: GET %s: more than %d bytes", provider.ErrTooLarge, url, c.maxBody())
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &provider.StatusError{URL: url, Status: resp.StatusCode, Body: string(provider.Truncate(raw, 500))}
	}
	return raw, nil
}

func (c *Client) newRequest(ctx context.Context, method, url string, body []byte) (*http.Request, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	return req, nil
}

func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	t := c.Timeout
	if t <= 0 {
		t = provider.DefaultTimeout
	}
	return context.WithTimeout(ctx, t)
}

func (c *Client) transportError(ctx context.Context, method, url string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return fmt.Errorf("openai: %s %s: no answer within %v: %w", method, url, c.timeout(), err)
	}
	return fmt.Errorf("openai: %s %s: %w", method, url, err)
}

func (c *Client) timeout() time.Duration {
	if c.Timeout <= 0 {
		return provider.DefaultTimeout
	}
	return c.Timeout
}

func (c *Client) client() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

func (c *Client) maxBody() int64 {
	if c.MaxBody <= 0 {
		return provider.DefaultMaxBody
	}
	return c.MaxBody
}
