package cassette

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Streamed answers (server-sent events) need their chunk arrival times in
// the cassette: go-vcr reads a recorded body whole before it hands it up,
// and replays it whole, so a client timing its chunks would see them all at
// once in both record and replay. So the times are taken below the
// recorder, where the chunks really arrive, and travel with the
// interaction as a response header:
//
//   - record (and live): StreamTimer wraps the real transport (pass it as
//     Options.Real). It stamps each SSE event as its blank line arrives,
//     counted from the moment the request was sent, and on [DONE] or end of
//     body writes the stamps into StreamOffsetsHeader of the response. go-vcr
//     builds the interaction from that response's header map after reading
//     the body, so the header is saved with it; and the recorder returns a
//     response built from the interaction, so the client sees it too.
//   - replay: the saved header comes back with the response, as any other.
//
// A client that finds the header uses the offsets, event by event, instead
// of its own clock (see internal/openai), so record, replay and live report
// TTFT/ITL measured the same way, and a replay reports what was recorded.

// StreamOffsetsHeader is the response header holding the arrival offsets of
// the SSE events of a streamed answer: comma-separated microseconds, each
// the gap since the previous event's arrival, the first since the request
// was sent. Every event with at least one data line counts, "[DONE]"
// included, in order.
const StreamOffsetsHeader = "X-Lifttest-Stream-Offsets-Us"

// StreamTimer wraps rt (nil: http.DefaultTransport) so that streamed
// (text/event-stream) answers carry their event arrival offsets in
// StreamOffsetsHeader. Other answers pass through untouched. Put it
// outermost in Options.Real (above a retry transport), so that the offsets
// count from the caller's send, retries included, as the client's own
// clock would.
func StreamTimer(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return streamTimer{rt}
}

type streamTimer struct{ rt http.RoundTripper }

func (s streamTimer) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := s.rt.RoundTrip(r)
	if err != nil || !isEventStream(resp.Header) {
		return resp, err
	}
	resp.Header.Del(StreamOffsetsHeader) // only ours counts
	resp.Body = &timedBody{rc: resp.Body, h: resp.Header, start: start}
	return resp, nil
}

func isEventStream(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "text/event-stream"
}

// timedBody stamps SSE events as they are read. It follows the SSE rules a
// client uses: lines end in \n, \r\n or \r; an event ends at a blank line
// and counts only if it had a data line. The stream ends where the client's
// ends: at the blank line after an event whose data is exactly "[DONE]"
// (one data line). timedBody reports end of body there, so go-vcr, which
// reads to the end, neither counts nor saves what a server sends after
// [DONE], and the recording replays with as many arrivals as the client
// reads events.
type timedBody struct {
	rc      io.ReadCloser
	h       http.Header
	start   time.Time
	line    []byte // the current line so far (only its first bytes matter)
	lineLen int
	cr      bool // the last byte was \r: a following \n is the same line end
	data    int  // data lines in the current event
	done    bool // the current event's first data line is "[DONE]"
	stopped bool // [DONE] has been dispatched: the stream is over
	stamps  []time.Duration
}

func (b *timedBody) Read(p []byte) (int, error) {
	if b.stopped {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		now := time.Since(b.start)
		for i, c := range p[:n] {
			b.feed(c, now)
			if b.stopped {
				return i + 1, io.EOF
			}
		}
	}
	if err == io.EOF {
		b.end(time.Since(b.start))
	}
	return n, err
}

// end closes the stream at the end of the body: a last line without its
// end still counts, and so does an event cut off by the end of the body.
func (b *timedBody) end(now time.Duration) {
	if b.lineLen > 0 {
		b.endLine(now)
	}
	if b.data > 0 && !b.stopped {
		b.dispatch(now)
	}
	b.write()
}

func (b *timedBody) feed(c byte, now time.Duration) {
	switch {
	case c == '\n' && b.cr:
		b.cr = false
	case c == '\n' || c == '\r':
		b.cr = c == '\r'
		b.endLine(now)
	default:
		b.cr = false
		if len(b.line) < len("data: [DONE]")+1 {
			b.line = append(b.line, c)
		}
		b.lineLen++
	}
}

func (b *timedBody) endLine(now time.Duration) {
	line := b.line
	empty := b.lineLen == 0
	b.line, b.lineLen = b.line[:0], 0
	if empty {
		if b.data > 0 {
			b.dispatch(now)
		}
		return
	}
	if field, _, _ := bytes.Cut(line, []byte(":")); string(field) == "data" {
		b.data++
		v := bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" "))
		b.done = b.data == 1 && string(v) == "[DONE]"
	}
}

func (b *timedBody) dispatch(now time.Duration) {
	b.stamps = append(b.stamps, now)
	b.data = 0
	if b.done { // the stream is complete: the client stops reading here
		b.done = false
		b.stopped = true
		b.write()
	}
}

func (b *timedBody) write() {
	if len(b.stamps) > 0 {
		b.h.Set(StreamOffsetsHeader, FormatStreamOffsets(b.stamps))
	}
}

func (b *timedBody) Close() error { return b.rc.Close() }

// FormatStreamOffsets encodes arrival offsets (each since the send) for
// StreamOffsetsHeader. Each offset is rounded to the microsecond on its
// own and the gaps between the rounded values are written, so rounding
// never accumulates along a long stream.
func FormatStreamOffsets(offsets []time.Duration) string {
	var sb strings.Builder
	prev := int64(0)
	for i, d := range offsets {
		us := (d + time.Microsecond/2).Microseconds()
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatInt(us-prev, 10))
		prev = us
	}
	return sb.String()
}

// maxOffsetUs bounds the sum of a stream's offsets, in microseconds: far
// beyond MaxDuration, which the replay checks, and far from overflow.
const maxOffsetUs = int64(1000 * MaxDuration / time.Microsecond)

// ErrStreamOffsets reports a StreamOffsetsHeader that cannot be read.
var ErrStreamOffsets = errors.New("cassette: malformed " + StreamOffsetsHeader)

// StreamOffsets reads the arrival offsets (each since the send) from a
// response header; ok is false when the header is absent.
func StreamOffsets(h http.Header) (offsets []time.Duration, ok bool, err error) {
	v := h.Get(StreamOffsetsHeader)
	if v == "" {
		return nil, false, nil
	}
	total := int64(0)
	for f := range strings.SplitSeq(v, ",") {
		us, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || us < 0 || us > maxOffsetUs-total {
			// Negative, or past any real stream (and past overflow).
			return nil, true, fmt.Errorf("%w: %q", ErrStreamOffsets, f)
		}
		total += us
		offsets = append(offsets, time.Duration(total)*time.Microsecond)
	}
	return offsets, true, nil
}
