package refserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// RetryMarker starts the line the client's code prompt appends for each
// failed attempt, followed by the attempt number, ") failed: " and the error.
const RetryMarker = "Previous attempt (#"

var retryRE = regexp.MustCompile(regexp.QuoteMeta(RetryMarker) + `(\d+)\) failed: `)

// maxRawOutput is how much of a broken output the app sends back.
const maxRawOutput = 500

// answer is an Answer ready to serve: its body compacted once, so that the
// caller's Script may change after New and cassettes get stable bytes.
type answer struct {
	Answer
	body []byte
}

// stage2Script is what stage-2 matching needs of one script.
type stage2Script struct {
	def     string // "def NAME("
	summary string // the stage-1 intent summary, to break ties
	answers []answer
}

// prepare compacts the body as the app sends it (FastAPI writes compact JSON).
func prepare(a Answer) answer {
	p := answer{Answer: a}
	if len(a.Body) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, a.Body); err == nil { // validated before
			p.body = buf.Bytes()
		}
	}
	return p
}

// OutputTokens is the number of tokens a successful answer reports as
// tokens_used (and streams on the OpenAI routes): Tokens, else an estimate
// of about 4 bytes a token of the compacted Body. A caller that models
// latency per token uses it to agree with what the server reports.
func (a Answer) OutputTokens() int {
	return prepare(a).outputTokens()
}

func (a answer) outputTokens() int {
	if a.Tokens > 0 {
		return a.Tokens
	}
	return max(1, len(a.body)/bytesPerToken)
}

// match picks the scripted answer for a prompt: stage 1 by exact prompt,
// else stage 2 by the function name in the code prompt. Should two scripts
// name the same function, the one whose intent summary the prompt also
// contains wins, else the first.
func (s *Server) match(prompt string) (answer, bool) {
	if a, ok := s.stage1[prompt]; ok {
		return a, true
	}
	var first *stage2Script
	for i := range s.stage2 {
		c := &s.stage2[i]
		if !strings.Contains(prompt, c.def) {
			continue
		}
		if c.summary != "" && strings.Contains(prompt, c.summary) {
			return c.attempt(prompt), true
		}
		if first == nil {
			first = c
		}
	}
	if first != nil {
		return first.attempt(prompt), true
	}
	return answer{}, false
}

// attempt returns the answer for the attempt the prompt is on: 1 + the
// largest K of its "Previous attempt (#K) failed: " lines, clamped to the
// scripted attempts.
func (c *stage2Script) attempt(prompt string) answer {
	k := 0
	for _, m := range retryRE.FindAllStringSubmatch(prompt, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > k {
			k = n
		}
	}
	return c.answers[min(k, len(c.answers)-1)]
}

// spoil turns an answer into the model failure a fault asks for, keeping
// its delay and key.
func (a answer) spoil(f Fault) answer {
	out := answer{Answer: Answer{DelayMS: a.DelayMS, Key: a.Key}, body: a.body}
	switch f.Kind {
	case FaultJSONError:
		out.FinishReason, out.RawOutput = FinishJSONError, f.Body
	case FaultLength:
		out.FinishReason, out.RawOutput = FinishLength, f.Body
	case FaultGenerationError:
		out.FinishReason, out.Error = FinishError, f.Body
	}
	return out
}

// render writes the generate body in the app's field order.
func (a answer) render(genMS float64, maxTokens int) []byte {
	key := a.Key
	if key == "" {
		key = KeyIRJSON
	}
	gen := kv{"generation_time_ms", pyFloat(genMS)}
	switch a.FinishReason {
	case FinishJSONError, FinishLength:
		raw := a.rawOutput()
		detail := a.Error
		tokens := 0
		if a.FinishReason == FinishLength {
			tokens = a.Tokens
			if tokens == 0 {
				tokens = maxTokens
			}
			if detail == "" {
				detail = fmt.Sprintf("output truncated at max_tokens (%d)", maxTokens)
			}
		} else if detail == "" {
			n := len([]rune(raw))
			detail = fmt.Sprintf("Expecting ',' delimiter: line 1 column %d (char %d)", n+1, n)
		}
		return object(kv{"error", prefixed("Invalid JSON generated: ", detail)}, kv{"raw_output", raw},
			kv{key, nil}, kv{"tokens_used", tokens}, gen, kv{"finish_reason", a.FinishReason})
	case FinishError:
		detail := a.Error
		if detail == "" {
			detail = "CUDA error: an illegal memory access was encountered"
		}
		return object(kv{"error", prefixed("Generation failed: ", detail)},
			kv{key, nil}, kv{"tokens_used", 0}, gen, kv{"finish_reason", FinishError})
	default:
		return object(kv{key, json.RawMessage(a.body)}, kv{"tokens_used", a.outputTokens()}, gen, kv{"finish_reason", FinishStop})
	}
}

// rawOutput is the broken output sent back: the scripted one, else the
// first half of the body, at most maxRawOutput characters either way.
func (a answer) rawOutput() string {
	raw := a.RawOutput
	if raw == "" {
		raw = string(a.body[:len(a.body)/2])
	}
	return head(raw, maxRawOutput)
}

func prefixed(prefix, s string) string {
	if strings.HasPrefix(s, prefix) {
		return s
	}
	return prefix + s
}

// head returns the first n characters of s (Python's s[:n]).
func head(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
