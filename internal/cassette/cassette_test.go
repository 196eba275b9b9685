package cassette

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo is a loopback endpoint that answers after delay and counts calls.
func echo(t *testing.T, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		time.Sleep(delay)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Set-Cookie", "session=abc123")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ir_json":{"echo":`+string(b)+`},"finish_reason":"stop"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func post(t *testing.T, c *http.Client, ctx context.Context, url, body string, hdr map[string]string) (string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// record makes a one-interaction cassette at path from the given body.
func record(t *testing.T, path, url, body string, hdr map[string]string) {
	t.Helper()
	s, err := Open(Options{Path: path, Mode: Record})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), url, body, hdr)
	require.NoError(t, err)
	require.NoError(t, s.Finish(true))
}

func TestRecordThenReplay(t *testing.T) {
	srv, calls := echo(t, 30*time.Millisecond)
	path := filepath.Join(t.TempDir(), "simple", "add_numbers.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"add","temperature":0.3}`, nil)
	require.FileExists(t, path)
	require.EqualValues(t, 1, calls.Load())

	s, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	ctx, tm := WithTiming(context.Background())
	// Key order, white space and host differ: still the same request.
	got, err := post(t, s.Client(), ctx, "http://other-host.invalid:1/generate", "{ \"temperature\": 0.30,\n \"prompt\": \"add\" }", nil)
	require.NoError(t, err)
	assert.Contains(t, got, `"echo"`)
	assert.EqualValues(t, 1, calls.Load(), "replay must not reach the endpoint")
	assert.True(t, tm.Replayed)
	assert.GreaterOrEqual(t, tm.Recorded, 30*time.Millisecond, "the recorded latency is reported")
	assert.Less(t, tm.Recorded, 5*time.Second)
	require.NoError(t, s.Finish(true))
}

func TestReplayMismatchShowsDiff(t *testing.T) {
	srv, _ := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"Create a function that adds two numbers","max_tokens":2048}`, nil)

	s, err := Open(Options{Path: path, Mode: Replay, Rerecord: "make record ENDPOINT=<url>"})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"Create a function that multiplies two numbers","max_tokens":2048}`, nil)
	require.Error(t, err)
	var me *MismatchError
	require.ErrorAs(t, err, &me)
	assert.True(t, errors.Is(err, ErrMismatch))
	assert.Equal(t, 0, me.Closest)
	assert.Regexp(t, `(?m)^-.*"add"`, me.Diff, "the recorded side")
	assert.Regexp(t, `(?m)^\+.*"multiplie"`, me.Diff, "the request's side")
	assert.Contains(t, me.Diff, `"prompt"`)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "make record ENDPOINT=<url>")
}

func TestReplayEachRecordingOnce(t *testing.T) {
	srv, _ := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"p"}`, nil)
	s, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"p"}`, nil)
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"p"}`, nil)
	assert.ErrorIs(t, err, ErrMismatch, "a second identical call needs a second recording")
}

func TestReplayMissingCassette(t *testing.T) {
	path := filepath.Join(t.TempDir(), "simple", "nope.yaml")
	_, err := Open(Options{Path: path, Mode: Replay, Rerecord: "make record ENDPOINT=https://x--generate.modal.run"})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMissing)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "make record ENDPOINT=")
}

func TestRecordRedactsSecrets(t *testing.T) {
	srv, _ := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	record(t, path, srv.URL+"/generate?token=tok-SECRET1&mode=fast", `{"prompt":"p"}`, map[string]string{
		"Authorization": "Bearer sk-SECRET2",
		"Modal-Key":     "wk-SECRET3",
		"Modal-Secret":  "ws-SECRET4",
		"Cookie":        "sid=SECRET5",
	})
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(b)
	for _, secret := range []string{"SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5", "abc123"} {
		assert.NotContains(t, text, secret)
	}
	assert.NotContains(t, strings.ToLower(text), "modal-key")
	assert.Contains(t, text, "mode=fast", "harmless parameters stay")

	// The redacted recording still replays: the query is not part of the match.
	s, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate?token=other", `{"prompt":"p"}`, nil)
	require.NoError(t, err)
}

func TestFailedRecordingWritesNothing(t *testing.T) {
	srv, _ := echo(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"old"}`, nil)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	s, err := Open(Options{Path: path, Mode: Record})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"new"}`, nil)
	require.NoError(t, err)
	require.NoError(t, s.Finish(false))

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a failed run keeps the good cassette")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestLiveUsesTheNetworkAndWritesNothing(t *testing.T) {
	srv, calls := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	s, err := Open(Options{Path: path, Mode: Live})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"p"}`, nil)
	require.NoError(t, err)
	require.NoError(t, s.Finish(true))
	assert.EqualValues(t, 1, calls.Load())
	assert.NoFileExists(t, path)
}

func TestCanonical(t *testing.T) {
	assert.Equal(t, canonical([]byte(`{"b":1,"a":[1, 2]}`)), canonical([]byte("{\"a\":[1,2],\n\"b\":1.0}")))
	assert.NotEqual(t, canonical([]byte(`{"a":[1,2]}`)), canonical([]byte(`{"a":[2,1]}`)))
	assert.Equal(t, "not json", canonical([]byte("not json")))
}

func TestModeString(t *testing.T) {
	assert.Equal(t, "replay", Replay.String())
	assert.Equal(t, "record", Record.String())
	assert.Equal(t, "live", Live.String())
}

func TestRecordReportsTheSavedDuration(t *testing.T) {
	srv, _ := echo(t, 20*time.Millisecond)
	path := filepath.Join(t.TempDir(), "c.yaml")
	s, err := Open(Options{Path: path, Mode: Record})
	require.NoError(t, err)
	ctx, tm := WithTiming(context.Background())
	_, err = post(t, s.Client(), ctx, srv.URL+"/generate", `{"prompt":"p"}`, nil)
	require.NoError(t, err)
	require.NoError(t, s.Finish(true))
	require.True(t, tm.Replayed)

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), durationHeader, "the in-process header is not saved")

	r, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	ctx2, tm2 := WithTiming(context.Background())
	_, err = post(t, r.Client(), ctx2, srv.URL+"/generate", `{"prompt":"p"}`, nil)
	require.NoError(t, err)
	assert.Equal(t, tm.Recorded, tm2.Recorded, "record and replay report the same latency")
}
