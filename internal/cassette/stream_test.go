package cassette

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sse serves a stream of events, one every gap after a first delay.
func sse(t *testing.T, first, gap time.Duration, events ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.WriteHeader(200)
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		start := time.Now()
		for i, e := range events {
			time.Sleep(time.Until(start.Add(first + time.Duration(i)*gap)))
			_, _ = io.WriteString(w, e)
			_ = rc.Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStreamOffsetsRecordThenReplay(t *testing.T) {
	// Mixed line ends, a comment and a multi-line event: each counts once.
	events := []string{
		": keep-alive\n\n",
		"data: {\"a\":1}\n\n",
		"data: {\"b\":\r\ndata: 2}\r\n\r\n",
		"event: x\ndata: {\"c\":3}\r\r",
		"data: [DONE]\n\n",
	}
	srv := sse(t, 20*time.Millisecond, 10*time.Millisecond, events...)
	path := filepath.Join(t.TempDir(), "s.yaml")

	s, err := Open(Options{Path: path, Mode: Record, Real: StreamTimer(nil)})
	require.NoError(t, err)
	rec, recBody := postHeader(t, s.Client(), srv.URL+"/v1/chat/completions")
	require.NoError(t, s.Finish(true))
	got, ok, err := StreamOffsets(rec)
	require.NoError(t, err)
	require.True(t, ok, "the recording run sees the offsets too")
	require.Len(t, got, 4, "four events with data: the comment-only one does not count")
	// Event i (of those with data) was written at 20 ms + (i+1)·10 ms.
	for i, d := range got {
		want := 20*time.Millisecond + time.Duration(i+1)*10*time.Millisecond
		assert.InDelta(t, want, d, float64(8*time.Millisecond), "event %d", i)
	}

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), StreamOffsetsHeader, "saved with the interaction")

	r, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	rep, repBody := postHeader(t, r.Client(), "http://elsewhere.invalid/v1/chat/completions")
	again, ok, err := StreamOffsets(rep)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, got, again, "replay reports the recorded arrivals")
	assert.Equal(t, recBody, repBody)
}

func TestStreamTimerLeavesOtherAnswersAlone(t *testing.T) {
	srv, _ := echo(t, 0)
	resp, _ := postHeader(t, &http.Client{Transport: StreamTimer(nil)}, srv.URL+"/generate")
	assert.Empty(t, resp.Get(StreamOffsetsHeader))
}

func TestStreamOffsetsFormat(t *testing.T) {
	in := []time.Duration{20_000_400 * time.Nanosecond, 25_000_600 * time.Nanosecond, 30_001 * time.Microsecond}
	v := FormatStreamOffsets(in)
	assert.Equal(t, "20000,5001,5000", v)
	got, ok, err := StreamOffsets(http.Header{StreamOffsetsHeader: {v}})
	require.NoError(t, err)
	require.True(t, ok)
	for i := range in {
		assert.InDelta(t, in[i], got[i], float64(time.Microsecond), "no accumulated rounding")
	}
	_, ok, err = StreamOffsets(http.Header{})
	assert.False(t, ok)
	assert.NoError(t, err)
	_, _, err = StreamOffsets(http.Header{StreamOffsetsHeader: {"1,x"}})
	assert.ErrorIs(t, err, ErrStreamOffsets)
}

func postHeader(t *testing.T, c *http.Client, url string) (http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(`{"stream":true}`))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.Header, string(b)
}
