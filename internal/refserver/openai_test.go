package refserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
)

const oaPrompt = "Create a function that doubles a number"

var (
	oaIR   = `{"intent":{"summary":"Create a function that doubles a number"},"signature":{"name":"double","parameters":[{"name":"x","type_hint":"int"}],"returns":"int"}}`
	oaCode = `{"implementation":{"body_statements":[{"type":"return","code":"return x * 2"}]}}`
)

// oaStart serves one doubling script on 127.0.0.1 and returns the /v1 base.
func oaStart(t *testing.T, cfg refserver.Config) (*refserver.Server, string) {
	t.Helper()
	cfg.Scripts = []refserver.Script{{
		Suite: "t", Case: "double", Prompt: oaPrompt,
		Stage1: refserver.Answer{DelayMS: 10, Body: json.RawMessage(oaIR)},
		Stage2: []refserver.Answer{{Body: json.RawMessage(oaCode)}},
	}}
	s, url := refserver.Start(t, cfg)
	return s, strings.TrimSuffix(url, "/generate") + "/v1"
}

func oaPost(t *testing.T, url string, body any) (*http.Response, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(string(b)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, data
}

func chatBody(prompt string, extra ...any) map[string]any {
	m := map[string]any{"model": refserver.DefaultModel, "max_tokens": 2048, "temperature": 0.3,
		"messages": []map[string]any{{"role": "system", "content": "You are precise."}, {"role": "user", "content": prompt}}}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func TestOpenAIChatAnswer(t *testing.T) {
	_, base := oaStart(t, refserver.Config{})
	resp, data := oaPost(t, base+"/chat/completions", chatBody(oaPrompt, "structured_outputs", map[string]any{"json": map[string]any{"type": "object"}}))
	require.Equal(t, 200, resp.StatusCode, "%s", data)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var a struct {
		Object  string
		Model   string
		Choices []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		}
	}
	require.NoError(t, json.Unmarshal(data, &a))
	assert.Equal(t, "chat.completion", a.Object)
	assert.Equal(t, refserver.DefaultModel, a.Model)
	require.Len(t, a.Choices, 1)
	assert.Equal(t, "assistant", a.Choices[0].Message.Role)
	assert.JSONEq(t, oaIR, a.Choices[0].Message.Content, "the document, as a string")
	assert.Equal(t, "stop", a.Choices[0].FinishReason)
	assert.Equal(t, len(oaIR)/4, a.Usage.CompletionTokens)
	assert.Equal(t, a.Usage.PromptTokens+a.Usage.CompletionTokens, a.Usage.TotalTokens)
}

func TestOpenAICompletionsAnswerStage2(t *testing.T) {
	_, base := oaStart(t, refserver.Config{})
	prompt := "Implement:\ndef double(x: int) -> int:\n"
	resp, data := oaPost(t, base+"/completions", map[string]any{"model": refserver.DefaultModel, "prompt": prompt, "guided_json": map[string]any{}})
	require.Equal(t, 200, resp.StatusCode, "%s", data)
	var a struct {
		Object  string
		Choices []struct {
			Text         string
			FinishReason string `json:"finish_reason"`
		}
	}
	require.NoError(t, json.Unmarshal(data, &a))
	assert.Equal(t, "text_completion", a.Object)
	assert.JSONEq(t, oaCode, a.Choices[0].Text)
}

func TestOpenAIModels(t *testing.T) {
	_, base := oaStart(t, refserver.Config{Model: "m-7b"})
	resp, err := http.Get(base + "/models")
	require.NoError(t, err)
	defer resp.Body.Close()
	var l struct {
		Object string
		Data   []struct{ ID, Object string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&l))
	assert.Equal(t, "list", l.Object)
	require.Len(t, l.Data, 1)
	assert.Equal(t, "m-7b", l.Data[0].ID)
}

func TestOpenAIErrors(t *testing.T) {
	s, base := oaStart(t, refserver.Config{})
	tests := []struct {
		name   string
		path   string
		body   any
		fault  *refserver.Fault
		status int
		want   string
	}{
		{name: "no script", path: "/chat/completions", body: chatBody("something else"), status: 400, want: "no scripted answer"},
		{name: "unknown model", path: "/chat/completions", body: chatBody(oaPrompt, "model", "gpt-9"), status: 404, want: "does not exist"},
		{name: "no user message", path: "/chat/completions", body: map[string]any{"messages": []any{}}, status: 400, want: "user message"},
		{name: "no prompt", path: "/completions", body: map[string]any{"model": refserver.DefaultModel}, status: 400, want: "prompt"},
		{name: "invalid JSON body", path: "/completions", body: "{", status: 400, want: "Invalid JSON body"},
		{name: "generation error", path: "/chat/completions", body: chatBody(oaPrompt), fault: &refserver.Fault{Kind: refserver.FaultGenerationError, Body: "CUDA OOM"}, status: 500, want: "Generation failed: CUDA OOM"},
		{name: "platform 408", path: "/chat/completions", body: chatBody(oaPrompt), fault: &refserver.Fault{Kind: refserver.FaultStatus, Status: 408, Body: refserver.ModalExpiredBody}, status: 408, want: refserver.ModalExpiredBody},
		{name: "length", path: "/chat/completions", body: chatBody(oaPrompt), fault: &refserver.Fault{Kind: refserver.FaultLength, Body: `{"intent":`}, status: 200, want: `"finish_reason":"length"`},
		{name: "json_error", path: "/completions", body: map[string]any{"prompt": oaPrompt}, fault: &refserver.Fault{Kind: refserver.FaultJSONError, Body: `{"intent": {`}, status: 200, want: `"text":"{\"intent\": {"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != nil {
				s.Inject(*tt.fault)
			}
			var resp *http.Response
			var data []byte
			if str, ok := tt.body.(string); ok {
				r, err := http.Post(base+tt.path, "application/json", strings.NewReader(str))
				require.NoError(t, err)
				data, _ = io.ReadAll(r.Body)
				r.Body.Close()
				resp = r
			} else {
				resp, data = oaPost(t, base+tt.path, tt.body)
			}
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Contains(t, string(data), tt.want)
		})
	}
}

func TestOpenAIChatPromptFromParts(t *testing.T) {
	_, base := oaStart(t, refserver.Config{})
	body := map[string]any{"messages": []any{
		map[string]any{"role": "user", "content": "an earlier turn"},
		map[string]any{"role": "assistant", "content": "ok"},
		map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Create a function "}, map[string]any{"type": "text", "text": "that doubles a number"}}},
	}}
	resp, data := oaPost(t, base+"/chat/completions", body)
	assert.Equal(t, 200, resp.StatusCode, "the last user message is the prompt: %s", data)
}

// sseEvent is one event of a stream and when it arrived.
type sseEvent struct {
	data string
	at   time.Duration
}

func readSSE(t *testing.T, url string, body any) (*http.Response, []sseEvent) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(string(b)))
	require.NoError(t, err)
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var evs []sseEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			evs = append(evs, sseEvent{d, time.Since(start)})
		}
	}
	require.NoError(t, sc.Err())
	return resp, evs
}

func TestOpenAIStream(t *testing.T) {
	_, base := oaStart(t, refserver.Config{FirstTokenDelay: 20 * time.Millisecond, TokenInterval: time.Millisecond})
	for _, chat := range []bool{true, false} {
		path, body := "/completions", map[string]any{"prompt": oaPrompt, "stream": true, "stream_options": map[string]any{"include_usage": true}}
		if chat {
			path, body = "/chat/completions", chatBody(oaPrompt, "stream", true, "stream_options", map[string]any{"include_usage": true})
		}
		t.Run(path, func(t *testing.T) {
			resp, evs := readSSE(t, base+path, body)
			assert.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
			require.GreaterOrEqual(t, len(evs), 4)
			assert.Equal(t, "[DONE]", evs[len(evs)-1].data)
			var content strings.Builder
			var finish []string
			contentChunks, completion := 0, 0
			for _, e := range evs[:len(evs)-1] {
				var c struct {
					Object  string
					Choices []struct {
						Delta        struct{ Role, Content string }
						Text         string
						FinishReason *string `json:"finish_reason"`
					}
					Usage *struct {
						CompletionTokens int `json:"completion_tokens"`
					}
				}
				require.NoError(t, json.Unmarshal([]byte(e.data), &c), e.data)
				if c.Usage != nil {
					completion = c.Usage.CompletionTokens
					assert.Empty(t, c.Choices)
					continue
				}
				assert.Equal(t, map[bool]string{true: "chat.completion.chunk", false: "text_completion"}[chat], c.Object)
				ch := c.Choices[0]
				if s := ch.Delta.Content + ch.Text; s != "" {
					content.WriteString(s)
					contentChunks++
				}
				if ch.FinishReason != nil {
					finish = append(finish, *ch.FinishReason)
				}
			}
			assert.JSONEq(t, oaIR, content.String())
			assert.Equal(t, []string{"stop"}, finish, "only the last token says how it ended")
			assert.Equal(t, contentChunks, completion, "one chunk per token")
			assert.Equal(t, len(oaIR)/4, completion)
			assert.GreaterOrEqual(t, evs[0].at, 20*time.Millisecond, "the first token waits FirstTokenDelay")
		})
	}
}

func TestOpenAIStreamWithoutUsage(t *testing.T) {
	_, base := oaStart(t, refserver.Config{})
	_, evs := readSSE(t, base+"/chat/completions", chatBody(oaPrompt, "stream", true))
	for _, e := range evs {
		assert.NotContains(t, e.data, `"usage"`)
	}
}

func TestOpenAIStreamTruncated(t *testing.T) {
	s, base := oaStart(t, refserver.Config{})
	s.Inject(refserver.Fault{Kind: refserver.FaultTruncated})
	b, _ := json.Marshal(chatBody(oaPrompt, "stream", true))
	resp, err := http.Post(base+"/chat/completions", "application/json", strings.NewReader(string(b)))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	assert.Error(t, err, "the connection drops mid-stream")
	assert.NotContains(t, string(data), "[DONE]")
}

func TestOpenAIQueueTimeout(t *testing.T) {
	// One slot; the first answer holds it for about 200 ms, so the second
	// waits past its 50 ms in the queue and gets Modal's 408.
	_, base := oaStart(t, refserver.Config{MaxConcurrent: 1, QueueTimeout: 50 * time.Millisecond,
		FirstTokenDelay: 200 * time.Millisecond, TokenInterval: time.Microsecond})
	first := make(chan int, 1)
	go func() {
		b, _ := json.Marshal(chatBody(oaPrompt))
		resp, err := http.Post(base+"/chat/completions", "application/json", strings.NewReader(string(b)))
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond) // the first request holds the slot
	start := time.Now()
	resp, data := oaPost(t, base+"/chat/completions", chatBody(oaPrompt))
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Equal(t, refserver.ModalExpiredBody, string(data))
	assert.InDelta(t, 50*time.Millisecond, time.Since(start), float64(40*time.Millisecond))
	assert.Equal(t, 200, <-first)

	// Once the slot is free, a request goes through.
	resp, _ = oaPost(t, base+"/chat/completions", chatBody(oaPrompt))
	assert.Equal(t, 200, resp.StatusCode)
}

func TestOpenAIConcurrencyBound(t *testing.T) {
	// Four workers, two slots, no queue timeout: all succeed, in two waves.
	_, base := oaStart(t, refserver.Config{MaxConcurrent: 2, FirstTokenDelay: 60 * time.Millisecond, TokenInterval: time.Microsecond})
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 {
		wg.Go(func() {
			resp, _ := oaPost(t, base+"/chat/completions", chatBody(oaPrompt))
			assert.Equal(t, 200, resp.StatusCode)
		})
	}
	wg.Wait()
	assert.GreaterOrEqual(t, time.Since(start), 120*time.Millisecond, "two at a time")
}

func TestOpenAICloseAbortsStream(t *testing.T) {
	s, base := oaStart(t, refserver.Config{FirstTokenDelay: 10 * time.Second})
	b, _ := json.Marshal(chatBody(oaPrompt, "stream", true))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/chat/completions", strings.NewReader(string(b)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	time.AfterFunc(20*time.Millisecond, s.Close)
	start := time.Now()
	_, err = io.ReadAll(resp.Body)
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
}
