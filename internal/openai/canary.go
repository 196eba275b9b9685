package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lift-sys/lifttest/internal/provider"
)

// The canary: one small request constrained by a tiny schema, whose
// answer must conform. A server that ignores the structured-output
// parameter answers HTTP 200 with free text, and every case would then
// fail as "model produced invalid JSON"; the canary tells that apart
// before the first case, and proves the credentials on the way.

// CanarySchema admits exactly {"ok": true} or {"ok": false}.
const CanarySchema = `{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}`

// CanaryPrompt asks for it (the schema, not the prompt, must force it).
const CanaryPrompt = `Reply with the JSON object {"ok": true} and nothing else.`

// CanaryMaxTokens leaves room for the grammar's optional whitespace.
const CanaryMaxTokens = 96

// CanaryRequest is the canary's request: temperature 0, a fixed seed.
func CanaryRequest() provider.Request {
	seed := 1
	return provider.Request{Prompt: CanaryPrompt, Schema: json.RawMessage(CanarySchema), MaxTokens: CanaryMaxTokens, Seed: &seed}
}

// ErrCanary marks a canary that failed: the run must not start.
var ErrCanary = errors.New("canary failed")

// ErrCredentials marks a canary the server refused with 401 or 403.
var ErrCredentials = errors.New("the server refused the credentials")

// Canary sends CanaryRequest with c's API and Structured and checks the
// answer. Errors wrap ErrCanary, and ErrCredentials for a 401 or 403;
// their messages name the parameter sent and what to try. keyVar names
// the variable that sets the API key, for the credentials message.
func (c *Client) Canary(ctx context.Context, keyVar string) (provider.Response, error) {
	resp, err := c.Generate(ctx, CanaryRequest())
	sent := fmt.Sprintf("%q on %s", c.Structured.String(), c.API)
	if se, ok := errors.AsType[*provider.StatusError](err); ok {
		switch se.Status {
		case http.StatusUnauthorized, http.StatusForbidden:
			what := "sent no API key"
			if c.APIKey != "" {
				what = "sent an API key the server does not accept"
			}
			return resp, fmt.Errorf("%w: %w: the canary request %s got HTTP %d (%s): set %s to the server's key: %s",
				ErrCanary, ErrCredentials, what, se.Status, http.StatusText(se.Status), keyVar, strings.TrimSpace(se.Body))
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			return resp, fmt.Errorf("%w: the server rejected the canary, constrained with %s (HTTP %d: %s): %s",
				ErrCanary, sent, se.Status, strings.TrimSpace(se.Body), c.tryInstead())
		}
	}
	if err != nil {
		var ae *provider.AnswerError
		if errors.As(err, &ae) && errors.Is(err, provider.ErrJSON) {
			return resp, fmt.Errorf("%w: the server answered the canary, constrained with %s, with text that is not JSON (%.120q): it ignores that parameter, so every case would fail as invalid JSON; %s",
				ErrCanary, sent, ae.RawOutput, c.tryInstead())
		}
		if errors.As(err, &ae) && (errors.Is(err, provider.ErrLength) || errors.Is(err, provider.ErrContext)) {
			return resp, fmt.Errorf("%w: the canary, constrained with %s, did not finish (%v): a constrained answer is a few tokens long, so the server most likely ignores that parameter; %s",
				ErrCanary, sent, err, c.tryInstead())
		}
		// A 5xx, say: llama.cpp's own output parser refuses free text
		// ("does not match the expected ... format", HTTP 500) when the
		// constraint was ignored.
		return resp, fmt.Errorf("%w: the canary, constrained with %s, failed (%w): a server that ignores that parameter generates free text, which can fail this way; %s",
			ErrCanary, sent, err, c.tryInstead())
	}
	if why := canaryConforms(resp.Output); why != "" {
		return resp, fmt.Errorf("%w: the server answered the canary, constrained with %s, with %s, which its schema %s forbids: it ignores that parameter; %s",
			ErrCanary, sent, resp.Output, why, c.tryInstead())
	}
	return resp, nil
}

// canaryConforms checks doc against CanarySchema; "" when it conforms.
func canaryConforms(doc json.RawMessage) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return "(not an object)"
	}
	ok, present := m["ok"]
	switch {
	case !present:
		return "(no \"ok\")"
	case len(m) != 1:
		return "(keys besides \"ok\")"
	}
	var b bool
	if json.Unmarshal(ok, &b) != nil {
		return "(\"ok\" not a boolean)"
	}
	return ""
}

// tryInstead names the -structured values to try on c's API.
func (c *Client) tryInstead() string {
	var alt []string
	for _, n := range []string{"response_format", "json_schema", "structured_outputs", "guided_json"} {
		if n != c.Structured.String() {
			alt = append(alt, n)
		}
	}
	hint := "try -structured " + strings.Join(alt, ", or ")
	if c.API == Completions {
		hint += " (on /v1/completions llama.cpp honours only json_schema; or use -api chat)"
	} else {
		hint += " (llama.cpp: response_format or json_schema; vLLM >= 0.10.2: structured_outputs; older vLLM: guided_json)"
	}
	return hint
}
