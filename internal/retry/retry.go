package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Defaults of a Transport's zero fields.
const (
	DefaultMaxAttempts   = 4
	DefaultBaseDelay     = 500 * time.Millisecond
	DefaultMaxDelay      = 30 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
)

// maxDrain is how much of a failed answer is read before closing it, so
// that its connection can be reused; more is not worth the wait.
const maxDrain = 64 << 10

// Transport retries the failures of Base that a later attempt may not meet.
// It is safe for concurrent use; do not copy it after first use.
type Transport struct {
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxAttempts bounds the attempts, the first included; 0 means
	// DefaultMaxAttempts, 1 disables retries.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff: before retry k (1, 2, ...)
	// the Transport sleeps a uniformly random time in
	// [0, min(MaxDelay, BaseDelay·2^(k-1))) ("full jitter"). 0 means
	// DefaultBaseDelay and DefaultMaxDelay.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter caps the wait a Retry-After header asks for (seconds or
	// an HTTP date), so that a server cannot stall a run; 0 means
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// RetryPOST allows retrying POST (and PATCH) requests: see the package
	// documentation for why lifttest's are safe. New sets it.
	RetryPOST bool
	// Rand draws the jitter; nil uses math/rand/v2's global source. Tests
	// pass a seeded one to get fixed waits.
	Rand *rand.Rand
	// OnRetry, when set, is called before each retry's wait.
	OnRetry func(Event)

	mu sync.Mutex // guards Rand, which is not safe for concurrent use
}

// New returns the Transport lifttest uses for live and record runs: the
// defaults over base, with POST retries allowed.
func New(base http.RoundTripper) *Transport {
	return &Transport{Base: base, RetryPOST: true}
}

// Event describes one retry about to happen.
type Event struct {
	Method, URL string
	Attempt     int           // the attempt that failed, from 1
	Status      int           // its HTTP status; 0 for a transport error
	Err         error         // its transport error
	Wait        time.Duration // the wait before the next attempt
	RetryAfter  bool          // Wait comes from the server's Retry-After
}

// Counter accumulates the attempts of the calls made with one context; the
// Transport updates it during the call, so read it after the calls return
// (it belongs to one caller at a time, like the context's other values).
type Counter struct {
	Attempts   int           // requests sent, first attempts included
	Retries    int           // requests sent again after a failure
	LastStatus int           // status of the last failed attempt (408, 429, 5xx); 0 if none or a transport error
	LastErr    error         // transport error of the last failed attempt, if it was one
	Waited     time.Duration // time slept in backoff, Retry-After included
	GaveUp     bool          // a call ran out of attempts and returned its last failure
}

type counterKey struct{}

// WithCounter returns a context whose calls are counted in the returned
// Counter. Calls made with a context derived from it share the Counter, so
// one per stage gives the stage's retries.
func WithCounter(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

// CounterFrom returns the Counter of ctx, or nil.
func CounterFrom(ctx context.Context) *Counter {
	c, _ := ctx.Value(counterKey{}).(*Counter)
	return c
}

// RoundTrip implements http.RoundTripper. A failure that is not retried, or
// the last one, is returned as it came: a response with its status and body
// (so that the client reports the server's words), or the transport error
// wrapped with the number of attempts.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	ctx := req.Context()
	ctr := CounterFrom(ctx)
	if ctr == nil {
		ctr = &Counter{} // counted all the same, for OnRetry's Attempt
	}
	if !t.mayRetry(req) {
		ctr.Attempts++
		return base.RoundTrip(req)
	}
	// The body is read once and resent from memory. Reading it whole before
	// the first attempt also matters under go-vcr, which records the body
	// as the transport reads it: an attempt cut off mid-upload would
	// otherwise leave half a request in the cassette.
	body, err := readBody(req)
	if err != nil {
		return nil, fmt.Errorf("retry: read request body: %w", err)
	}
	maxAttempts := t.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	for attempt := 1; ; attempt++ {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		resp, err := base.RoundTrip(r)
		ctr.Attempts++
		if !retryable(resp, err) || ctx.Err() != nil {
			return resp, err
		}
		ev := Event{Method: req.Method, URL: req.URL.Redacted(), Attempt: attempt, Err: err}
		ctr.LastStatus, ctr.LastErr = 0, err
		if resp != nil {
			ev.Status, ctr.LastStatus = resp.StatusCode, resp.StatusCode
		}
		if attempt >= maxAttempts {
			ctr.GaveUp = true
			if err != nil {
				return nil, fmt.Errorf("retry: %s %s: gave up after %d attempts: %w", req.Method, ev.URL, attempt, err)
			}
			return resp, nil
		}
		ev.Wait, ev.RetryAfter = t.wait(resp, attempt)
		if resp != nil {
			_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
			resp.Body.Close()
		}
		if t.OnRetry != nil {
			t.OnRetry(ev)
		}
		slept, err := sleep(ctx, ev.Wait)
		ctr.Waited += slept
		if err != nil {
			return nil, fmt.Errorf("retry: %s %s: cancelled while waiting %v before attempt %d (attempt %d: %s): %w",
				req.Method, ev.URL, ev.Wait, attempt+1, attempt, ev.failure(), err)
		}
		ctr.Retries++
	}
}

func (e Event) failure() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return "HTTP " + strconv.Itoa(e.Status)
}

// mayRetry reports whether sending req twice is harmless.
func (t *Transport) mayRetry(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	case http.MethodPost, http.MethodPatch:
		return t.RetryPOST || req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
	}
	return false
}

// retryable reports whether a later attempt may succeed. A RoundTrip error
// means that no byte of the response arrived (net/http returns the
// response once its headers are in), so a reset or an early EOF there
// lost nothing but time. Failures while reading the body come later, in the
// caller, and are not retried: the body may be a stream already in use.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	}
	switch s := resp.StatusCode; {
	case s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return true
	case s >= 500 && s <= 599:
		return true
	}
	return false
}

// wait is the time to sleep before the attempt after attempt: the server's
// Retry-After when it gives one (capped), else the jittered backoff.
func (t *Transport) wait(resp *http.Response, attempt int) (time.Duration, bool) {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			limit := t.MaxRetryAfter
			if limit <= 0 {
				limit = DefaultMaxRetryAfter
			}
			return min(d, limit), true
		}
	}
	return t.backoff(attempt), false
}

// backoff draws the full-jitter wait before retry k = attempt.
func (t *Transport) backoff(attempt int) time.Duration {
	base, limit := t.BaseDelay, t.MaxDelay
	if base <= 0 {
		base = DefaultBaseDelay
	}
	if limit <= 0 {
		limit = DefaultMaxDelay
	}
	ceil := base
	for i := 1; i < attempt && ceil < limit; i++ {
		ceil *= 2 // stops at the cap, so it cannot overflow
	}
	ceil = min(ceil, limit)
	if ceil <= 0 {
		return 0
	}
	if t.Rand == nil {
		return time.Duration(rand.Int64N(int64(ceil)))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return time.Duration(t.Rand.Int64N(int64(ceil)))
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) { // a day is beyond any cap
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// sleep waits d or until ctx is done, and returns the time it waited.
func sleep(ctx context.Context, d time.Duration) (time.Duration, error) {
	start := time.Now()
	if d <= 0 {
		return 0, ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return time.Since(start), nil
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}
