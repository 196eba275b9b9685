package cassette

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
