package cassette

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// FuzzMatch checks the matcher on any pair of bodies: no panic; a request
// always matches a recording of itself, whatever its white space; the
// canonical form is stable; and matching is symmetric.
func FuzzMatch(f *testing.F) {
	for _, p := range [][2]string{
		{`{"prompt":"add","temperature":0.3}`, "{ \"temperature\": 0.30,\n \"prompt\": \"add\" }"},
		{`{"a":[1,2]}`, `{"a":[2,1]}`},
		{`not json`, `not json`},
		{`{"a":1e400}`, `{"a":1}`},
		{`{"a":"\ud800"}`, `{"a":"\ufffd"}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{``, ` `},
	} {
		f.Add(p[0], p[1], "/generate")
	}
	f.Fuzz(func(t *testing.T, a, b, path string) {
		c := canonical([]byte(a))
		if canonical([]byte(c)) != c {
			t.Fatalf("canonical is not stable: %q -> %q -> %q", a, c, canonical([]byte(c)))
		}
		u := &url.URL{Scheme: "http", Host: "h", Path: path}
		req := func(body string) *http.Request {
			r, err := http.NewRequestWithContext(context.WithValue(context.Background(), canonKey{}, canonical([]byte(body))), http.MethodPost, u.String(), nil)
			if err != nil {
				t.Skip()
			}
			return r
		}
		rec := func(body string) vcr.Request {
			return vcr.Request{Method: http.MethodPost, URL: u.String(), Body: body}
		}
		if !match(req(a), rec(a)) {
			t.Fatalf("a request does not match its own recording: %q", a)
		}
		if match(req(a), rec(b)) != match(req(b), rec(a)) {
			t.Fatalf("matching is not symmetric: %q, %q", a, b)
		}
		_ = diffBodies([]byte(a), []byte(b))
	})
}

// FuzzCheck runs the replay checks on any recorded body, header and
// duration: no panic, and a problem is reported without raw control
// characters once it reaches an InvalidError.
func FuzzCheck(f *testing.F) {
	f.Add("text/event-stream", "data: {}\n\ndata: [DONE]\n\n", "1,2", int64(time.Millisecond))
	f.Add("application/json", `{"a":1}`, "", int64(-1))
	f.Add("application/json; charset=utf-8", "<html>\x1b[31m", "", int64(25*time.Hour))
	f.Add("text/event-stream", "data: x\r\rdata: [DONE]", "9223372036854775807,1", int64(0))
	f.Fuzz(func(t *testing.T, ctype, body, offsets string, d int64) {
		i := &vcr.Interaction{Response: vcr.Response{Body: body, Duration: time.Duration(d),
			Headers: http.Header{"Content-Type": {ctype}, StreamOffsetsHeader: {offsets}}}}
		s := &Session{opts: Options{Path: "c.yaml", Rerecord: "make record"}}
		if err := s.validate(i); err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\x1b\r\x00") || !strings.Contains(msg, "c.yaml") {
				t.Fatalf("bad error: %q", msg)
			}
		}
	})
}
