package refserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
)

const (
	okPrompt     = "Create a function that adds two numbers"
	textPrompt   = "Answer under the text key"
	badJSON      = "Answer with broken JSON"
	badJSONNoRaw = "Answer with broken JSON, raw output from the body"
	failPrompt   = "Answer with a generation failure"
	longPrompt   = "Answer with a truncated output"
)

func contractScripts() []refserver.Script {
	body := json.RawMessage(`{"intent": {"summary": "adds two numbers"}, "signature": {"name": "add", "parameters": []}}`)
	return []refserver.Script{
		{Prompt: okPrompt, Stage1: refserver.Answer{Body: body, Tokens: 42}},
		{Prompt: textPrompt, Stage1: refserver.Answer{Body: body, Key: refserver.KeyText}},
		{Prompt: badJSON, Stage1: refserver.Answer{FinishReason: refserver.FinishJSONError,
			Error: "Expecting value: line 1 column 12 (char 11)", RawOutput: `{"intent": `}},
		{Prompt: badJSONNoRaw, Stage1: refserver.Answer{FinishReason: refserver.FinishJSONError, Body: json.RawMessage(`{"a":"bcdef"}`)}},
		{Prompt: failPrompt, Stage1: refserver.Answer{FinishReason: refserver.FinishError, Error: "CUDA out of memory"}},
		{Prompt: longPrompt, Stage1: refserver.Answer{FinishReason: refserver.FinishLength, RawOutput: `{"intent": {"summ`}},
	}
}

func TestGenerateContract(t *testing.T) {
	t.Parallel()
	_, url := refserver.Start(t, refserver.Config{Scripts: contractScripts()})
	ir := map[string]any{
		"intent":    map[string]any{"summary": "adds two numbers"},
		"signature": map[string]any{"name": "add", "parameters": []any{}},
	}
	tests := []struct {
		name, method, body string
		wantStatus         int
		want               map[string]any
		wantPrefix         string // of the raw body, where field order matters
	}{{
		name: "success/ir_json", method: "POST", body: `{"prompt": "` + okPrompt + `", "schema": {"type": "object"}}`,
		wantStatus: 200,
		want:       map[string]any{"ir_json": ir, "tokens_used": json.Number("42"), "finish_reason": "stop"},
		wantPrefix: `{"ir_json":{"intent":{"summary":"adds two numbers"},`,
	}, {
		name: "success/text key, tokens estimated", method: "POST", body: `{"prompt": "` + textPrompt + `"}`,
		wantStatus: 200,
		want:       map[string]any{"text": ir, "tokens_used": json.Number("21"), "finish_reason": "stop"}, // 84 bytes / 4
	}, {
		name: "unknown fields are ignored", method: "POST",
		body:       `{"prompt": "` + okPrompt + `", "stream": false, "stop": ["\n"], "max_tokens": 10}`,
		wantStatus: 200,
		want:       map[string]any{"ir_json": ir, "tokens_used": json.Number("42"), "finish_reason": "stop"},
	}, {
		name: "json_error/scripted raw output", method: "POST", body: `{"prompt": "` + badJSON + `"}`,
		wantStatus: 200,
		want: map[string]any{
			"error":      "Invalid JSON generated: Expecting value: line 1 column 12 (char 11)",
			"raw_output": `{"intent": `, "ir_json": nil, "tokens_used": json.Number("0"), "finish_reason": "json_error",
		},
		wantPrefix: `{"error":"Invalid JSON generated: `,
	}, {
		name: "json_error/raw output is half the body", method: "POST", body: `{"prompt": "` + badJSONNoRaw + `"}`,
		wantStatus: 200,
		want: map[string]any{
			"error":      "Invalid JSON generated: Expecting ',' delimiter: line 1 column 7 (char 6)",
			"raw_output": `{"a":"`, "ir_json": nil, "tokens_used": json.Number("0"), "finish_reason": "json_error",
		},
	}, {
		name: "error", method: "POST", body: `{"prompt": "` + failPrompt + `"}`,
		wantStatus: 200,
		want: map[string]any{
			"error": "Generation failed: CUDA out of memory", "ir_json": nil,
			"tokens_used": json.Number("0"), "finish_reason": "error",
		},
	}, {
		name: "length/tokens are max_tokens", method: "POST", body: `{"prompt": "` + longPrompt + `", "max_tokens": 300}`,
		wantStatus: 200,
		want: map[string]any{
			"error": "Invalid JSON generated: output truncated at max_tokens (300)", "raw_output": `{"intent": {"summ`,
			"ir_json": nil, "tokens_used": json.Number("300"), "finish_reason": "length",
		},
	}, {
		name: "no scripted answer", method: "POST", body: `{"prompt": "` + strings.Repeat("Write a haiku. ", 10) + `"}`,
		wantStatus: 200,
		want: map[string]any{
			"error":   `Generation failed: the reference endpoint has no scripted answer for prompt "` + strings.Repeat("Write a haiku. ", 10)[:80] + `"`,
			"ir_json": nil, "tokens_used": json.Number("0"), "finish_reason": "error",
		},
	}, {
		name: "missing prompt", method: "POST", body: `{"schema": {}}`,
		wantStatus: 200,
		want:       map[string]any{"error": "Missing required field: prompt", "status": json.Number("400")},
	}, {
		name: "empty prompt counts as missing", method: "POST", body: `{"prompt": ""}`,
		wantStatus: 200,
		want:       map[string]any{"error": "Missing required field: prompt", "status": json.Number("400")},
	}, {
		name: "GET generate", method: "GET",
		wantStatus: 405,
		want:       map[string]any{"detail": "Method Not Allowed"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, data, err := call(t, t.Context(), tt.method, url, tt.body, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			got := decode(t, data)
			if _, ok := got["generation_time_ms"]; ok {
				assert.Zero(t, genMS(t, got), "generation_time_ms at TimeScale 0")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer mismatch (-want +got):\n%s", diff)
			}
			assert.True(t, strings.HasPrefix(string(data), tt.wantPrefix), "body %s, want prefix %s", data, tt.wantPrefix)
		})
	}
}

func TestInvalidBodies(t *testing.T) {
	t.Parallel()
	_, url := refserver.Start(t, refserver.Config{})
	tests := []struct{ name, body string }{
		{"not JSON", "prompt=hello"},
		{"empty", ""},
		{"not an object", `["prompt"]`},
		{"prompt not a string", `{"prompt": 42}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, data, err := call(t, t.Context(), http.MethodPost, url, tt.body, nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the app answers 200 with the status in the body")
			got := decode(t, data)
			assert.Equal(t, json.Number("400"), got["status"])
			assert.Regexp(t, `^Invalid JSON body: .+`, got["error"])
		})
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	_, url := refserver.Start(t, refserver.Config{})
	tests := []struct {
		name, method, url string
		wantStatus        int
		wantAllow         string
	}{
		{"POST health", http.MethodPost, healthURL(url), 405, "GET"},
		{"DELETE warmup", http.MethodDelete, warmupURL(url), 405, "GET"},
		{"PUT generate", http.MethodPut, url, 405, "POST"},
		{"unknown path", http.MethodPost, strings.TrimSuffix(url, "/generate") + "/v1/embeddings", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, _, err := call(t, t.Context(), tt.method, tt.url, `{}`, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantAllow, resp.Header.Get("Allow"))
		})
	}
}

func TestStage2Matching(t *testing.T) {
	t.Parallel()
	attempts := []refserver.Answer{{Body: codeBody("return 1")}, {Body: codeBody("return 2")}, {Body: codeBody("return 3")}}
	scripts := []refserver.Script{
		script("Create a function that picks a number", "pick", attempts...),
		// Same function name, other case: the summary in the prompt decides.
		script("Create a function that picks another number", "pick", refserver.Answer{Body: codeBody("return 99")}),
		script("Create a function that picks nothing", "pick_nothing"), // no stage 2 scripted
	}
	_, url := refserver.Start(t, refserver.Config{Scripts: scripts})
	const summary = "Create a function that picks a number"
	tests := []struct {
		name, prompt string
		wantCode     string // "" = no scripted answer
	}{
		{"first attempt", codePrompt(summary, "pick", "", "int"), "return 1"},
		{"second attempt", codePrompt(summary, "pick", "", "int", "SyntaxError: invalid syntax"), "return 2"},
		{"third attempt", codePrompt(summary, "pick", "", "int", "e1", "e2"), "return 3"},
		{"past the last attempt clamps", codePrompt(summary, "pick", "", "int", "e1", "e2", "e3", "e4"), "return 3"},
		{"largest K wins whatever the order", "def pick(\nPrevious attempt (#2) failed: x\nPrevious attempt (#1) failed: y\n", "return 3"},
		{"marker without the colon is not a retry", "def pick(\nPrevious attempt (#2) failed\n", "return 1"},
		{"tie broken by summary", codePrompt("Create a function that picks another number", "pick", "", "int"), "return 99"},
		{"tie without summary takes the first", "def pick():\n    pass", "return 1"},
		{"name must be followed by a parenthesis", "def pick_a(x):", ""},
		{"script without stage 2", codePrompt("Create a function that picks nothing", "pick_nothing", "", "None"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := generate(t, url, tt.prompt)
			if tt.wantCode == "" {
				assert.Equal(t, "error", got["finish_reason"])
				assert.Contains(t, got["error"], "no scripted answer")
				return
			}
			require.Equal(t, "stop", got["finish_reason"], "answer: %v", got)
			impl := got["ir_json"].(map[string]any)["implementation"].(map[string]any)
			stmt := impl["body_statements"].([]any)[0].(map[string]any)
			assert.Equal(t, tt.wantCode, stmt["code"])
		})
	}
}

// TestBundledRun plays each bundled case as the client does, one suite per
// server (suites share prompts): stage 1 by the prompt, stage 2 by the
// function the IR names, on every scripted attempt.
func TestBundledRun(t *testing.T) {
	t.Parallel()
	all, err := refserver.Bundled()
	require.NoError(t, err)
	bySuite := map[string][]refserver.Script{}
	for _, sc := range all {
		bySuite[sc.Suite] = append(bySuite[sc.Suite], sc)
	}
	for suite, scripts := range bySuite {
		t.Run(suite, func(t *testing.T) {
			t.Parallel()
			_, url := refserver.Start(t, refserver.Config{Scripts: scripts})
			for _, sc := range scripts {
				t.Run(sc.Case, func(t *testing.T) {
					t.Parallel()
					s1 := generate(t, url, sc.Prompt)
					if want := sc.Stage1.FinishReason; want != "" && want != refserver.FinishStop {
						assert.Equal(t, want, s1["finish_reason"])
						return
					}
					require.Equal(t, "stop", s1["finish_reason"])
					assert.Equal(t, json.Number(jsonNumber(sc.Stage1.Tokens)), s1["tokens_used"])
					sig := s1["ir_json"].(map[string]any)["signature"].(map[string]any)
					intent := s1["ir_json"].(map[string]any)["intent"].(map[string]any)
					name := sig["name"].(string)

					var failed []string
					for i, a := range sc.Stage2 {
						s2 := generate(t, url, codePrompt(intent["summary"].(string), name, "x: int", "int", failed...))
						failed = append(failed, "SyntaxError: invalid syntax")
						if a.FinishReason != "" && a.FinishReason != refserver.FinishStop {
							assert.Equal(t, a.FinishReason, s2["finish_reason"], "attempt %d", i+1)
							continue
						}
						require.Equal(t, "stop", s2["finish_reason"], "attempt %d: stage 2 answer: %v", i+1, s2)
						assert.Equal(t, json.Number(jsonNumber(a.Tokens)), s2["tokens_used"], "attempt %d", i+1)
						want, err := json.Marshal(s2["ir_json"])
						require.NoError(t, err)
						assert.JSONEq(t, string(a.Body), string(want), "attempt %d", i+1)
					}
				})
			}
		})
	}
}

func jsonNumber(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestDelayScaling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		timeScale, delayMS float64
		wantMS             float64
	}{
		{"timescale 0 answers at once", 0, 1000, 0},
		{"timescale 0.01 of 1000 ms", 0.01, 1000, 10},
		{"timescale 1 of 15 ms", 1, 15, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := refserver.Script{Prompt: okPrompt, Stage1: refserver.Answer{DelayMS: tt.delayMS, Body: irBody(okPrompt, "add")}}
			_, url := refserver.Start(t, refserver.Config{Scripts: []refserver.Script{sc}, TimeScale: tt.timeScale})
			start := time.Now()
			got := generate(t, url, okPrompt)
			elapsed := time.Since(start)
			gen := genMS(t, got)
			// Timer slack only ever lengthens a sleep; 200 ms leaves room
			// for a loaded CI machine under -race.
			assert.GreaterOrEqual(t, elapsed, time.Duration(tt.wantMS*float64(time.Millisecond)))
			assert.GreaterOrEqual(t, gen, tt.wantMS)
			assert.Less(t, gen, tt.wantMS+200)
			assert.LessOrEqual(t, gen, float64(elapsed)/float64(time.Millisecond), "server time within client time")
		})
	}
}

// TestCancelStopsSlowAnswer checks that a client that gives up frees the
// handler at once instead of leaving it asleep for the scripted delay.
func TestCancelStopsSlowAnswer(t *testing.T) {
	t.Parallel()
	sc := refserver.Script{Prompt: okPrompt, Stage1: refserver.Answer{DelayMS: 60_000, Body: irBody(okPrompt, "add")}}
	s, err := refserver.New(refserver.Config{Scripts: []refserver.Script{sc}, TimeScale: 1})
	require.NoError(t, err)
	returned := make(chan struct{}, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	t.Cleanup(ts.Close)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, _, err = call(t, ctx, http.MethodPost, ts.URL+"/generate", `{"prompt": "`+okPrompt+`"}`, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("handler still asleep 5 s after the client gave up, want it to return at once")
	}
}

// TestCloseAbortsAnswers checks that Close cuts delays short by dropping
// the connection, so that Start's cleanup never waits out real time.
func TestCloseAbortsAnswers(t *testing.T) {
	t.Parallel()
	sc := refserver.Script{Prompt: okPrompt, Stage1: refserver.Answer{DelayMS: 60_000, Body: irBody(okPrompt, "add")}}
	s, url := refserver.Start(t, refserver.Config{Scripts: []refserver.Script{sc}, TimeScale: 1})
	errc := make(chan error, 1)
	go func() {
		_, _, err := call(t, context.Background(), http.MethodPost, url, `{"prompt": "`+okPrompt+`"}`, nil)
		errc <- err
	}()
	require.Eventually(t, func() bool { return s.Count() == 1 }, 5*time.Second, time.Millisecond)
	s.Close()
	select {
	case err := <-errc:
		assert.Error(t, err, "want the connection dropped")
	case <-time.After(5 * time.Second):
		t.Fatal("answer still pending 5 s after Close")
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        refserver.Config
		model, gpu string
	}{
		{"defaults", refserver.Config{}, "Qwen/Qwen2.5-Coder-32B-Instruct", "A100-80GB"},
		{"configured", refserver.Config{Model: "Qwen/Qwen2.5-Coder-7B-Instruct", GPU: "A10G"}, "Qwen/Qwen2.5-Coder-7B-Instruct", "A10G"},
		// Health is CPU-only: it never waits for the model.
		{"during a cold start", refserver.Config{ColdStart: time.Hour}, "Qwen/Qwen2.5-Coder-32B-Instruct", "A100-80GB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, url := refserver.Start(t, tt.cfg)
			resp, data, err := call(t, t.Context(), http.MethodGet, healthURL(url), "", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			want := map[string]any{"status": "healthy", "model": tt.model, "gpu": tt.gpu, "backend": "vllm"}
			if diff := cmp.Diff(want, decode(t, data)); diff != "" {
				t.Errorf("health (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWarmupColdStartOnce(t *testing.T) {
	t.Parallel()
	const coldStart = time.Second // long enough that a loaded machine's own delays stay well under it
	s, url := refserver.Start(t, refserver.Config{ColdStart: coldStart, Model: "m"})
	want := map[string]any{"status": "warm", "model_loaded": true, "model": "m", "ready_for_requests": true}

	// Callers that arrive during the cold start all wait for its end.
	var wg sync.WaitGroup
	start := time.Now() // before the cold start begins
	for i := range 3 {
		wg.Go(func() {
			resp, data, err := call(t, t.Context(), http.MethodGet, warmupURL(url), "", nil)
			if !assert.NoError(t, err) {
				return
			}
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.GreaterOrEqual(t, time.Since(start), coldStart, "caller %d answered before the cold start ended", i)
			if diff := cmp.Diff(want, decode(t, data)); diff != "" {
				t.Errorf("warmup (-want +got):\n%s", diff)
			}
		})
	}
	wg.Wait()

	start = time.Now()
	resp, _, err := call(t, t.Context(), http.MethodGet, warmupURL(url), "", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Less(t, time.Since(start), coldStart, "second warmup must not pay the cold start again")
	assert.Equal(t, 4, s.Count())
}

func TestGeneratePaysColdStart(t *testing.T) {
	t.Parallel()
	const coldStart = 50 * time.Millisecond
	sc := refserver.Script{Prompt: okPrompt, Stage1: refserver.Answer{Body: irBody(okPrompt, "add")}}
	_, url := refserver.Start(t, refserver.Config{Scripts: []refserver.Script{sc}, ColdStart: coldStart})
	start := time.Now()
	got := generate(t, url, okPrompt)
	assert.GreaterOrEqual(t, time.Since(start), coldStart)
	assert.Zero(t, genMS(t, got), "the cold start is not generation time")
}

func TestRequestsRecorded(t *testing.T) {
	t.Parallel()
	s, url := refserver.Start(t, refserver.Config{})
	body := `{"prompt": "p", "schema": {"type": "object"}}`
	_, _, err := call(t, t.Context(), http.MethodPost, url, body, http.Header{"Modal-Key": {"wk-1"}, "Modal-Secret": {"ws-1"}})
	require.NoError(t, err)
	_, _, err = call(t, t.Context(), http.MethodGet, healthURL(url), "", nil)
	require.NoError(t, err)

	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, 2, s.Count())
	assert.Equal(t, http.MethodPost, got[0].Method)
	assert.Equal(t, "/generate", got[0].Path)
	assert.Equal(t, "wk-1", got[0].Header.Get("Modal-Key"))
	assert.Equal(t, "ws-1", got[0].Header.Get("Modal-Secret"))
	assert.JSONEq(t, body, string(got[0].Body))
	assert.Equal(t, "/health", got[1].Path)

	got[0].Body[0] = 'X' // a copy: the log must not change
	assert.JSONEq(t, body, string(s.Requests()[0].Body))
}

// TestConcurrent runs many clients at once under -race: answers must match
// their prompts and every injected fault must be used exactly once.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	scripts, err := refserver.BundledSuite("simple") // its IR summaries repeat its prompts
	require.NoError(t, err)
	s, url := refserver.Start(t, refserver.Config{Scripts: scripts, TimeScale: 0.0001})
	const n, faults = 200, 20
	for range faults {
		s.Inject(refserver.Fault{Kind: refserver.FaultStatus, Status: http.StatusRequestTimeout, Body: refserver.ModalExpiredBody})
	}
	var (
		mu       sync.Mutex
		timeouts int
		wg       sync.WaitGroup
	)
	for i := range n {
		wg.Go(func() {
			sc := scripts[i%len(scripts)]
			body, _ := json.Marshal(map[string]string{"prompt": sc.Prompt})
			resp, data, err := call(t, t.Context(), http.MethodPost, url, string(body), nil)
			if !assert.NoError(t, err) {
				return
			}
			if resp.StatusCode == http.StatusRequestTimeout {
				mu.Lock()
				timeouts++
				mu.Unlock()
				return
			}
			var got struct {
				IR struct {
					Intent struct{ Summary string }
				} `json:"ir_json"`
			}
			assert.NoError(t, json.Unmarshal(data, &got))
			assert.Equal(t, sc.Prompt, got.IR.Intent.Summary)
		})
	}
	wg.Wait()
	assert.Equal(t, faults, timeouts)
	assert.Equal(t, n, s.Count())
	assert.Len(t, s.Requests(), n)
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	ok := script("Create a function that adds two numbers", "add")
	tests := []struct {
		name string
		cfg  refserver.Config
		want string
	}{
		{"negative timescale", refserver.Config{TimeScale: -1}, "TimeScale"},
		{"negative cold start", refserver.Config{ColdStart: -time.Second}, "ColdStart"},
		{"duplicate prompt", refserver.Config{Scripts: []refserver.Script{ok, ok}}, "same prompt"},
		{"empty prompt", refserver.Config{Scripts: []refserver.Script{{Stage1: ok.Stage1}}}, "prompt is empty"},
		{"stop without body", refserver.Config{Scripts: []refserver.Script{{Prompt: "p"}}}, "needs a body"},
		{"unknown key", refserver.Config{Scripts: []refserver.Script{{Prompt: "p", Stage1: refserver.Answer{Body: irBody("summary", "f"), Key: "output"}}}}, "key"},
		{"stage 2 after a failed stage 1", refserver.Config{Scripts: []refserver.Script{{Prompt: "p",
			Stage1: refserver.Answer{FinishReason: refserver.FinishError},
			Stage2: []refserver.Answer{{Body: codeBody("return 1")}}}}}, "successful stage1"},
		{"stage 2 after an IR without a name", refserver.Config{Scripts: []refserver.Script{{Prompt: "p",
			Stage1: refserver.Answer{Body: json.RawMessage(`{"intent": {}}`)},
			Stage2: []refserver.Answer{{Body: codeBody("return 1")}}}}}, "signature.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := refserver.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := refserver.New(refserver.Config{Scripts: []refserver.Script{{Prompt: "p"}}})
	assert.True(t, errors.Is(err, refserver.ErrInvalidScript), "got %v, want it to wrap ErrInvalidScript", err)
}
