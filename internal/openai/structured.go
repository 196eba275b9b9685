package openai

// Which structured-output parameter each server family honours, on each
// API, and how a server says which family it is. The facts, with where
// they were checked:
//
// vLLM (owned_by "vllm" in /v1/models; GET /version answers
// {"version": "0.x.y"}):
//   - "structured_outputs": {"json": schema} on chat and completions;
//     "guided_json" was deprecated in v0.10.2 and removed in v0.12.0
//     (https://docs.vllm.ai/en/latest/features/structured_outputs/, the
//     warning at the top; the deprecation release is named in
//     https://github.com/huggingface/smolagents/pull/1805). Releases
//     before v0.10.2 know only "guided_json"
//     (https://docs.vllm.ai/en/v0.9.1/features/structured_outputs.html).
//     So: structured_outputs from v0.10.2, guided_json before.
//
// llama.cpp's llama-server (owned_by "llamacpp"; header "Server:
// llama.cpp"; GET /props has "build_info"):
//   - chat: "response_format" {"type": "json_schema", "json_schema":
//     {"schema": ...}} or {"type": "json_object", "schema": ...}, and its
//     own top-level "json_schema" (tools/server/server-common.cpp,
//     oaicompat_chat_params_parse; tools/server/README.md, "response_format"
//     under POST /v1/chat/completions).
//   - completions: the OpenAI-compatible parser
//     (oaicompat_completion_params_parse, same file) reads no
//     response_format; the native field "json_schema"
//     (tools/server/server-schema.cpp; README, POST /completion options)
//     is read on every route. structured_outputs and guided_json are read
//     nowhere: a server ignores them and answers 200 with unconstrained
//     text.
//   - The three files are in github.com/ggml-org/llama.cpp; checked
//     against the fork github.com/ngxson/llama.cpp at 3f545becc.
//
// SGLang (owned_by "sglang"): chat takes "response_format" (json_schema);
// completions take "json_schema" as a string holding the schema, and no
// response_format (python/sglang/srt/entrypoints/openai/protocol.py,
// CompletionRequest.json_schema: Optional[str], ChatCompletionRequest.
// response_format, in github.com/sgl-project/sglang).
//
// Ollama's OpenAI-compatible API (GET /api/version answers {"version"}):
// "response_format" on /v1/chat/completions (docs/openai.md, "Supported
// request fields"; json_schema honoured since v0.5.0 per
// https://pydantic.dev/docs/ai/api/models/ollama/). Its /v1/completions
// is not documented to take a schema: response_format is the best guess,
// and the canary says whether it holds.
//
// Text Generation Inference (GET /info answers {"router":
// "text-generation-router", "version"}): "response_format" {"type":
// "json_object", "value": schema} (https://huggingface.co/docs/
// text-generation-inference/conceptual/guidance; the difference from
// OpenAI's shape is discussed in
// https://github.com/huggingface/text-generation-inference/issues/3058).
//
// A server that names none of these gets structured_outputs (vLLM, the
// project's server). Whatever auto picks, the canary (Canary) checks that
// the server honours it before the first case.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/lift-sys/lifttest/internal/provider"
)

// More Structured values, beyond vLLM's and OpenAI's.
const (
	// JSONSchema sends llama.cpp's top-level "json_schema": schema.
	JSONSchema Structured = iota + ResponseFormat + 1
	// JSONSchemaString sends SGLang's completions field "json_schema" as
	// a string holding the schema.
	JSONSchemaString
	// ResponseFormatValue sends TGI's "response_format": {"type":
	// "json_object", "value": schema}.
	ResponseFormatValue
)

// StructuredNames are the -structured values a Client can send, by the
// name ParseStructured takes ("auto" is resolved by Family.Structured).
var StructuredNames = []string{"structured_outputs", "guided_json", "response_format", "json_schema", "json_schema_string", "response_format_value"}

// ParseStructured maps a -structured name to its value.
func ParseStructured(name string) (Structured, error) {
	for i, n := range StructuredNames {
		if n == name {
			return Structured(i), nil
		}
	}
	return 0, fmt.Errorf("openai: unknown structured-output parameter %q (use auto or one of %s)", name, strings.Join(StructuredNames, ", "))
}

// Family is a kind of OpenAI-compatible server.
type Family string

// The families auto knows.
const (
	Unknown  Family = ""
	VLLM     Family = "vllm"
	LlamaCpp Family = "llama.cpp"
	SGLang   Family = "sglang"
	Ollama   Family = "ollama"
	TGI      Family = "tgi"
)

// Server is what a server says it is.
type Server struct {
	Family  Family
	Version string // as the server reports it; "" when it does not
	// Via says what told the family, e.g. `owned_by "llamacpp"`.
	Via string
}

func (s Server) String() string {
	if s.Family == Unknown {
		return "an unidentified OpenAI-compatible server"
	}
	out := string(s.Family)
	if s.Version != "" {
		out += " " + s.Version
	}
	return out
}

// Structured is the parameter s honours on api (see the facts above).
func (s Server) Structured(api API) Structured {
	switch s.Family {
	case VLLM:
		if v, ok := semver(s.Version); ok && less(v, [3]int{0, 10, 2}) {
			return GuidedJSON
		}
		return StructuredOutputs
	case LlamaCpp:
		if api == Completions {
			return JSONSchema
		}
		return ResponseFormat
	case SGLang:
		if api == Completions {
			return JSONSchemaString
		}
		return ResponseFormat
	case Ollama:
		return ResponseFormat
	case TGI:
		return ResponseFormatValue
	}
	return StructuredOutputs
}

// Detect asks the server what it is: /v1/models' owned_by and the Server
// header first, then the routes each family adds (/version for vLLM,
// /props for llama.cpp, /api/version for Ollama, /info for TGI). Routes
// that fail or are missing are skipped; only an unreachable model list is
// an error.
func (c *Client) Detect(ctx context.Context) (Server, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	raw, hdr, err := c.getHeader(ctx, c.url("/models"))
	if err != nil {
		return Server{}, fmt.Errorf("openai: detect: %w", err)
	}
	var list struct {
		Data []struct {
			OwnedBy string `json:"owned_by"`
		} `json:"data"`
	}
	_ = json.Unmarshal(raw, &list)
	var s Server
	owned := ""
	if len(list.Data) > 0 {
		owned = list.Data[0].OwnedBy
	}
	switch {
	case owned == "vllm":
		s = Server{Family: VLLM, Via: `owned_by "vllm"`}
	case owned == "llamacpp" || strings.HasPrefix(hdr.Get("Server"), "llama.cpp"):
		s = Server{Family: LlamaCpp, Via: `owned_by "llamacpp"`}
		if owned != "llamacpp" {
			s.Via = "header Server: llama.cpp"
		}
	case owned == "sglang":
		s = Server{Family: SGLang, Via: `owned_by "sglang"`}
	}
	root, hasRoot := strings.CutSuffix(strings.TrimSuffix(c.BaseURL, "/"), "/v1")
	if !hasRoot {
		return s, nil
	}
	probe := func(path string, v any) bool {
		raw, _, err := c.getHeader(ctx, root+path)
		return err == nil && json.Unmarshal(raw, v) == nil
	}
	switch s.Family {
	case VLLM:
		var v struct{ Version string }
		if probe("/version", &v) {
			s.Version = v.Version
		}
		return s, nil
	case LlamaCpp:
		var p struct {
			BuildInfo string `json:"build_info"`
		}
		if probe("/props", &p) {
			s.Version = p.BuildInfo
		}
		return s, nil
	case SGLang:
		return s, nil
	}
	var p struct {
		BuildInfo *string `json:"build_info"`
	}
	if probe("/props", &p) && p.BuildInfo != nil {
		return Server{Family: LlamaCpp, Version: *p.BuildInfo, Via: "GET /props"}, nil
	}
	var info struct{ Router, Version string }
	if probe("/info", &info) && info.Router == "text-generation-router" {
		return Server{Family: TGI, Version: info.Version, Via: "GET /info"}, nil
	}
	var v struct{ Version string }
	if probe("/api/version", &v) && v.Version != "" {
		return Server{Family: Ollama, Version: v.Version, Via: "GET /api/version"}, nil
	}
	if probe("/version", &v) && v.Version != "" {
		// vLLM's route; a vLLM that did not say owned_by "vllm".
		return Server{Family: VLLM, Version: v.Version, Via: "GET /version"}, nil
	}
	return s, nil
}

// getHeader is get, returning the answer's header too.
func (c *Client) getHeader(ctx context.Context, url string) ([]byte, http.Header, error) {
	var hdr http.Header
	req, err := c.newRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, nil, c.transportError(ctx, http.MethodGet, url, err)
	}
	defer resp.Body.Close()
	hdr = resp.Header
	raw, err := readCapped(resp, c.maxBody())
	if err != nil {
		return nil, hdr, fmt.Errorf("%w: GET %s: %v", provider.ErrMalformed, url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, hdr, &provider.StatusError{URL: url, Status: resp.StatusCode, Body: string(provider.Truncate(raw, 500))}
	}
	return raw, hdr, nil
}

// semver reads "0.10.2", "v0.11.0rc1", "0.9.1+cu124" as three numbers.
func semver(s string) ([3]int, bool) {
	var v [3]int
	s = strings.TrimPrefix(s, "v")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return v, false
	}
	for i, p := range parts {
		end := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' })
		if end == 0 {
			return v, false
		}
		if end > 0 {
			p = p[:end]
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
