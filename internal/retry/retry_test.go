package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step is what the flaky server does for one request.
type step struct {
	status     int    // 0: reset the connection
	retryAfter string // Retry-After header
	body       string
}

// flaky serves steps in order (the last one repeats) on 127.0.0.1 and
// records the bodies it received.
func flaky(t *testing.T, steps ...step) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		n := len(bodies)
		bodies = append(bodies, string(b))
		mu.Unlock()
		s := steps[min(n, len(steps)-1)]
		if s.status == 0 {
			reset(t, w)
			return
		}
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.WriteHeader(s.status)
		_, _ = io.WriteString(w, s.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), bodies...)
	}
}

// reset closes the connection with an RST (SO_LINGER 0) before any byte of
// the response, as a proxy that drops a connection does.
func reset(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// fast is a Transport with test-sized delays and a seeded jitter.
func fast() *Transport {
	tr := New(nil)
	tr.BaseDelay, tr.MaxDelay, tr.MaxRetryAfter = 5*time.Millisecond, 20*time.Millisecond, 50*time.Millisecond
	tr.Rand = rand.New(rand.NewPCG(1, 2))
	return tr
}

func post(t *testing.T, tr http.RoundTripper, ctx context.Context, url string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/generate", strings.NewReader(`{"prompt":"p"}`))
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b), nil
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name        string
		steps       []step
		wantStatus  int
		wantRetries int
		wantLast    int // Counter.LastStatus
		wantReset   bool
	}{
		{name: "408 then 200", steps: []step{{status: 408, body: "Missing request, possibly due to expiry or cancellation"}, {status: 200, body: "ok"}}, wantStatus: 200, wantRetries: 1, wantLast: 408},
		{name: "500 three times then 200", steps: []step{{status: 500}, {status: 502}, {status: 503}, {status: 200, body: "ok"}}, wantStatus: 200, wantRetries: 3, wantLast: 503},
		{name: "connection reset then 200", steps: []step{{status: 0}, {status: 200, body: "ok"}}, wantStatus: 200, wantRetries: 1, wantReset: true},
		{name: "400 is not retried", steps: []step{{status: 400, body: "bad"}, {status: 200}}, wantStatus: 400},
		{name: "404 is not retried", steps: []step{{status: 404}, {status: 200}}, wantStatus: 404},
		{name: "gives up after 4 attempts with the last answer", steps: []step{{status: 500}, {status: 502}, {status: 503}, {status: 504, body: "last"}}, wantStatus: 504, wantRetries: 3, wantLast: 504},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, bodies := flaky(t, tt.steps...)
			ctx, ctr := WithCounter(t.Context())
			resp, _, err := post(t, fast(), ctx, url)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantRetries, ctr.Retries)
			assert.Equal(t, tt.wantRetries+1, ctr.Attempts)
			assert.Equal(t, tt.wantLast, ctr.LastStatus)
			if tt.wantReset {
				assert.Error(t, ctr.LastErr, "the reset is reported")
			}
			for _, b := range bodies() {
				assert.Equal(t, `{"prompt":"p"}`, b, "every attempt sends the whole body")
			}
			assert.Len(t, bodies(), tt.wantRetries+1)
		})
	}
}

func TestGiveUpNamesTheLastError(t *testing.T) {
	url, bodies := flaky(t, step{status: 0})
	tr := fast()
	tr.MaxAttempts = 3
	ctx, ctr := WithCounter(t.Context())
	_, _, err := post(t, tr, ctx, url)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gave up after 3 attempts")
	assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
	assert.True(t, ctr.GaveUp)
	assert.Equal(t, 2, ctr.Retries)
	assert.Len(t, bodies(), 3)
}

func TestRetryAfterSeconds(t *testing.T) {
	url, _ := flaky(t, step{status: 429, retryAfter: "1"}, step{status: 200})
	tr := fast()
	tr.MaxRetryAfter = 2 * time.Second // above the 1 s asked for
	var events []Event
	tr.OnRetry = func(e Event) { events = append(events, e) }
	ctx, ctr := WithCounter(t.Context())
	start := time.Now()
	resp, _, err := post(t, tr, ctx, url)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 1, ctr.Retries)
	assert.Equal(t, 429, ctr.LastStatus)
	assert.InDelta(t, time.Second, ctr.Waited, float64(100*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	require.Len(t, events, 1)
	assert.Equal(t, Event{Method: "POST", URL: url + "/generate", Attempt: 1, Status: 429, Wait: time.Second, RetryAfter: true}, events[0])
}

func TestRetryAfterIsCapped(t *testing.T) {
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	for _, ra := range []string{"1", "3600", date} {
		t.Run(ra, func(t *testing.T) {
			url, _ := flaky(t, step{status: 429, retryAfter: ra}, step{status: 200})
			ctx, ctr := WithCounter(t.Context())
			resp, _, err := post(t, fast(), ctx, url) // MaxRetryAfter 50 ms
			require.NoError(t, err)
			assert.Equal(t, 200, resp.StatusCode)
			assert.InDelta(t, 50*time.Millisecond, ctr.Waited, float64(40*time.Millisecond))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 10, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Wed, 22 Oct 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 22 Oct 2025 11:00:00 GMT", 0, true}, // in the past: go now
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	tr := &Transport{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, Rand: rand.New(rand.NewPCG(7, 7))}
	for attempt := 1; attempt <= 40; attempt++ {
		ceil := min(time.Second, 100*time.Millisecond<<min(attempt-1, 10))
		for range 50 {
			d := tr.backoff(attempt)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, ceil, "attempt %d", attempt)
		}
	}
	// Seeded: the same draws every run.
	a := &Transport{Rand: rand.New(rand.NewPCG(1, 2))}
	b := &Transport{Rand: rand.New(rand.NewPCG(1, 2))}
	assert.Equal(t, a.backoff(3), b.backoff(3))
}

func TestCancelDuringBackoff(t *testing.T) {
	url, bodies := flaky(t, step{status: 503, retryAfter: "30"}, step{status: 200})
	tr := fast()
	tr.MaxRetryAfter = time.Minute
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	ctx, ctr := WithCounter(ctx)
	start := time.Now()
	_, _, err := post(t, tr, ctx, url)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "HTTP 503")
	assert.Less(t, time.Since(start), 5*time.Second, "the 30 s wait ends with the context")
	assert.Equal(t, 0, ctr.Retries)
	assert.Equal(t, 503, ctr.LastStatus)
	assert.Len(t, bodies(), 1)
}

func TestPOSTNeedsConsent(t *testing.T) {
	url, bodies := flaky(t, step{status: 503}, step{status: 200})
	tr := fast()
	tr.RetryPOST = false
	resp, _, err := post(t, tr, t.Context(), url)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode, "a POST is not retried without RetryPOST or an Idempotency-Key")
	assert.Len(t, bodies(), 1)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/health", nil)
	require.NoError(t, err)
	resp2, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	resp2.Body.Close()
	assert.Equal(t, 200, resp2.StatusCode, "GET is retried")
}
