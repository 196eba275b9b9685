package openai

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/cassette"
)

// A server that goes on after [DONE]: the client stops reading there, and
// the recorder, which reads to the end of the body, must stop there too,
// or the recording has more arrivals than the replay reads events and
// fails as if edited by hand.
func TestStreamDataAfterDoneIgnoredByRecordAndReplay(t *testing.T) {
	stream := "data: {\"choices\":[{\"delta\":{\"content\":\"{}\"},\"finish_reason\":\"stop\"}]}\n\n" +
		"data: [DONE]\n\n" +
		"data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n" +
		": more\n\ndata: [DONE]\n\n"
	live, _, _ := fake(t, 200, "text/event-stream", stream)
	req := provider.Request{Prompt: "p"}
	path := filepath.Join(t.TempDir(), "done.yaml")

	rec, err := cassette.Open(cassette.Options{Path: path, Mode: cassette.Record, Real: cassette.StreamTimer(nil)})
	require.NoError(t, err)
	c := &Client{BaseURL: live.BaseURL, Model: live.Model, APIKey: live.APIKey, Stream: true, HTTP: rec.Client()}
	recorded, err := c.Generate(t.Context(), req)
	require.NoError(t, err)
	require.NoError(t, rec.Finish(true))
	assert.JSONEq(t, `{}`, string(recorded.Output))
	assert.Equal(t, 1, recorded.Stream.Chunks)

	rep, err := cassette.Open(cassette.Options{Path: path, Mode: cassette.Replay})
	require.NoError(t, err)
	c.HTTP, c.BaseURL = rep.Client(), "http://elsewhere.invalid:1/v1"
	replayed, err := c.Generate(t.Context(), req)
	require.NoError(t, err, "the replay agrees with the recording on where the stream ends")
	assert.Equal(t, recorded, replayed)
}

// The client's event reader and the recorder's StreamTimer agree on every
// body: the same number of events up to the end, and the same end.
func FuzzStreamReaderAgreesWithRecorder(f *testing.F) {
	for _, s := range []string{
		"data: {}\n\ndata: [DONE]\n\n",
		"data: a\r\ndata: b\r\n\r\n: c\n\nevent: x\ndata:[DONE]\rjunk",
		"data: x\ndata: [DONE]\n\ndata: y\n\n",
		"data: [DONE]x\n\ndata:  [DONE]\n\ndata: [DONE]",
		"data\n\ndata:\r\r\n\ndata: [DONE]\r\n\r\ndata: after\n\n",
		"\r\n\r\ndata: {}\r",
	} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, body string, step uint8) {
		// The client's view: events up to [DONE] or the end of the body.
		er := newEventReader(&chunky{s: body, n: int(step%16) + 1}, 1<<20)
		var client []string
		done := false
		for {
			data, err := er.next()
			if err != nil {
				break
			}
			client = append(client, string(data))
			if string(data) == "[DONE]" {
				done = true
				break
			}
		}
		// The recorder's view, read the way go-vcr reads it: to the end.
		h := http.Header{"Content-Type": {"text/event-stream"}}
		tr := cassette.StreamTimer(roundTripper(func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(&chunky{s: body, n: int(step%7) + 1})}, nil
		}))
		resp, err := tr.RoundTrip(&http.Request{})
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := io.ReadAll(resp.Body)
		offsets, _, err := cassette.StreamOffsets(resp.Header)
		if err != nil {
			t.Fatal(err)
		}
		if len(offsets) != len(client) {
			t.Fatalf("recorder counted %d events, client read %d (%q) in %q", len(offsets), len(client), client, body)
		}
		// What the recorder keeps replays to the same events.
		again, againDone := cassette.Events(string(kept))
		if done != againDone || len(again) != len(client) {
			t.Fatalf("kept %q replays as %q (done %v), client read %q (done %v)", kept, again, againDone, client, done)
		}
		for i := range again {
			if again[i] != client[i] {
				t.Fatalf("event %d: kept %q, client %q", i, again[i], client[i])
			}
		}
		if !bytes.HasPrefix([]byte(body), kept) {
			t.Fatalf("kept %q is not a prefix of the body", kept)
		}
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
