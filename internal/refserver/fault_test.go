package refserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	sc := refserver.Script{Prompt: okPrompt, Stage1: refserver.Answer{DelayMS: 1000, Body: irBody(okPrompt, "add"), Tokens: 7}}
	okBody := `{"prompt": "` + okPrompt + `", "max_tokens": 512}`
	tests := []struct {
		name   string
		fault  refserver.Fault
		path   string // default /generate
		method string // default POST, GET off /generate
		check  func(t *testing.T, resp *http.Response, data []byte, err error)
	}{{
		name:  "Status 408 from Modal",
		fault: refserver.Fault{Kind: refserver.FaultStatus, Status: 408, Body: refserver.ModalExpiredBody},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
			assert.Equal(t, refserver.ModalExpiredBody, string(data))
		},
	}, {
		name:  "Status 404 with the default body",
		fault: refserver.Fault{Kind: refserver.FaultStatus, Status: 404},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			assert.Equal(t, "Not Found", string(data))
		},
	}, {
		name:  "Status 429 with Retry-After in whole seconds",
		fault: refserver.Fault{Kind: refserver.FaultStatus, Status: 429, RetryAfter: 1500 * time.Millisecond},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			assert.Equal(t, "2", resp.Header.Get("Retry-After"))
		},
	}, {
		name:  "Status defaults to 500",
		fault: refserver.Fault{Kind: refserver.FaultStatus},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		},
	}, {
		name:  "Status on health",
		fault: refserver.Fault{Kind: refserver.FaultStatus, Path: "/health", Status: 503},
		path:  "/health",
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		},
	}, {
		name:  "JSONError keeps the key and halves the body",
		fault: refserver.Fault{Kind: refserver.FaultJSONError},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			got := decode(t, data)
			genMS(t, got)
			assert.Equal(t, "json_error", got["finish_reason"])
			assert.Nil(t, got["ir_json"])
			assert.Contains(t, got, "ir_json")
			assert.Equal(t, json.Number("0"), got["tokens_used"])
			assert.True(t, strings.HasPrefix(string(irBody(okPrompt, "add")), got["raw_output"].(string)))
			assert.Regexp(t, `^Invalid JSON generated: `, got["error"])
		},
	}, {
		name:  "JSONError with a raw output",
		fault: refserver.Fault{Kind: refserver.FaultJSONError, Body: strings.Repeat("é", 600)},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			got := decode(t, data)
			assert.Equal(t, strings.Repeat("é", 500), got["raw_output"], "first 500 characters, as the app sends")
		},
	}, {
		name:  "Length",
		fault: refserver.Fault{Kind: refserver.FaultLength},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			got := decode(t, data)
			assert.Equal(t, "length", got["finish_reason"])
			assert.Nil(t, got["ir_json"])
			assert.Equal(t, json.Number("512"), got["tokens_used"], "vLLM stopped at max_tokens")
			assert.NotEmpty(t, got["raw_output"])
		},
	}, {
		name:  "GenerationError",
		fault: refserver.Fault{Kind: refserver.FaultGenerationError, Body: "CUDA out of memory"},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			got := decode(t, data)
			assert.Equal(t, "error", got["finish_reason"])
			assert.Equal(t, "Generation failed: CUDA out of memory", got["error"])
			assert.Nil(t, got["ir_json"])
		},
	}, {
		name:  "Truncated drops the connection mid-body",
		fault: refserver.Fault{Kind: refserver.FaultTruncated},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Greater(t, resp.ContentLength, int64(len(data)))
			assert.False(t, json.Valid(data))
		},
	}, {
		name:  "Truncated on warmup",
		fault: refserver.Fault{Kind: refserver.FaultTruncated, Path: "/warmup"},
		path:  "/warmup",
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		},
	}, {
		name:  "NonJSON HTML page",
		fault: refserver.Fault{Kind: refserver.FaultNonJSON},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
			assert.Contains(t, string(data), "<html>")
			assert.False(t, json.Valid(data))
		},
	}, {
		name:  "NonJSON half a JSON body",
		fault: refserver.Fault{Kind: refserver.FaultNonJSON, Body: `{"ir_json": {"intent": {"summ`},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, `{"ir_json": {"intent": {"summ`, string(data))
		},
	}, {
		name:  "Slow adds queue time, not generation time",
		fault: refserver.Fault{Kind: refserver.FaultSlow, Delay: 30 * time.Millisecond},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			got := decode(t, data)
			assert.Equal(t, "stop", got["finish_reason"])
			assert.Zero(t, genMS(t, got))
		},
	}, {
		name:  "Huge",
		fault: refserver.Fault{Kind: refserver.FaultHuge, Size: 1 << 20},
		check: func(t *testing.T, resp *http.Response, data []byte, err error) {
			require.NoError(t, err)
			assert.Len(t, data, 1<<20)
			assert.Equal(t, int64(1<<20), resp.ContentLength)
			got := decode(t, data)
			assert.Equal(t, "stop", got["finish_reason"], "a valid answer, only too big")
			assert.NotNil(t, got["ir_json"])
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, url := refserver.Start(t, refserver.Config{Scripts: []refserver.Script{sc}})
			s.Inject(tt.fault)
			target, method, body := url, http.MethodPost, okBody
			if tt.path != "" {
				target, method, body = strings.TrimSuffix(url, "/generate")+tt.path, http.MethodGet, ""
			}
			start := time.Now()
			resp, data, err := call(t, t.Context(), method, target, body, nil)
			assert.GreaterOrEqual(t, time.Since(start), tt.fault.Delay)
			tt.check(t, resp, data, err)

			// One fault per request: the next one is served normally.
			if tt.path == "" {
				got := generate(t, url, okPrompt)
				assert.Equal(t, "stop", got["finish_reason"])
			}
		})
	}
}

func TestFaultsApplyInOrderPerPath(t *testing.T) {
	t.Parallel()
	s, url := refserver.Start(t, refserver.Config{})
	s.Inject(
		refserver.Fault{Kind: refserver.FaultStatus, Status: 404},
		refserver.Fault{Kind: refserver.FaultStatus, Status: 500, Path: "/health"},
		refserver.Fault{Kind: refserver.FaultStatus, Status: 408},
	)
	steps := []struct {
		name, path string
		want       int
	}{
		{"health takes the health fault", "/health", 500},
		{"first generate takes the first", "/generate", 404},
		{"second generate takes the next", "/generate", 408},
		{"queue empty", "/generate", 200},
		{"health fault used up", "/health", 200},
	}
	base := strings.TrimSuffix(url, "/generate")
	for _, st := range steps {
		method := http.MethodGet
		if st.path == "/generate" {
			method = http.MethodPost
		}
		resp, _, err := call(t, t.Context(), method, base+st.path, `{"prompt": "p"}`, nil)
		require.NoError(t, err, st.name)
		assert.Equal(t, st.want, resp.StatusCode, st.name)
	}
}

func TestInjectPanicsOnMisuse(t *testing.T) {
	t.Parallel()
	s, err := refserver.New(refserver.Config{})
	require.NoError(t, err)
	tests := []struct {
		name  string
		fault refserver.Fault
	}{
		{"zero kind", refserver.Fault{}},
		{"unknown kind", refserver.Fault{Kind: 99}},
		{"model fault on health", refserver.Fault{Kind: refserver.FaultJSONError, Path: "/health"}},
		{"unknown path", refserver.Fault{Kind: refserver.FaultStatus, Path: "/generate/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Panics(t, func() { s.Inject(tt.fault) })
		})
	}
}

func TestFaultKindString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "Truncated", refserver.FaultTruncated.String())
	assert.Equal(t, "FaultKind(42)", refserver.FaultKind(42).String())
}
