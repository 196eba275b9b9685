package cassette

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/lift-sys/lifttest/internal/redact"
)

// capBody sits between go-vcr's recorder and the real transport in Record.
// go-vcr reads every answer whole (io.ReadAll) before anything else sees
// it, so the cap the live clients apply as they read comes too late there:
// a 512 MiB answer would be held whole. capBody hands the recorder a body
// that fails once it passes the cap, so the recorder holds at most the cap.
//
// A gzip-encoded answer the transport did not decompress itself (a caller
// that asked for gzip) is decompressed here and counted after
// decompression: the cap is on what would be kept, so a small gzip bomb
// cannot inflate past it. The recording keeps the decompressed body.
type capBody struct {
	rt http.RoundTripper
	s  *Session
}

func (c capBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	limit := c.s.maxBody()
	body := resp.Body
	if !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			body.Close()
			return nil, fmt.Errorf("%w: %s %s: gzip answer: %v", provider.ErrMalformed, r.Method, redact.URL(r.URL.String()), err)
		}
		body = readCloser{zr, body}
		resp.Header = resp.Header.Clone()
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	fail := func() error {
		err := fmt.Errorf("%w: %s %s: the answer exceeded %d bytes (the cap of the live clients, cassette.Options.MaxBody); cassette %s is not saved",
			provider.ErrTooLarge, r.Method, redact.URL(r.URL.String()), limit, c.s.opts.Path)
		c.s.failed.CompareAndSwap(nil, &err)
		return err
	}
	if resp.ContentLength > limit { // declared too large: refuse unread
		body.Close()
		return nil, fail()
	}
	resp.Body = &limitedBody{rc: body, left: limit, fail: fail}
	return resp, nil
}

func (s *Session) maxBody() int64 {
	if s.opts.MaxBody > 0 {
		return s.opts.MaxBody
	}
	return provider.DefaultMaxBody
}

type readCloser struct {
	io.Reader
	io.Closer
}

// limitedBody reads the whole answer, up to the cap, before it hands out
// the first byte, in fixed blocks that are never copied to grow. The reader
// above it is go-vcr's io.ReadAll, whose buffer grows by copying: reading a
// capped stream through it would still leave several cap-sized copies for
// the collector. Here an answer past the cap is dropped with at most the
// cap held, before go-vcr allocates anything for it; an answer within the
// cap costs one extra copy of itself.
type limitedBody struct {
	rc     io.ReadCloser
	left   int64 // bytes the cap still allows
	fail   func() error
	filled bool
	blocks [][]byte
	err    error
}

// blockSize is the unit limitedBody reads in.
const blockSize = 32 << 10

func (b *limitedBody) fill() {
	b.filled = true
	for {
		blk := make([]byte, blockSize)
		n, err := io.ReadFull(b.rc, blk)
		if n > 0 {
			b.blocks = append(b.blocks, blk[:n])
			b.left -= int64(n)
		}
		if b.left < 0 {
			b.blocks = nil
			b.err = b.fail()
			return
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			b.err = io.EOF
			return
		}
		if err != nil {
			b.err = err
			return
		}
	}
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if !b.filled {
		b.fill()
	}
	n := 0
	for n < len(p) && len(b.blocks) > 0 {
		c := copy(p[n:], b.blocks[0])
		n += c
		if b.blocks[0] = b.blocks[0][c:]; len(b.blocks[0]) == 0 {
			b.blocks = b.blocks[1:]
		}
	}
	if len(b.blocks) == 0 && b.err != nil {
		return n, b.err
	}
	return n, nil
}

func (b *limitedBody) Close() error { return b.rc.Close() }
