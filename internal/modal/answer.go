package modal

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// decodeAnswer decodes a generate body into a. The common answer (a flat
// object of the keys below: ASCII strings without escapes, integer
// counts, an ir_json or text value) is read in one pass by readAnswer,
// which validates as it goes; anything else (escapes, other keys, a key
// spelt in another case, non-ASCII strings, invalid JSON) goes to
// json.Unmarshal, so that the result and the error are json.Unmarshal's in
// every case. FuzzDecodeAnswer checks the two agree.
//
// json.Unmarshal scans the body twice (checkValid, then the decode) and
// the ir_json value a third time (RawMessage's skip, then its copy): 40 %
// of the client's own CPU per request under `make loadtest` (see doc.go).
func decodeAnswer(raw []byte, a *answer) error {
	if readAnswer(raw, a) {
		return nil
	}
	*a = answer{}
	return json.Unmarshal(raw, a)
}

// readAnswer is decodeAnswer's fast path: it reports false, with a in any
// state, wherever it does not decide exactly as json.Unmarshal would.
// ir_json and text alias raw (json.Unmarshal would copy them; raw is the
// caller's, read for this answer only).
func readAnswer(raw []byte, a *answer) bool {
	p := answerParser{b: raw}
	p.ws()
	if !p.byte('{') {
		return false
	}
	p.ws()
	if p.byte('}') {
		p.ws()
		return p.i == len(p.b)
	}
	for {
		key, ok := p.plainString()
		if !ok {
			return false
		}
		p.ws()
		if !p.byte(':') {
			return false
		}
		p.ws()
		if !p.member(key, a) {
			return false
		}
		p.ws()
		if p.byte(',') {
			p.ws()
			continue
		}
		if !p.byte('}') {
			return false
		}
		p.ws()
		return p.i == len(p.b)
	}
}

type answerParser struct {
	b []byte
	i int
}

// member reads the value of key into a. A null leaves a string or number
// as it is and makes a raw value "null", as json.Unmarshal does.
func (p *answerParser) member(key []byte, a *answer) bool {
	switch string(key) {
	case "ir_json", "text":
		start := p.i
		if !p.value(0) {
			return false
		}
		v := json.RawMessage(p.b[start:p.i:p.i])
		if key[0] == 'i' {
			a.IRJSON = v
		} else {
			a.Text = v
		}
		return true
	case "finish_reason", "error", "raw_output":
		if p.null() {
			return true
		}
		s, ok := p.plainString()
		if !ok {
			return false
		}
		switch key[0] {
		case 'f':
			a.FinishReason = string(s)
		case 'e':
			a.Error = string(s)
		default:
			a.RawOutput = string(s)
		}
		return true
	case "tokens_used", "status":
		if p.null() {
			return true
		}
		n, ok := p.integer()
		if !ok {
			return false
		}
		if key[0] == 't' {
			a.Tokens = n
		} else {
			a.Status = n
		}
		return true
	case "generation_time_ms":
		if p.null() {
			return true
		}
		start := p.i
		if !p.number() {
			return false
		}
		f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		if err != nil {
			return false // out of range: json.Unmarshal's error
		}
		a.GenTimeMS = f
		return true
	}
	// Another key: json.Unmarshal ignores it, unless it matches one of
	// answer's case-insensitively.
	for _, k := range answerKeys {
		if bytes.EqualFold(key, []byte(k)) {
			return false
		}
	}
	return p.value(0)
}

// answerKeys are answer's JSON keys.
var answerKeys = [...]string{"ir_json", "text", "tokens_used", "generation_time_ms", "finish_reason", "error", "raw_output", "status"}

func (p *answerParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *answerParser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *answerParser) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

func (p *answerParser) null() bool { return p.literal("null") }

// plainString reads a string of printable ASCII without escapes and
// returns its contents; anything else is left to json.Unmarshal (which
// would unescape, or replace invalid UTF-8).
func (p *answerParser) plainString() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// integer reads a JSON number that is an integer fitting an int, as
// json.Unmarshal accepts into an int field.
func (p *answerParser) integer() (int, bool) {
	start := p.i
	if !p.number() {
		return 0, false
	}
	n, err := strconv.Atoi(string(p.b[start:p.i]))
	return n, err == nil // "1.5", "1e3", overflow: json.Unmarshal's error
}

// number reads a JSON number (RFC 8259 grammar).
func (p *answerParser) number() bool {
	p.byte('-')
	switch {
	case p.byte('0'):
	case p.i < len(p.b) && '1' <= p.b[p.i] && p.b[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.byte('.') {
		if !p.digits() {
			return false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if !p.byte('+') {
			p.byte('-')
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

func (p *answerParser) digits() bool {
	start := p.i
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// maxDepth bounds the nesting readAnswer follows (json.Unmarshal's own
// limit is 10000): deeper values, never seen in an answer, go to it.
const maxDepth = 500

// value validates one JSON value of any kind, as json.Valid would.
func (p *answerParser) value(depth int) bool {
	if p.i >= len(p.b) || depth >= maxDepth {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		p.ws()
		if p.byte('}') {
			return true
		}
		for {
			if !p.string() {
				return false
			}
			p.ws()
			if !p.byte(':') {
				return false
			}
			p.ws()
			if !p.value(depth + 1) {
				return false
			}
			p.ws()
			if p.byte('}') {
				return true
			}
			if !p.byte(',') {
				return false
			}
			p.ws()
		}
	case c == '[':
		p.i++
		p.ws()
		if p.byte(']') {
			return true
		}
		for {
			if !p.value(depth + 1) {
				return false
			}
			p.ws()
			if p.byte(']') {
				return true
			}
			if !p.byte(',') {
				return false
			}
			p.ws()
		}
	case c == '"':
		return p.string()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		return p.number()
	}
}

// string validates a JSON string, escapes included. Like json.Valid it
// takes any byte from 0x20 up (invalid UTF-8 too): the value is kept raw.
func (p *answerParser) string() bool {
	if !p.byte('"') {
		return false
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if p.i >= len(p.b) {
				return false
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(p.b)-p.i < 4 {
					return false
				}
				for _, h := range p.b[p.i : p.i+4] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				p.i += 4
			default:
				return false
			}
		}
	}
	return false
}
