package lifttesttest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
)

// client bounds every request, so that a hung server fails a test fast.
var client = &http.Client{Timeout: 10 * time.Second}

const (
	prompt = "Create a function that adds two numbers"
	irJSON = `{"intent": {"summary": "add two numbers"}, "signature": {"name": "add", "parameters": []}}`
	code1  = `{"implementation": {"body_statements": [{"type": "return", "code": "return a - b"}]}}`
	code2  = `{"implementation": {"body_statements": [{"type": "return", "code": "return a + b"}]}}`
)

var answer = lifttesttest.Answer{Prompt: prompt, IR: irJSON, Code: []string{code1, code2}, Tokens: 10}

// codePrompt is a stage-2 prompt for answer after the given failed attempts.
func codePrompt(failed int) string {
	p := "Implement the following Python function.\n\nSignature:\ndef add(a: int, b: int) -> int:\n"
	for k := 1; k <= failed; k++ {
		p += "\nPrevious attempt (#" + strconv.Itoa(k) + ") failed: AssertionError\n"
	}
	return p
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(s)))
	return b.String()
}

// do sends one request; the body's read error is returned for the faults
// that spoil it.
func do(t *testing.T, method, url, body string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// generate posts prompt to the generate URL and decodes the answer.
func generate(t *testing.T, srv *lifttesttest.Server, prompt string) map[string]json.RawMessage {
	t.Helper()
	body, err := json.Marshal(map[string]any{"prompt": prompt, "max_tokens": 2048})
	require.NoError(t, err)
	resp, data, err := do(t, http.MethodPost, srv.GenerateURL(), string(body))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", data)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m), "body: %s", data)
	return m
}

func chatBody(t *testing.T, prompt string, stream bool) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"model":          lifttesttest.DefaultModel,
		"messages":       []map[string]string{{"role": "system", "content": "be brief"}, {"role": "user", "content": prompt}},
		"stream":         stream,
		"stream_options": map[string]bool{"include_usage": stream},
	})
	require.NoError(t, err)
	return string(b)
}

func TestGenerateServesStagesAndRetries(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{answer}})

	m := generate(t, srv, prompt)
	require.JSONEq(t, irJSON, string(m["ir_json"]))
	require.Equal(t, `"stop"`, string(m["finish_reason"]))
	require.Equal(t, "10", string(m["tokens_used"]))

	for failed, want := range []string{code1, code2, code2} { // the last answer once they run out
		m = generate(t, srv, codePrompt(failed))
		require.JSONEq(t, want, string(m["ir_json"]), "after %d failed attempts", failed)
	}

	m = generate(t, srv, "something else")
	require.Equal(t, `"error"`, string(m["finish_reason"]))
	require.Contains(t, string(m["error"]), "no scripted answer")
	require.Equal(t, 5, srv.Requests())
}

func TestHealthAndWarmup(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Model: "my-model"})
	base := strings.TrimSuffix(srv.GenerateURL(), "/generate")
	require.Equal(t, srv.URL, base)
	for _, route := range []string{"/health", "/warmup"} {
		resp, data, err := do(t, http.MethodGet, base+route, "")
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(data), `"model":"my-model"`, route)
	}
}

func TestOpenAIChatAndCompletions(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{answer}})
	require.Equal(t, srv.URL+"/v1", srv.OpenAIURL())

	var chat struct {
		Choices []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	resp, data, err := do(t, http.MethodPost, srv.OpenAIURL()+"/chat/completions", chatBody(t, prompt, false))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", data)
	require.NoError(t, json.Unmarshal(data, &chat))
	require.Equal(t, compact(t, irJSON), chat.Choices[0].Message.Content)
	require.Equal(t, "assistant", chat.Choices[0].Message.Role)
	require.Equal(t, "stop", chat.Choices[0].FinishReason)
	require.Equal(t, 10, chat.Usage.CompletionTokens)

	// Completions, on a stage-2 prompt after one failed attempt.
	body, err := json.Marshal(map[string]any{"prompt": codePrompt(1)})
	require.NoError(t, err)
	var comp struct {
		Choices []struct{ Text string }
	}
	resp, data, err = do(t, http.MethodPost, srv.OpenAIURL()+"/completions", string(body))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", data)
	require.NoError(t, json.Unmarshal(data, &comp))
	require.Equal(t, compact(t, code2), comp.Choices[0].Text)

	// A prompt without an answer is a 400, as vLLM rejects a bad request.
	resp, _, err = do(t, http.MethodPost, srv.OpenAIURL()+"/chat/completions", chatBody(t, "nothing", false))
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// events reads a server-sent event stream: the content of every chunk in
// order, the finish reason and whether it ended with [DONE].
func events(t *testing.T, r io.Reader) (content, finish string, done bool) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			return content, finish, true
		}
		var chunk struct {
			Choices []struct {
				Delta        struct{ Content string }
				FinishReason *string `json:"finish_reason"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(data), &chunk), "event: %s", data)
		for _, c := range chunk.Choices {
			content += c.Delta.Content
			if c.FinishReason != nil {
				finish = *c.FinishReason
			}
		}
	}
	return content, finish, false
}

func TestOpenAIChatStream(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{answer}})
	resp, data, err := do(t, http.MethodPost, srv.OpenAIURL()+"/chat/completions", chatBody(t, prompt, true))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/event-stream")
	content, finish, done := events(t, bytes.NewReader(data))
	require.True(t, done, "stream: %s", data)
	require.Equal(t, compact(t, irJSON), content)
	require.Equal(t, "stop", finish)
	require.Equal(t, 10, strings.Count(string(data), `"delta":{"content"`), "one chunk per token")
}

func TestSuiteServesBundledAnswers(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple"})
	m := generate(t, srv, "Create a function that adds two numbers")
	var v struct{ Signature struct{ Name string } }
	require.NoError(t, json.Unmarshal(m["ir_json"], &v))
	require.Equal(t, "add_two_numbers", v.Signature.Name)
	require.Equal(t, "0.0", string(m["generation_time_ms"]), "recorded delays are replaced by the zero Latency")

	// Every suite that Config.Suite documents is bundled.
	for _, suite := range []string{"simple", "phase2", "nontrivial", "expanded", "humaneval_sample"} {
		lifttesttest.Start(t, lifttesttest.Config{Suite: suite, Latency: lifttesttest.Latency{PerToken: time.Millisecond}})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault lifttesttest.Fault
		route string // "" for /generate, else an OpenAI route
		check func(t *testing.T, resp *http.Response, data []byte, err error)
	}{{
		name:  "429 with Retry-After",
		fault: lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			require.Equal(t, "2", resp.Header.Get("Retry-After"))
			require.Equal(t, "Too Many Requests", string(data))
		},
	}, {
		name:  "500 on chat",
		fault: lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Body: "boom"},
		route: "/chat/completions",
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			require.Empty(t, resp.Header.Get("Retry-After"))
			require.Equal(t, "boom", string(data))
		},
	}, {
		name:  "dropped connection",
		fault: lifttesttest.Fault{Kind: lifttesttest.FaultDrop},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		},
	}, {
		name:  "dropped stream",
		fault: lifttesttest.Fault{Kind: lifttesttest.FaultDrop},
		route: "/chat/completions",
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			_, _, done := events(t, bytes.NewReader(data))
			require.False(t, done, "the stream must not end with [DONE]")
		},
	}, {
		name:  "malformed body",
		fault: lifttesttest.Fault{Kind: lifttesttest.FaultMalformed},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.False(t, json.Valid(data), "body: %s", data)
		},
	}, {
		name:  "invalid JSON from the model",
		fault: lifttesttest.Fault{Kind: lifttesttest.FaultInvalidJSON, Body: `{"intent": `},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			require.Equal(t, "json_error", m["finish_reason"])
			require.Equal(t, `{"intent": `, m["raw_output"])
			require.Nil(t, m["ir_json"])
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{answer}})
			srv.Inject(tt.fault)
			url, body := srv.GenerateURL(), `{"prompt": "`+prompt+`"}`
			if tt.route != "" {
				url, body = srv.OpenAIURL()+tt.route, chatBody(t, prompt, true)
			}
			resp, data, err := do(t, http.MethodPost, url, body)
			tt.check(t, resp, data, err)

			// One call only: the next one is answered.
			resp, data, err = do(t, http.MethodPost, url, body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			if tt.route != "" {
				_, finish, done := events(t, bytes.NewReader(data))
				require.True(t, done && finish == "stop", "stream: %s", data)
			} else {
				require.Contains(t, string(data), `"finish_reason":"stop"`)
			}
		})
	}
}

func TestFaultTimesAndOrder(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{answer}})
	srv.Inject(
		lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Status: http.StatusServiceUnavailable, Times: 2},
		lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Status: http.StatusBadGateway},
	)
	var got []int
	for range 4 {
		resp, _, err := do(t, http.MethodPost, srv.GenerateURL(), `{"prompt": "`+prompt+`"}`)
		require.NoError(t, err)
		got = append(got, resp.StatusCode)
	}
	require.Equal(t, []int{503, 503, 502, 200}, got)

	// Health is never faulted.
	srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultStatus})
	resp, _, err := do(t, http.MethodGet, srv.URL+"/health", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestInjectPanicsOnMisuse(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{})
	require.Panics(t, func() { srv.Inject(lifttesttest.Fault{}) })
	require.Panics(t, func() { srv.Inject(lifttesttest.Fault{Kind: 99}) })
	require.Panics(t, func() { srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultSlow, Delay: -time.Second}) })
	require.Panics(t, func() { srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultDrop, Times: -1}) })
}

// The timing tests assert lower bounds only: a loaded machine makes
// everything slower, never faster.
func TestLatency(t *testing.T) {
	t.Parallel()
	const fixed, perToken = 40 * time.Millisecond, 3 * time.Millisecond
	want := fixed + 10*perToken // answer has 10 tokens
	srv := lifttesttest.Start(t, lifttesttest.Config{
		Answers: []lifttesttest.Answer{answer},
		Latency: lifttesttest.Latency{Fixed: fixed, PerToken: perToken},
	})

	start := time.Now()
	m := generate(t, srv, prompt)
	require.GreaterOrEqual(t, time.Since(start), want)
	var genMS float64
	require.NoError(t, json.Unmarshal(m["generation_time_ms"], &genMS))
	require.GreaterOrEqual(t, genMS, float64(want)/float64(time.Millisecond))

	start = time.Now()
	resp, data, err := do(t, http.MethodPost, srv.OpenAIURL()+"/chat/completions", chatBody(t, prompt, true))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.GreaterOrEqual(t, time.Since(start), want, "the stream's last token comes after the latency")
	_, _, done := events(t, bytes.NewReader(data))
	require.True(t, done)
}

func TestFaultSlow(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{answer}})
	const delay = 50 * time.Millisecond
	srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultSlow, Delay: delay})
	start := time.Now()
	m := generate(t, srv, prompt)
	require.GreaterOrEqual(t, time.Since(start), delay)
	require.Equal(t, "0.0", string(m["generation_time_ms"]), "the delay is the platform's, not the model's")
}

func TestListensOnLoopback(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.Start(t, lifttesttest.Config{})
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	require.Equal(t, "http", u.Scheme)
	require.Equal(t, "127.0.0.1", u.Hostname())
	require.NotEmpty(t, u.Port())
	require.Empty(t, strings.TrimPrefix(u.Path, "/"))
}

// Not parallel: while it runs, no other test of the package can take the
// port it checks is closed.
func TestStartClosesAtCleanup(t *testing.T) {
	var addr string
	t.Run("inner", func(t *testing.T) {
		srv := lifttesttest.Start(t, lifttesttest.Config{})
		addr = strings.TrimPrefix(srv.URL, "http://")
		resp, _, err := do(t, http.MethodGet, srv.URL+"/health", "")
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	})
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		conn.Close()
	}
	require.Error(t, err, "the listener must be closed once the test ends")
}

func TestCloseAbortsSlowAnswers(t *testing.T) {
	t.Parallel()
	srv := lifttesttest.NewServer(lifttesttest.Config{
		Answers: []lifttesttest.Answer{answer},
		Latency: lifttesttest.Latency{Fixed: time.Hour},
	})
	errc := make(chan error, 1)
	go func() {
		resp, err := client.Post(srv.GenerateURL(), "application/json", strings.NewReader(`{"prompt": "`+prompt+`"}`))
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return srv.Requests() > 0 }, 10*time.Second, time.Millisecond)
	srv.Close()
	srv.Close() // twice is fine
	require.Error(t, <-errc, "an answer in progress is dropped, not waited out")
}

func TestConfigMisuse(t *testing.T) {
	t.Parallel()
	tests := map[string]lifttesttest.Config{
		"unknown suite":         {Suite: "nope"},
		"empty IR":              {Answers: []lifttesttest.Answer{{Prompt: "p"}}},
		"IR not JSON":           {Answers: []lifttesttest.Answer{{Prompt: "p", IR: "{"}}},
		"code not JSON":         {Answers: []lifttesttest.Answer{{Prompt: "p", IR: irJSON, Code: []string{"x"}}}},
		"code without a name":   {Answers: []lifttesttest.Answer{{Prompt: "p", IR: `{}`, Code: []string{code1}}}},
		"duplicate prompt":      {Answers: []lifttesttest.Answer{answer, answer}},
		"prompt of the suite":   {Suite: "simple", Answers: []lifttesttest.Answer{answer}},
		"negative latency":      {Latency: lifttesttest.Latency{Fixed: -time.Second}},
		"negative tokens":       {Answers: []lifttesttest.Answer{{Prompt: "p", IR: irJSON, Tokens: -1}}},
		"empty prompt":          {Answers: []lifttesttest.Answer{{IR: irJSON}}},
		"negative per-token":    {Latency: lifttesttest.Latency{PerToken: -1}},
		"IR not JSON per-token": {Answers: []lifttesttest.Answer{{Prompt: "p", IR: "{"}}, Latency: lifttesttest.Latency{PerToken: 1}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			require.Panics(t, func() { lifttesttest.NewServer(cfg) })

			tb := &fatalTB{TB: t}
			done := make(chan struct{})
			go func() { // Fatal ends the goroutine, as in a real test
				defer close(done)
				lifttesttest.Start(tb, cfg)
			}()
			<-done
			require.True(t, tb.failed, "Start must fail the test")
		})
	}
}

// fatalTB records a Fatal instead of failing the real test.
type fatalTB struct {
	testing.TB
	failed bool
}

func (tb *fatalTB) Fatal(args ...any) {
	tb.failed = true
	tb.TB.Log(append([]any{"(expected) "}, args...)...)
	runtime.Goexit()
}
