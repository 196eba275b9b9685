package openai

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/lift-sys/lifttest/internal/cassette"
)

// errTooLarge is returned by the event reader past its byte cap.
var errTooLarge = errors.New("stream exceeds the body cap")

// eventReader reads server-sent events (the WHATWG rules a client needs:
// lines end in \n, \r\n or \r; "data:" lines of one event are joined with
// \n; an event ends at a blank line; comments and other fields are
// skipped). It keeps one buffer for the whole stream and returns each
// event's data in a reused slice, so reading costs no allocation per event.
type eventReader struct {
	rd         io.Reader
	buf        []byte
	start, end int
	skipLF     bool // the last line ended in \r: a \n next is part of it
	eof        bool
	data       []byte
	hasData    bool
	read, max  int64
}

func newEventReader(rd io.Reader, max int64) *eventReader {
	return &eventReader{rd: rd, buf: make([]byte, 4096), max: max}
}

// next returns the data of the next event that has any, valid until the
// following call, or io.EOF. An event cut off by the end of the stream is
// still returned, as the cassette's StreamTimer counts it.
func (r *eventReader) next() ([]byte, error) {
	for {
		line, err := r.line()
		if err == io.EOF && r.hasData {
			r.hasData = false
			return r.data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			if r.hasData {
				r.hasData = false
				return r.data, nil
			}
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		if string(field) != "data" {
			continue // comment (empty field), event, id, retry
		}
		value = bytes.TrimPrefix(value, []byte(" "))
		if !r.hasData {
			r.data = r.data[:0]
		} else {
			r.data = append(r.data, '\n')
		}
		r.data = append(r.data, value...)
		r.hasData = true
	}
}

// line returns the next line without its end, valid until the next call.
func (r *eventReader) line() ([]byte, error) {
	for {
		if r.skipLF && r.start < r.end {
			if r.buf[r.start] == '\n' {
				r.start++
			}
			r.skipLF = false
		}
		if i := bytes.IndexAny(r.buf[r.start:r.end], "\r\n"); i >= 0 {
			line := r.buf[r.start : r.start+i]
			r.skipLF = r.buf[r.start+i] == '\r'
			r.start += i + 1
			return line, nil
		}
		if r.eof {
			if r.start < r.end { // a last line without its end
				line := r.buf[r.start:r.end]
				r.start = r.end
				return line, nil
			}
			return nil, io.EOF
		}
		if r.start > 0 {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.start = 0
		}
		if r.end == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		n, err := r.rd.Read(r.buf[r.end:])
		r.end += n
		r.read += int64(n)
		if r.read > r.max {
			return nil, errTooLarge
		}
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			return nil, err
		}
	}
}

// event is one data event of a stream and when it arrived.
type event struct {
	at      time.Duration // since the request was sent
	content bool          // carried generated text
}

// readStream reads a chat or completions stream to its [DONE]: the
// document, the finish reason, the usage of the last chunk, and the
// arrival of each event. Arrivals come from cassette.StreamOffsetsHeader
// when the transport put it there (record and replay, where go-vcr hands
// the body up whole, and live under cassette.StreamTimer), else from this
// reader's clock.
func (c *Client) readStream(url string, resp *http.Response, sent time.Time, maxTokens int) (provider.Response, error) {
	er := newEventReader(resp.Body, c.maxBody())
	var (
		content strings.Builder
		finish  string
		tokens  = -1 // unknown until a usage chunk says
		prompt  int
		tim     *timingsBody
		events  []event
		done    bool
		ch      wireAnswer
	)
	for !done {
		data, err := er.next()
		at := time.Since(sent)
		if errors.Is(err, errTooLarge) {
			return provider.Response{}, fmt.Errorf("%w: POST %s: stream of more than %d bytes", provider.ErrTooLarge, url, c.maxBody())
		}
		if err == io.EOF {
			return provider.Response{}, fmt.Errorf("%w: POST %s: stream ended without [DONE] after %d events", provider.ErrMalformed, url, len(events))
		}
		if err != nil {
			return provider.Response{}, fmt.Errorf("%w: POST %s: reading the stream after %d events: %v", provider.ErrMalformed, url, len(events), err)
		}
		if string(data) == "[DONE]" {
			events = append(events, event{at: at})
			done = true
			break
		}
		if err := decodeChunk(data, &ch); err != nil {
			return provider.Response{}, fmt.Errorf("%w: %s: stream event %d is not JSON (%v): %s", provider.ErrMalformed, url, len(events), err, provider.Head(data))
		}
		if ch.Error != nil { // vLLM and llama.cpp report a failure mid-stream this way
			// What came before it is timed, from the recorded offsets
			// when a cassette has them.
			events = append(events, event{at: at})
			if offsets, ok, err := cassette.StreamOffsets(resp.Header); err == nil && ok && len(offsets) >= len(events) {
				for i := range events {
					events[i].at = offsets[i]
				}
			}
			return provider.Response{}, &provider.AnswerError{Kind: provider.ErrGeneration, Message: ch.Error.Message, RawOutput: content.String(), Stream: timings(events, -1)}
		}
		ev := event{at: at}
		if len(ch.Choices) > 0 {
			c0 := &ch.Choices[0]
			if t := c0.text(); t != "" {
				content.WriteString(t)
				ev.content = true
			}
			if c0.FinishReason != "" {
				finish = c0.FinishReason
			}
		}
		if ch.Usage != nil {
			tokens, prompt = ch.Usage.CompletionTokens, ch.Usage.PromptTokens
		}
		if ch.Timings != nil { // llama.cpp: on the last chunk
			t := *ch.Timings
			tim = &t
		}
		events = append(events, ev)
	}
	offsets, ok, err := cassette.StreamOffsets(resp.Header)
	switch {
	case err != nil:
		return provider.Response{}, fmt.Errorf("%w: %s: %v", provider.ErrMalformed, url, err)
	case ok && len(offsets) != len(events):
		return provider.Response{}, fmt.Errorf("%w: %s: %s has %d arrivals for %d events (a cassette edited by hand?)",
			provider.ErrMalformed, url, cassette.StreamOffsetsHeader, len(offsets), len(events))
	case ok:
		for i := range events {
			events[i].at = offsets[i]
		}
	}
	st := timings(events, tokens)
	o := outcome{content: content.String(), finish: finish, tokens: tokens, promptTokens: prompt, usage: tokens >= 0, maxTokens: maxTokens, timings: tim}
	if tokens < 0 {
		o.tokens = st.OutputTokens
	}
	out, err := c.result(url, o)
	if ae, ok := errors.AsType[*provider.AnswerError](err); ok {
		ae.Stream = st // the timings hold for a truncated answer too
	}
	if err != nil {
		return provider.Response{}, err
	}
	out.Stream = st
	return out, nil
}

// timings applies vLLM's definitions to the events of a stream: TTFT is the
// first content event's arrival, ITL the gaps between content events, E2E
// the last event before [DONE], TPOT (E2E - TTFT) / (output tokens - 1).
// Output tokens are the usage chunk's completion_tokens, or, when the
// server sent none (tokens < 0), the number of content events.
func timings(events []event, tokens int) *provider.Stream {
	st := &provider.Stream{}
	var last, e2e time.Duration
	for i, ev := range events {
		if i < len(events)-1 || len(events) == 1 {
			e2e = ev.at // [DONE] carries nothing and is not counted
		}
		if !ev.content {
			continue
		}
		if st.Chunks == 0 {
			st.TTFT = ev.at
		} else {
			st.ITL = append(st.ITL, ev.at-last)
		}
		last = ev.at
		st.Chunks++
	}
	st.OutputTokens = tokens
	if tokens < 0 {
		st.OutputTokens = st.Chunks
	}
	if st.OutputTokens > 1 && st.Chunks > 0 {
		st.TPOT = (e2e - st.TTFT) / time.Duration(st.OutputTokens-1)
	}
	return st
}
