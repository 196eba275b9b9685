package cassette

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/redact"
)

// huge serves size bytes of JSON-looking text from one reused 64 KiB
// buffer, so the server itself allocates nothing in proportion.
func huge(t *testing.T, size int64, declare bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var sent atomic.Int64
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if declare {
			w.Header().Set("Content-Length", fmt.Sprint(size))
		}
		for left := size; left > 0; {
			n := min(left, int64(len(chunk)))
			m, err := w.Write(chunk[:n])
			sent.Add(int64(m))
			if err != nil {
				return
			}
			left -= n
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &sent
}

// The figure: recording a 512 MiB answer grows the heap by less than
// 32 MiB (before the cap, go-vcr's io.ReadAll held all of it, about
// 1.7 GiB with its growth), fails with an error that names the cap, and
// saves nothing even when the caller says the run went well. An answer
// that declares its length is refused before a byte is read; a chunked
// one is read up to the cap.
func TestRecordCapsAHugeAnswer(t *testing.T) {
	const size = 512 << 20
	for _, declare := range []bool{false, true} {
		t.Run(fmt.Sprintf("content-length=%v", declare), func(t *testing.T) {
			srv, sent := huge(t, size, declare)
			path := filepath.Join(t.TempDir(), "c.yaml")
			s, err := Open(Options{Path: path, Mode: Record})
			require.NoError(t, err)

			allocated, peak := heapGrowth(t, func() {
				_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"p"}`, nil)
			})
			require.Error(t, err)
			assert.ErrorIs(t, err, provider.ErrTooLarge)
			assert.Contains(t, err.Error(), fmt.Sprintf("exceeded %d bytes", provider.DefaultMaxBody))
			assert.Contains(t, err.Error(), path)
			t.Logf("512 MiB answer in record mode: heap peak +%.1f MiB, %.1f MiB allocated in all, %.1f MiB sent by the server",
				float64(peak)/(1<<20), float64(allocated)/(1<<20), float64(sent.Load())/(1<<20))
			assert.Less(t, peak, uint64(32<<20), "heap growth")
			assert.Less(t, allocated, uint64(64<<20), "bytes allocated while recording")

			err = s.Finish(true)
			assert.ErrorIs(t, err, provider.ErrTooLarge, "Finish reports why nothing was saved")
			assert.NoFileExists(t, path)
			entries, _ := os.ReadDir(filepath.Dir(path))
			assert.Empty(t, entries, "no temporary file either")
		})
	}
}

// heapGrowth runs f and returns the bytes allocated meanwhile (an upper
// bound on heap growth that no sampling can miss) and the largest growth
// of the live heap seen by a sampler.
func heapGrowth(t *testing.T, f func()) (allocated, peak uint64) {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > before.HeapAlloc {
				top = max(top, m.HeapAlloc-before.HeapAlloc)
			}
			select {
			case <-stop:
				done <- top
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	peak = <-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, peak
}

func TestRecordAnswerOfExactlyTheCapIsKept(t *testing.T) {
	srv, _ := huge(t, 1<<10, false)
	path := filepath.Join(t.TempDir(), "c.yaml")
	s, err := Open(Options{Path: path, Mode: Record, MaxBody: 1 << 10})
	require.NoError(t, err)
	got, err := post(t, s.Client(), context.Background(), srv.URL+"/generate", `{}`, nil)
	require.NoError(t, err)
	assert.Len(t, got, 1<<10)
	require.NoError(t, s.Finish(true))
	assert.FileExists(t, path)
}

// A gzip bomb is counted after decompression, whether the transport
// decompressed it (the client did not ask for gzip) or the client asked
// for gzip itself and the recorder would have kept it compressed.
func TestRecordCapsAGzipBomb(t *testing.T) {
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zeros := make([]byte, 1<<20)
	for range 16 { // 16 MiB of zeros, 16 KiB on the wire
		_, _ = zw.Write(zeros)
	}
	require.NoError(t, zw.Close())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(zipped.Bytes())
	}))
	t.Cleanup(srv.Close)
	for _, askGzip := range []bool{false, true} {
		t.Run(fmt.Sprintf("client-asks-gzip=%v", askGzip), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			s, err := Open(Options{Path: path, Mode: Record, MaxBody: 1 << 20})
			require.NoError(t, err)
			hdr := map[string]string{}
			if askGzip {
				hdr["Accept-Encoding"] = "gzip"
			}
			var perr error
			growth, _ := heapGrowth(t, func() {
				_, perr = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{}`, hdr)
			})
			require.Error(t, perr)
			assert.ErrorIs(t, perr, provider.ErrTooLarge)
			assert.Contains(t, perr.Error(), "exceeded 1048576 bytes")
			assert.Less(t, growth, uint64(16<<20), "the bomb did not inflate")
			assert.Error(t, s.Finish(true))
			assert.NoFileExists(t, path)
		})
	}
}

// A gzip answer under the cap is recorded decompressed and replays.
func TestRecordSmallGzipAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, `{"ok":true}`)
		_ = zw.Close()
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "c.yaml")
	s, err := Open(Options{Path: path, Mode: Record})
	require.NoError(t, err)
	got, err := post(t, s.Client(), context.Background(), srv.URL+"/generate", `{}`, map[string]string{"Accept-Encoding": "gzip"})
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`, got)
	require.NoError(t, s.Finish(true))
	r, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	got, err = post(t, r.Client(), context.Background(), srv.URL+"/generate", `{}`, nil)
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`, got)
}

// An endpoint that echoes the key in its answer body and headers, reached
// through a URL that carries credentials: none of it reaches the cassette,
// whatever the encoding it is echoed in.
func TestRecordScrubsEchoedSecrets(t *testing.T) {
	const key, secret = "wk-EchoKey-123456", "ws-EchoSecret/+&7890"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Modal-Key"))
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error": "key " + r.Header.Get("Modal-Key") + " secret " + r.Header.Get("Modal-Secret"),
			"url":   r.URL.String(), "escaped": url.QueryEscape(secret), "body": string(b)})
	}))
	t.Cleanup(srv.Close)
	endpoint := strings.Replace(srv.URL, "http://", "http://user:pw-userinfo-99@", 1) +
		"/generate?token=tok-AAAA1&api_key=ak-BBBB2&access_token=at-CCCC3&sig=sig-DDDD4&key=k-EEEE5&mode=fast"
	path := filepath.Join(t.TempDir(), "c.yaml")
	s, err := Open(Options{Path: path, Mode: Record, Scrub: redact.New(endpoint, key, secret)})
	require.NoError(t, err)
	got, err := post(t, s.Client(), context.Background(), endpoint, `{"prompt":"p"}`, map[string]string{"Modal-Key": key, "Modal-Secret": secret})
	require.NoError(t, err)
	// The recorder hands the caller the interaction it keeps, so the
	// recording run sees the scrubbed answer too.
	assert.Contains(t, got, "key "+redact.Mask)
	require.NoError(t, s.Finish(true))

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(b)
	for _, sec := range []string{key, secret, "EchoSecret", "pw-userinfo-99", "tok-AAAA1", "ak-BBBB2", "at-CCCC3", "sig-DDDD4", "k-EEEE5"} {
		assert.NotContains(t, text, sec)
	}
	assert.Contains(t, text, "mode=fast")
	assert.Contains(t, text, redact.Mask)

	r, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	_, err = post(t, r.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"p"}`, nil)
	require.NoError(t, err, "the scrubbed cassette replays")
}

// Without a Scrub from the caller, a key the request carried in its
// credential headers or URL and the endpoint echoed in its answer is
// still kept out of the cassette.
func TestRecordScrubsWhatTheRequestCarried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Echo", r.Header.Get("Authorization"))
		user, pw, _ := r.BasicAuth()
		_ = json.NewEncoder(w).Encode(map[string]string{
			"detail": "invalid key " + r.Header.Get("Modal-Key") + "/" + r.Header.Get("Modal-Secret") + " for " + r.URL.RawQuery,
			"auth":   r.Header.Get("X-Api-Key") + " " + user + ":" + pw})
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "c.yaml")
	s, err := Open(Options{Path: path, Mode: Record})
	require.NoError(t, err)
	endpoint := strings.Replace(srv.URL, "http://", "http://bob:pw-basic-4242@", 1) + "/generate?access_token=at-echo-5555"
	_, err = post(t, s.Client(), context.Background(), endpoint, `{"prompt":"p"}`, map[string]string{
		"Modal-Key": "wk-echo-1111", "Modal-Secret": "ws-echo-2222", "X-Api-Key": "sk-echo-3333"})
	require.NoError(t, err)
	require.NoError(t, s.Finish(true))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, sec := range []string{"wk-echo-1111", "ws-echo-2222", "sk-echo-3333", "pw-basic-4242", "at-echo-5555"} {
		assert.NotContains(t, string(b), sec)
	}
}

func TestReplayRefusesAnOversizedCassette(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("#"), 8<<10+1), 0o644))
	_, err := Open(Options{Path: path, Mode: Replay, MaxBody: 1 << 10, Rerecord: "make record"})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "make record")
}
