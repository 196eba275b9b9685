package cassette

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/lift-sys/lifttest/internal/redact"
)

// ErrInvalid is wrapped by the error of a replay whose recording cannot be
// right: a negative or absurd duration, a JSON answer that is not JSON, a
// stream whose events or arrival times do not add up.
var ErrInvalid = errors.New("cassette recording is invalid")

// MaxDuration is the longest recorded duration (of a call, or of a
// stream's arrivals) a replay believes. No answer takes a day; a larger or
// negative figure is a damaged or hand-edited file, and reporting it would
// poison every latency statistic downstream.
const MaxDuration = 24 * time.Hour

// InvalidError names the cassette file (not the replay URL, which may be
// any host), the interaction, what is wrong, and the command that fixes it.
type InvalidError struct {
	Path        string
	Interaction int
	Problem     string
	Rerecord    string
}

func (e *InvalidError) Error() string {
	fix := "re-record it"
	if e.Rerecord != "" {
		fix += " with: " + e.Rerecord
	}
	return fmt.Sprintf("%v: cassette %s, interaction %d: %s; the file is damaged or was edited by hand: %s",
		ErrInvalid, e.Path, e.Interaction, e.Problem, fix)
}

func (e *InvalidError) Unwrap() error { return ErrInvalid }

// validate runs before a recording is replayed, on that recording only, so
// a replay pays for checking what it uses and nothing else.
func (s *Session) validate(i *vcr.Interaction) error {
	if p := check(i); p != "" {
		return s.invalid(i.ID, p)
	}
	return nil
}

// invalid is the error for recording id, whose problem is p.
func (s *Session) invalid(id int, p string) error {
	return &InvalidError{Path: s.opts.Path, Interaction: id, Problem: redact.Terminal(p), Rerecord: s.opts.Rerecord}
}

// check returns what is wrong with a recorded interaction, or "".
func check(i *vcr.Interaction) string {
	if d := i.Response.Duration; d < 0 || d > MaxDuration {
		return fmt.Sprintf("recorded duration %v is outside 0..%v", d, MaxDuration)
	}
	h := http.Header(i.Response.Headers)
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		if !json.Valid([]byte(i.Response.Body)) {
			return fmt.Sprintf("the answer is labelled %s but is not JSON: %s", mt, redact.Excerpt(i.Response.Body, 200))
		}
	case mt == "text/event-stream":
		events, _ := Events(i.Response.Body)
		for n, data := range events {
			if data != "[DONE]" && !json.Valid([]byte(data)) {
				return fmt.Sprintf("stream event %d is not JSON: %s", n, redact.Excerpt(data, 200))
			}
		}
		offsets, ok, err := StreamOffsets(h)
		switch {
		case err != nil:
			return err.Error()
		case ok && len(offsets) != len(events):
			return fmt.Sprintf("%s has %d arrivals for %d events", StreamOffsetsHeader, len(offsets), len(events))
		case ok && len(offsets) > 0 && offsets[len(offsets)-1] > MaxDuration:
			return fmt.Sprintf("the stream's last arrival %v is past %v", offsets[len(offsets)-1], MaxDuration)
		}
	}
	return ""
}

// Events splits an SSE body into the data of its events, by the rules of
// the client (internal/openai) and of StreamTimer: lines end in \n, \r\n or
// \r; data lines of one event join with \n; an event with no data line
// does not count; an event cut off by the end of the body does; the stream
// ends after an event whose data is "[DONE]", which is the last element
// when done is true.
func Events(body string) (events []string, done bool) {
	var data strings.Builder
	lines := 0
	dispatch := func() bool {
		if lines == 0 {
			return false
		}
		events = append(events, data.String())
		data.Reset()
		lines = 0
		return events[len(events)-1] == "[DONE]"
	}
	for len(body) > 0 {
		end := strings.IndexAny(body, "\r\n")
		var line string
		if end < 0 {
			line, body = body, ""
		} else {
			line = body[:end]
			if body[end] == '\r' && end+1 < len(body) && body[end+1] == '\n' {
				end++
			}
			body = body[end+1:]
		}
		if line == "" {
			if dispatch() {
				return events, true
			}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		if field != "data" {
			continue
		}
		if lines > 0 {
			data.WriteByte('\n')
		}
		data.WriteString(strings.TrimPrefix(value, " "))
		lines++
	}
	return events, dispatch()
}

// maxAnswers is how many answers at the cap a cassette file may hold
// before Replay refuses to load it: a case makes a few calls (two stages,
// their retries), and bundled recordings are tens of kilobytes.
const maxAnswers = 8

func (s *Session) maxCassette() int64 { return maxAnswers * s.maxBody() }

// clean removes credentials from an interaction before go-vcr keeps it:
// by name (Redact: credential headers, token-like query parameters and
// form fields) and by value, wherever the endpoint echoed them (a key
// quoted in an error body, a token in a header). The values are those the
// harness knows (Options.Scrub) and those the request itself carried in
// its credential headers and URL, so an echoed key is scrubbed even when
// the caller passed no Scrub.
func (s *Session) clean(i *vcr.Interaction) error {
	own := redact.New(i.Request.URL, requestSecrets(http.Header(i.Request.Headers))...)
	if err := Redact(i); err != nil {
		return err
	}
	for _, sc := range []*redact.Scrubber{s.opts.Scrub, own} {
		scrub(i, sc)
	}
	return nil
}

// requestSecrets are the credential values of a request's headers: each
// whole value, the credential after an auth scheme ("Bearer sk-..."), the
// user and password of basic auth, and each cookie's value.
func requestSecrets(h http.Header) []string {
	var out []string
	for _, name := range secretHeaders {
		for _, v := range h.Values(name) {
			out = append(out, v)
			if scheme, cred, ok := strings.Cut(v, " "); ok {
				out = append(out, strings.TrimSpace(cred))
				if strings.EqualFold(scheme, "Basic") {
					if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
						user, pw, _ := strings.Cut(string(b), ":")
						out = append(out, user, pw)
					}
				}
			}
			for _, c := range strings.Split(v, ";") {
				if _, val, ok := strings.Cut(c, "="); ok {
					out = append(out, strings.TrimSpace(val))
				}
			}
		}
	}
	return out
}

// scrub replaces sc's secrets everywhere a recording keeps text.
func scrub(i *vcr.Interaction, sc *redact.Scrubber) {
	if sc == nil {
		return
	}
	i.Request.URL = sc.String(i.Request.URL)
	i.Request.RequestURI = sc.String(i.Request.RequestURI)
	i.Request.Host = sc.String(i.Request.Host)
	i.Request.Body = sc.String(i.Request.Body)
	i.Response.Body = sc.String(i.Response.Body)
	for _, h := range []http.Header{i.Request.Headers, i.Response.Headers, http.Header(i.Request.Form)} {
		for k, vs := range h {
			for n, v := range vs {
				vs[n] = sc.String(v)
			}
			if sk := sc.String(k); sk != k {
				delete(h, k)
				h[sk] = vs
			}
		}
	}
}
