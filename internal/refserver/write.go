package refserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// response is what a route answers before faults spoil it.
type response struct {
	status      int
	contentType string
	allow       string // Allow header of a 405
	body        []byte
}

func methodNotAllowed(allow string) response {
	r := jsonResponse(http.StatusMethodNotAllowed, object(kv{"detail", "Method Not Allowed"}))
	r.allow = allow
	return r
}

func jsonResponse(status int, body []byte) response {
	return response{status: status, contentType: "application/json", body: body}
}

// write sends resp, spoiled by a Truncated or Huge fault.
func (s *Server) write(w http.ResponseWriter, resp response, f Fault) {
	h := w.Header()
	h.Set("Content-Type", resp.contentType)
	if resp.allow != "" {
		h.Set("Allow", resp.allow)
	}
	switch f.Kind {
	case FaultTruncated:
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body[:len(resp.body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler) // drop the connection mid-body
	case FaultHuge:
		writeHuge(w, resp, f.Size)
	default:
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body)
	}
}

// writeHuge sends resp.body (a JSON object) with a "padding" field that
// brings it to size bytes, streamed so that the server never holds it.
func writeHuge(w http.ResponseWriter, resp response, size int) {
	if size <= 0 {
		size = defaultHugeSize
	}
	const open, closing = `,"padding":"`, `"}`
	base := bytes.TrimRight(resp.body, " \n")
	if len(base) == 0 || base[len(base)-1] != '}' || len(base) == 2 {
		base = []byte(`{"error":null}`) // not a non-empty object: pad a stand-in
	}
	base = base[:len(base)-1]
	pad := max(0, size-len(base)-len(open)-len(closing))
	w.Header().Set("Content-Length", strconv.Itoa(len(base)+len(open)+pad+len(closing)))
	w.WriteHeader(resp.status)
	if _, err := w.Write(append(bytes.Clone(base), open...)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for pad > 0 {
		n := min(pad, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return // the client stopped reading, as a capped client does
		}
		pad -= n
	}
	_, _ = io.WriteString(w, closing)
}

// kv is one field of a JSON object written in a fixed order, as the Python
// app writes its dicts (encoding/json would sort map keys).
type kv struct {
	key string
	val any
}

// object encodes fields as a compact JSON object, without HTML escaping so
// that code such as "a < b" reads as is in cassettes.
func object(fields ...kv) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		_ = enc.Encode(f.key)
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(f.val); err != nil {
			panic(fmt.Sprintf("refserver: encode %s: %v", f.key, err)) // values are ours
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// pyFloat formats milliseconds as Python prints a float (always with a
// fraction), rounded to microseconds.
func pyFloat(ms float64) json.Number {
	s := strconv.FormatFloat(math.Round(ms*1000)/1000, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return json.Number(s)
}
