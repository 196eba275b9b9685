package cassette

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Sessions share a parsed cassette but not which recordings they used, and
// the shared answer's headers are the caller's own.
func TestReplaySessionsShareTheParseNotTheState(t *testing.T) {
	srv, _ := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"p"}`, nil)
	for range 3 {
		s, err := Open(Options{Path: path, Mode: Replay})
		require.NoError(t, err)
		resp, err := s.Client().Post(srv.URL+"/generate", "application/json", strings.NewReader(`{"prompt":"p"}`))
		require.NoError(t, err, "each session replays the recording once")
		resp.Header.Set("X-Mutated", "1")
		resp.Body.Close()
		require.NoError(t, s.Finish(true))
	}
	a, err := loadParsed(path)
	require.NoError(t, err)
	b, err := loadParsed(path)
	require.NoError(t, err)
	assert.Same(t, a, b, "parsed once")
	assert.Empty(t, a.c.Interactions[0].Response.Headers.Get("X-Mutated"), "a caller cannot change the shared answer")
}

// A cassette rewritten in place with the same size is parsed again.
func TestReplayCacheFollowsTheContent(t *testing.T) {
	srv, _ := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"a"}`, nil)
	s, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"a"}`, nil)
	require.NoError(t, err)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	changed := strings.ReplaceAll(string(data), `\"a\"`, `\"b\"`)
	changed = strings.ReplaceAll(changed, `"prompt":"a"`, `"prompt":"b"`)
	require.NotEqual(t, string(data), changed)
	require.Len(t, changed, len(data))
	require.NoError(t, os.WriteFile(path, []byte(changed), 0o644))

	s, err = Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"b"}`, nil)
	require.NoError(t, err, "the new content answers")
	s, err = Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	_, err = post(t, s.Client(), context.Background(), srv.URL+"/generate", `{"prompt":"a"}`, nil)
	assert.ErrorIs(t, err, ErrMismatch, "the old content is gone")
}

// An unchanged file whose time is well past is not read again; one
// rewritten since is (its time moves).
func TestReplayStatTrustedOnlyWhenNotRacy(t *testing.T) {
	srv, _ := echo(t, 0)
	path := filepath.Join(t.TempDir(), "c.yaml")
	record(t, path, srv.URL+"/generate", `{"prompt":"a"}`, nil)
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(path, old, old))
	a, err := loadParsed(path)
	require.NoError(t, err)
	b, err := loadParsed(path)
	require.NoError(t, err)
	assert.Same(t, a, b)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	changed := strings.ReplaceAll(string(data), `"prompt":"a"`, `"prompt":"b"`)
	require.NoError(t, os.WriteFile(path, []byte(changed), 0o644))
	c, err := loadParsed(path)
	require.NoError(t, err)
	assert.NotSame(t, a, c, "a rewrite moves the time: read again")
	assert.Contains(t, c.c.Interactions[0].Request.Body, `"b"`)
}

// The replay's matching (raw bytes first, then canonical forms computed
// once) agrees with match, the go-vcr matcher that Record uses.
func FuzzReplayFindAgreesWithMatch(f *testing.F) {
	f.Add(`{"prompt":"add","temperature":0.3}`, "{ \"temperature\": 0.30,\n \"prompt\": \"add\" }", "/generate", "/generate")
	f.Add(`{"a":[1,2]}`, `{"a":[2,1]}`, "/a", "/a")
	f.Add(`not json`, `not json`, "/a", "/b")
	f.Add(`{"a":1,"a":2}`, `{"a":2}`, "/generate", "/generate")
	f.Fuzz(func(t *testing.T, recorded, sent, recPath, reqPath string) {
		ru := (&url.URL{Scheme: "http", Host: "h", Path: recPath}).String()
		qu := (&url.URL{Scheme: "http", Host: "other", Path: reqPath}).String()
		r, err := http.NewRequestWithContext(context.WithValue(context.Background(), canonKey{}, canonical([]byte(sent))), http.MethodPost, qu, nil)
		if err != nil {
			t.Skip()
		}
		i := &vcr.Interaction{Request: vcr.Request{Method: http.MethodPost, URL: ru, Body: recorded}}
		p := &parsed{c: &vcr.Cassette{Interactions: []*vcr.Interaction{i}}, canon: []string{canonical([]byte(recorded))},
			path: make([]string, 1), pathOK: make([]bool, 1), checkOnce: make([]sync.Once, 1), problem: make([]string, 1)}
		if u, err := url.Parse(ru); err == nil {
			p.path[0], p.pathOK[0] = u.Path, true
		}
		tr := &replayTransport{p: p, used: make([]bool, 1)}
		want := match(r, i.Request)
		if got := tr.find(r, []byte(sent)) == 0; got != want {
			t.Fatalf("find %v, match %v: recorded %q at %q, sent %q at %q", got, want, recorded, recPath, sent, reqPath)
		}
		if want && tr.find(r, []byte(sent)) != -1 {
			t.Fatal("a recording answered twice")
		}
	})
}

// Preload fills the cache Open reads and skips what Open would refuse,
// leaving Open to report it.
func TestPreloadParsesOnceForOpen(t *testing.T) {
	srv, _ := echo(t, 0)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	record(t, good, srv.URL+"/generate", `{"prompt":"p"}`, nil)
	broken := filepath.Join(dir, "broken.yaml")
	require.NoError(t, os.WriteFile(broken, []byte("interactions: [\n"), 0o644))
	Preload([]string{good, broken, filepath.Join(dir, "missing.yaml")})

	parsedCache.Lock()
	var cached *parsed
	for k, p := range parsedCache.m {
		if k.path == good {
			cached = p
		}
		assert.NotEqual(t, broken, k.path, "a cassette that does not parse is not cached")
	}
	parsedCache.Unlock()
	require.NotNil(t, cached, "the good cassette is parsed")
	p, err := loadParsed(good)
	require.NoError(t, err)
	assert.Same(t, cached, p, "Open finds the preloaded parse")

	_, err = Open(Options{Path: broken, Mode: Replay})
	assert.ErrorContains(t, err, broken, "Open still names the broken cassette")
	_, err = Open(Options{Path: filepath.Join(dir, "missing.yaml"), Mode: Replay})
	assert.ErrorIs(t, err, ErrMissing)
}
