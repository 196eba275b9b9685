package cassette

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

const rerecord = "make record ENDPOINT=<generate-url> CASE=simple/add_numbers"

// A recording that cannot be right fails its replay with an error naming
// the cassette file and the command that fixes it, not the replay URL
// alone; a negative or day-long duration never reaches the statistics.
func TestReplayRejectsInvalidRecordings(t *testing.T) {
	srv, _ := echo(t, 0)
	good := filepath.Join(t.TempDir(), "good.yaml")
	record(t, good, srv.URL+"/generate", `{"prompt":"p"}`, nil)
	raw, err := os.ReadFile(good)
	require.NoError(t, err)
	duration := regexp.MustCompile(`(?m)^(\s+duration: ).*$`)
	body := regexp.MustCompile(`(?m)^(\s+body: )'\{"ir_json".*$`)
	require.Regexp(t, duration, string(raw))
	require.Regexp(t, body, string(raw))
	cases := map[string]struct {
		re       *regexp.Regexp
		to, want string
	}{
		"negative-duration": {duration, "${1}-5ms", "recorded duration -5ms"},
		"absurd-duration":   {duration, "${1}25h0m0s", "recorded duration 25h0m0s"},
		"not-json":          {body, `${1}"<html>\e[31mBad Gateway</html>"`, "is not JSON: <html>"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name+".yaml")
			edited := c.re.ReplaceAllString(string(raw), c.to)
			require.NotEqual(t, string(raw), edited)
			require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
			s, err := Open(Options{Path: path, Mode: Replay, Rerecord: rerecord})
			require.NoError(t, err)
			_, err = post(t, s.Client(), context.Background(), "http://elsewhere.invalid:1/generate", `{"prompt":"p"}`, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			var ie *InvalidError
			require.ErrorAs(t, err, &ie)
			msg := ie.Error()
			assert.Contains(t, msg, path, "names the file")
			assert.Contains(t, msg, rerecord, "and the fix")
			assert.Contains(t, msg, c.want)
			assert.NotContains(t, msg, "\x1b", "no raw control characters")
		})
	}
}

func TestCheckStreams(t *testing.T) {
	i := func(body, offsets string) *vcr.Interaction {
		h := map[string][]string{"Content-Type": {"text/event-stream"}}
		if offsets != "" {
			h[StreamOffsetsHeader] = []string{offsets}
		}
		return &vcr.Interaction{Response: vcr.Response{Body: body, Headers: h, Duration: time.Millisecond}}
	}
	assert.Empty(t, check(i("data: {}\n\ndata: [DONE]\n\n", "1,2")))
	assert.Contains(t, check(i("data: {}\n\ndata: [DONE]\n\n", "1")), "1 arrivals for 2 events")
	assert.Contains(t, check(i("data: nope\n\ndata: [DONE]\n\n", "")), "stream event 0 is not JSON")
	assert.Contains(t, check(i("data: {}\n\n", "100000000000")), "past 24h")
	assert.Contains(t, check(i("data: {}\n\n", "x")), "malformed")
	// What follows [DONE] is not part of the stream.
	assert.Empty(t, check(i("data: {}\n\ndata: [DONE]\n\ndata: junk\n\n", "1,2")))
}

// Every bundled cassette passes the checks: they catch damage, not
// recordings as they are made.
func TestBundledCassettesAreValid(t *testing.T) {
	paths, err := filepath.Glob("../../cassettes/*/*.yaml")
	require.NoError(t, err)
	more, _ := filepath.Glob("../../cassettes/*.yaml")
	paths = append(paths, more...)
	if len(paths) == 0 {
		t.Skip("no bundled cassettes")
	}
	for _, p := range paths {
		c, err := vcr.Load(strings.TrimSuffix(p, ".yaml"))
		require.NoError(t, err, p)
		for _, in := range c.Interactions {
			assert.Empty(t, check(in), "%s interaction %d", p, in.ID)
		}
	}
}

// A server that goes on after [DONE]: the recorder keeps the stream up to
// [DONE] and counts its events as a client does, so the recording replays
// with as many arrivals as events.
func TestStreamRecordStopsAtDone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"a\":1}\n\ndata: [DONE]\n\ndata: {\"late\":1}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "s.yaml")
	s, err := Open(Options{Path: path, Mode: Record, Real: StreamTimer(nil)})
	require.NoError(t, err)
	h, body := postHeader(t, s.Client(), srv.URL+"/v1/chat/completions")
	require.NoError(t, s.Finish(true))
	offsets, ok, err := StreamOffsets(h)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Len(t, offsets, 2, "two events up to [DONE]")
	assert.Equal(t, "data: {\"a\":1}\n\ndata: [DONE]\n\n", body, "nothing after [DONE] is kept")

	r, err := Open(Options{Path: path, Mode: Replay})
	require.NoError(t, err)
	h2, body2 := postHeader(t, r.Client(), "http://elsewhere.invalid/v1/chat/completions")
	again, _, _ := StreamOffsets(h2)
	assert.Equal(t, offsets, again)
	assert.Equal(t, body, body2)
}

func TestEvents(t *testing.T) {
	ev, done := Events("data: a\r\ndata: b\r\n\r\n: c\n\nevent: x\ndata:[DONE]\rjunk")
	assert.Equal(t, []string{"a\nb", "[DONE]"}, ev)
	assert.True(t, done)
	ev, done = Events("data: x\ndata: [DONE]\n\ndata: cut")
	assert.Equal(t, []string{"x\n[DONE]", "cut"}, ev, "[DONE] counts only as an event's whole data")
	assert.False(t, done)
}
