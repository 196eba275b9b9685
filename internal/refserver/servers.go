package refserver

// Real servers' ways on the OpenAI routes, so that lifttest's handling of
// them is tested offline: llama.cpp's answers (Config.LlamaCpp), a server
// that ignores a structured-output field (Config.Honours), one that wants
// an API key (Config.APIKey), and a small context window
// (Config.ContextWindow). The canary (package openai's CanaryPrompt) is
// answered whatever the scripts: {"ok":true} when the request carries a
// field the server honours, free text when not.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// canaryPrompt is package openai's CanaryPrompt (refserver does not import
// the client it tests; lifttest's canary tests fail if the two differ,
// since an unknown prompt gets a 400).
const canaryPrompt = `Reply with the JSON object {"ok": true} and nothing else.`

// canaryFree is what a server that ignores the constraint answers.
const canaryFree = `Sure! Here is the JSON object you asked for: {"ok": true}`

// vLLMHonours are the fields vLLM reads (structured_outputs since
// v0.10.2, guided_json before v0.12, response_format on chat).
var vLLMHonours = []string{"structured_outputs", "guided_json", "response_format"}

func (s *Server) ownedBy() string {
	if s.cfg.LlamaCpp {
		return "llamacpp"
	}
	return "vllm"
}

// honours are the top-level fields that constrain the output on the route.
func (s *Server) honours(chat bool) []string {
	switch {
	case s.cfg.Honours != nil:
		return s.cfg.Honours
	case s.cfg.LlamaCpp && chat:
		return []string{"response_format", "json_schema"}
	case s.cfg.LlamaCpp:
		return []string{"json_schema"}
	}
	return vLLMHonours
}

// canary answers the canary prompt: a schema-valid document when the body
// carries a field the server honours, else free text.
func (s *Server) canary(prompt string, body []byte, chat bool) (answer, bool) {
	if prompt != canaryPrompt {
		return answer{}, false
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(body, &fields)
	for _, f := range s.honours(chat) {
		if v, ok := fields[f]; ok && !bytes.Equal(v, []byte("null")) {
			return prepare(Answer{Body: json.RawMessage(`{"ok":true}`)}), true
		}
	}
	return answer{Answer: Answer{FinishReason: FinishJSONError, RawOutput: canaryFree}}, true
}

// authorize checks Config.APIKey on the generation routes; a refusal is
// llama.cpp's 401 body. (/v1/models stays open, as vLLM leaves it; a
// llama.cpp built at 3f545becc guards it too, which lifttest's health
// check reports the same way.)
func (s *Server) authorize(r *http.Request) (response, bool) {
	if s.cfg.APIKey == "" || r.Header.Get("Authorization") == "Bearer "+s.cfg.APIKey {
		return response{}, false
	}
	return oaError(http.StatusUnauthorized, "authentication_error", "Invalid API Key"), true
}

// fitContext applies Config.ContextWindow to g: a prompt that does not
// fit is refused as llama.cpp refuses it (HTTP 400,
// exceed_context_size_error), a generation that would overflow the window
// is cut where it fills and ends with "length". It also marks g for
// llama.cpp's timings.
func (s *Server) fitContext(g *generation, req oaRequest) (response, bool) {
	g.timings = s.cfg.LlamaCpp
	n := s.cfg.ContextWindow
	if n <= 0 || g.status != 0 {
		return response{}, false
	}
	if g.promptTokens >= n {
		return oaError(http.StatusBadRequest, "exceed_context_size_error",
			fmt.Sprintf("request (%d tokens) exceeds the available context size (%d tokens), try increasing it", g.promptTokens, n)), true
	}
	room := n - g.promptTokens
	if room < min(req.maxTokens(), len(g.tokens)) {
		g.tokens = g.tokens[:room]
		g.outputTokens, g.finish = room, "length"
	}
	return response{}, false
}

// timingsJSON is llama.cpp's "timings" object for g (the names of
// server_slot_stats::to_json), with the pacing as the generation time.
func (g generation) timingsJSON() json.RawMessage {
	n := max(len(g.tokens), 1)
	gen := float64(g.total()) / 1e6
	return object(kv{"cache_n", 0}, kv{"prompt_n", g.promptTokens}, kv{"prompt_ms", float64(g.first) / 1e6},
		kv{"predicted_n", len(g.tokens)}, kv{"predicted_ms", gen}, kv{"predicted_per_token_ms", gen / float64(n)})
}

// serveProps is llama.cpp's GET /props, in brief; 404 unless LlamaCpp.
func (s *Server) serveProps(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.LlamaCpp {
		s.write(w, oaError(http.StatusNotFound, "not_found_error", "File Not Found"), Fault{})
		return
	}
	if r.Method != http.MethodGet {
		s.write(w, methodNotAllowed(http.MethodGet), Fault{})
		return
	}
	s.write(w, jsonResponse(http.StatusOK, object(kv{"build_info", "b0000-refserver"}, kv{"model_path", s.cfg.Model},
		kv{"default_generation_settings", json.RawMessage(object(kv{"n_ctx", s.cfg.ContextWindow}))})), Fault{})
}

// isCanaryBody tells a canary request before it is parsed.
func isCanaryBody(body []byte) bool {
	var q struct {
		Prompt   string `json:"prompt"`
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	if !bytes.Contains(body, []byte(`Reply with the JSON object`)) || json.Unmarshal(body, &q) != nil {
		return false
	}
	return q.Prompt == canaryPrompt || (len(q.Messages) > 0 && q.Messages[len(q.Messages)-1].Content == canaryPrompt)
}
