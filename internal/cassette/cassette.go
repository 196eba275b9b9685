package cassette

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lift-sys/lifttest/internal/redact"
	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

// Mode says where answers come from.
type Mode int

const (
	// Replay answers from the cassette only; the network is never used.
	Replay Mode = iota
	// Record calls the real endpoint and writes the cassette on success.
	Record
	// Live calls the real endpoint and writes nothing.
	Live
)

func (m Mode) String() string {
	switch m {
	case Replay:
		return "replay"
	case Record:
		return "record"
	case Live:
		return "live"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Errors wrapped by Open and by the session's transport.
var (
	ErrMissing  = errors.New("cassette is missing")
	ErrMismatch = errors.New("request has no matching recording")
)

// Options configures one session.
type Options struct {
	// Path is the cassette file, e.g. "cassettes/simple/add_numbers.yaml".
	Path string
	Mode Mode
	// Real is the transport for Record and Live; nil uses a clone of
	// http.DefaultTransport.
	Real http.RoundTripper
	// Rerecord is the command a failure message tells the user to run.
	Rerecord string
	// MaxBody caps an answer in Record, in bytes after decompression, as
	// the live clients cap theirs (modal.Client.MaxBody,
	// openai.Client.MaxBody): go-vcr reads every answer whole before the
	// client sees it, so without a cap here a runaway or hostile answer
	// would be held in memory whole. 0 means provider.DefaultMaxBody.
	MaxBody int64
	// Scrub removes the secrets the harness knows (keys, the endpoint
	// URL's credentials) from everything a recording keeps: request URL,
	// headers and body, response headers and body. Nil scrubs only what
	// Redact finds by name.
	Scrub *redact.Scrubber
}

// Session is the HTTP side of one case in one mode.
type Session struct {
	opts Options
	rec  *recorder.Recorder // Record only
	// replay answers in Replay, from the parsed cassette (replay.go).
	replay *replayTransport
	tmp    string // Record: the temporary cassette name (no .yaml)
	done   bool
	// failed is the first answer that broke the cap in Record: such a
	// session never saves its cassette, even on Finish(true).
	failed atomic.Pointer[error]
}

// Open starts a session. In Replay a missing cassette is an error wrapping
// ErrMissing that names the file and the command to record it.
func Open(opts Options) (*Session, error) {
	if opts.Real == nil {
		opts.Real = http.DefaultTransport.(*http.Transport).Clone()
	}
	s := &Session{opts: opts}
	name := strings.TrimSuffix(opts.Path, ".yaml")
	switch opts.Mode {
	case Live:
		return s, nil
	case Replay:
		fi, err := os.Stat(opts.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: record it with: %s", ErrMissing, opts.Path, opts.Rerecord)
		}
		// go-vcr parses the whole file into memory: a file larger than a
		// recording can be is refused before it is read.
		if limit := s.maxCassette(); fi.Size() > limit {
			return nil, fmt.Errorf("%w: cassette %s is %d bytes, more than the %d a recording can hold (%d answers at the %d-byte cap): re-record it with: %s",
				ErrInvalid, opts.Path, fi.Size(), limit, maxAnswers, s.maxBody(), opts.Rerecord)
		}
		p, err := loadParsed(opts.Path)
		if err != nil {
			return nil, fmt.Errorf("cassette %s: %w (re-record with: %s)", opts.Path, err, opts.Rerecord)
		}
		s.replay = &replayTransport{s: s, p: p, used: make([]bool, len(p.c.Interactions))}
		return s, nil
	case Record:
		var rnd [6]byte
		_, _ = rand.Read(rnd[:])
		// go-vcr writes in place; recording into a hidden sibling and renaming
		// it on success keeps the old cassette intact until the new one is whole.
		s.tmp = filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".recording-"+hex.EncodeToString(rnd[:]))
		rec, err := recorder.NewWithOptions(&recorder.Options{
			CassetteName:  s.tmp,
			Mode:          recorder.ModeRecordOnly,
			RealTransport: capBody{rt: opts.Real, s: s},
			// Without this go-vcr sleeps the call's duration a second time
			// before returning the response it has just recorded.
			SkipRequestLatency: true,
		})
		if err != nil {
			return nil, fmt.Errorf("cassette %s: %w", opts.Path, err)
		}
		rec.AddHook(s.clean, recorder.AfterCaptureHook)
		// The latency a recording reports is the one it saves, so that a
		// record run and its replays print the same figures.
		rec.AddHook(exposeDuration, recorder.BeforeResponseReplayHook)
		rec.AddHook(hideDuration, recorder.BeforeSaveHook)
		s.rec = rec
	default:
		return nil, fmt.Errorf("cassette: unknown mode %v", opts.Mode)
	}
	s.rec.SetMatcher(match)
	return s, nil
}

// Mode is the session's mode.
func (s *Session) Mode() Mode { return s.opts.Mode }

// Transport is the RoundTripper of the session.
func (s *Session) Transport() http.RoundTripper {
	if s.replay != nil {
		return s.replay
	}
	if s.rec == nil {
		return s.opts.Real
	}
	return &transport{s: s}
}

// Client is an http.Client over Transport.
func (s *Session) Client() *http.Client { return &http.Client{Transport: s.Transport()} }

// Finish ends the session. In Record, ok saves the cassette atomically
// (temporary file, then rename); !ok writes nothing, so a failed recording
// run never replaces a good cassette.
func (s *Session) Finish(ok bool) error {
	if s.done || s.rec == nil {
		return nil
	}
	s.done = true
	if s.opts.Mode != Record {
		return nil
	}
	if !ok {
		return nil
	}
	if err := s.failed.Load(); err != nil {
		return fmt.Errorf("cassette %s not saved: %w", s.opts.Path, *err)
	}
	if err := s.rec.Stop(); err != nil {
		os.Remove(s.tmp + ".yaml")
		return fmt.Errorf("save cassette %s: %w", s.opts.Path, err)
	}
	if err := os.Rename(s.tmp+".yaml", s.opts.Path); err != nil {
		os.Remove(s.tmp + ".yaml")
		return fmt.Errorf("save cassette %s: %w", s.opts.Path, err)
	}
	return nil
}

// transport puts the canonical body where the matcher can see it, turns
// go-vcr's bare "not found" into a diff, and hands recorded durations to the
// caller's Timing.
type transport struct{ s *Session }

type canonKey struct{}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
	}
	r2 := r.Clone(context.WithValue(r.Context(), canonKey{}, canonical(body)))
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := t.s.rec.RoundTrip(r2)
	if errors.Is(err, vcr.ErrInteractionNotFound) {
		return nil, t.s.mismatch(r2, body)
	}
	if err != nil {
		return nil, err
	}
	if d := resp.Header.Get(durationHeader); d != "" {
		resp.Header = resp.Header.Clone()
		resp.Header.Del(durationHeader)
		if tm, ok := r.Context().Value(timingKey{}).(*Timing); ok {
			ns, _ := strconv.ParseInt(d, 10, 64)
			tm.Recorded += time.Duration(ns)
			tm.Replayed = true
		}
	}
	return resp, nil
}

// match compares method, path and the canonical JSON body: key order and
// white space do not matter, and neither does the host, so a recording
// replays against any deployment.
func match(r *http.Request, i vcr.Request) bool {
	if r.Method != i.Method {
		return false
	}
	u, err := url.Parse(i.URL)
	if err != nil || u.Path != r.URL.Path {
		return false
	}
	got, _ := r.Context().Value(canonKey{}).(string)
	return got == canonical([]byte(i.Body))
}

// canonical re-encodes a JSON body with sorted keys and no white space;
// anything that is not JSON is compared as it is.
func canonical(b []byte) string {
	var v any
	if len(bytes.TrimSpace(b)) == 0 || json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// MismatchError is a request that no recording matches, with a diff
// against the closest one.
type MismatchError struct {
	Path     string // the cassette
	Method   string
	URLPath  string
	Closest  int    // interaction id of the closest recording, -1 if none
	Diff     string // go-cmp diff (-recorded +request)
	Rerecord string
}

func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: cassette %s has no recording of %s %s", ErrMismatch, e.Path, e.Method, e.URLPath)
	if e.Closest >= 0 {
		fmt.Fprintf(&b, "; the closest recording (interaction %d) differs (-recorded +request):\n%s", e.Closest, e.Diff)
	}
	fmt.Fprintf(&b, "\nThe cassette is stale: re-record it with: %s", e.Rerecord)
	return b.String()
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }

func (s *Session) mismatch(r *http.Request, body []byte) error {
	e := &MismatchError{Path: s.opts.Path, Method: r.Method, URLPath: r.URL.Path, Closest: -1, Rerecord: s.opts.Rerecord}
	if s.replay == nil {
		return e
	}
	c := s.replay.p.c
	best := -1
	for _, i := range c.Interactions {
		if i.Request.Method != r.Method {
			continue
		}
		d := diffBodies([]byte(i.Request.Body), body)
		if u, err := url.Parse(i.Request.URL); err == nil && u.Path != r.URL.Path {
			d = fmt.Sprintf("path: -%s +%s\n", u.Path, r.URL.Path) + d
		}
		if best < 0 || len(d) < best {
			best, e.Closest, e.Diff = len(d), i.ID, d
		}
	}
	return e
}

// diffBodies diffs two JSON bodies (-recorded +request). Top-level fields
// that are equal, such as a 5 KB schema, are left out of the diff and only
// named, so the change stands out.
func diffBodies(recorded, request []byte) string {
	rec, req := decode(recorded), decode(request)
	rm, ok1 := rec.(map[string]any)
	qm, ok2 := req.(map[string]any)
	if !ok1 || !ok2 {
		return cmp.Diff(rec, req)
	}
	var same []string
	for k, v := range rm {
		if w, ok := qm[k]; ok && cmp.Equal(v, w) {
			same = append(same, k)
		}
	}
	slices.Sort(same)
	rm, qm = maps.Clone(rm), maps.Clone(qm)
	for _, k := range same {
		delete(rm, k)
		delete(qm, k)
	}
	d := cmp.Diff(rm, qm)
	if len(same) > 0 {
		d += fmt.Sprintf("(equal fields not shown: %s)\n", strings.Join(same, ", "))
	}
	return d
}

func decode(b []byte) any {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	return v
}

// refuseNetwork is the "real" transport of a replay: reaching it is a bug.
type refuseNetwork struct{}

func (refuseNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("cassette: replay tried to reach the network (%s %s)", r.Method, redact.URL(r.URL.String()))
}

// Host is the host of the first recorded request in the cassette at path,
// or "" when it cannot be read: where a replay's answers came from.
func Host(path string) string { return cachedHost(path) }
