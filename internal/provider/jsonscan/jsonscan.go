// Package jsonscan reads the common shapes of an endpoint's JSON answers
// in one validating pass, for the clients' fast paths (modal's answer,
// openai's stream chunks). It never guesses: a method reports false
// wherever its result could differ from encoding/json's, and the caller
// then decodes the whole document with json.Unmarshal, so that results and
// errors stay json.Unmarshal's in every case (each client has a fuzz test
// that the two agree).
//
// encoding/json scans a document twice (checkValid, then the decode, a
// third time for a json.RawMessage) through a state machine of one
// function call per byte, with reflection per field: most of the clients'
// own CPU per request before these fast paths (see modal's and openai's
// package docs for the numbers).
package jsonscan

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// MaxDepth bounds the nesting Value follows (encoding/json's own limit is
// 10000): deeper values, never seen in an answer, report false.
const MaxDepth = 500

// Scanner reads B from I on.
type Scanner struct {
	B []byte
	I int
}

// WS skips whitespace.
func (s *Scanner) WS() {
	for s.I < len(s.B) {
		switch s.B[s.I] {
		case ' ', '\t', '\n', '\r':
			s.I++
		default:
			return
		}
	}
}

// End says whether only whitespace is left.
func (s *Scanner) End() bool {
	s.WS()
	return s.I == len(s.B)
}

// Byte consumes c if it is next.
func (s *Scanner) Byte(c byte) bool {
	if s.I < len(s.B) && s.B[s.I] == c {
		s.I++
		return true
	}
	return false
}

// Literal consumes lit if it is next.
func (s *Scanner) Literal(lit string) bool {
	if len(s.B)-s.I >= len(lit) && string(s.B[s.I:s.I+len(lit)]) == lit {
		s.I += len(lit)
		return true
	}
	return false
}

// Null consumes a null if it is next.
func (s *Scanner) Null() bool { return s.Literal("null") }

// Object reads an object, calling member for each key with the scanner at
// its value, whitespace skipped; member reads the value and reports
// whether it could. Keys are printable ASCII without escapes, else Object
// reports false.
func (s *Scanner) Object(member func(key []byte) bool) bool {
	return s.object(s.PlainString, member)
}

// object is Object with the keys read by key.
func (s *Scanner) object(key func() ([]byte, bool), member func(key []byte) bool) bool {
	s.WS()
	if !s.Byte('{') {
		return false
	}
	s.WS()
	if s.Byte('}') {
		return true
	}
	for {
		key, ok := key()
		if !ok {
			return false
		}
		s.WS()
		if !s.Byte(':') {
			return false
		}
		s.WS()
		if !member(key) {
			return false
		}
		s.WS()
		if s.Byte('}') {
			return true
		}
		if !s.Byte(',') {
			return false
		}
		s.WS()
	}
}

// Array reads an array, calling elem with the scanner at each element.
func (s *Scanner) Array(elem func() bool) bool {
	if !s.Byte('[') {
		return false
	}
	s.WS()
	if s.Byte(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		s.WS()
		if s.Byte(']') {
			return true
		}
		if !s.Byte(',') {
			return false
		}
		s.WS()
	}
}

// Folds says whether key would match one of names in encoding/json's
// case-insensitive way without being it: an unknown key that a caller
// may not skip. Keys are ASCII (Object's), so bytes.EqualFold decides
// as encoding/json's folding does.
func Folds(key []byte, names ...string) bool {
	for _, n := range names {
		if string(key) != n && bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// PlainString reads a string of printable ASCII without escapes and
// returns its contents, aliasing B.
func (s *Scanner) PlainString() ([]byte, bool) {
	if !s.Byte('"') {
		return nil, false
	}
	start := s.I
	for ; s.I < len(s.B); s.I++ {
		c := s.B[s.I]
		switch {
		case c == '"':
			v := s.B[start:s.I]
			s.I++
			return v, true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// String reads a string as json.Unmarshal would into a string: ASCII
// ones with the one-letter escapes here (a model's code is full of \" and
// \n), others (\u escapes, non-ASCII bytes, which json.Unmarshal checks
// for UTF-8) through json.Unmarshal of the string alone.
func (s *Scanner) String() (string, bool) {
	start := s.I
	if v, ok := s.asciiString(); ok {
		return v, true
	}
	s.I = start
	if !s.str() {
		return "", false
	}
	var v string
	if json.Unmarshal(s.B[start:s.I], &v) != nil {
		return "", false
	}
	return v, true
}

// asciiString reads a string of printable ASCII and one-letter escapes.
func (s *Scanner) asciiString() (string, bool) {
	if !s.Byte('"') {
		return "", false
	}
	start, escapes := s.I, false
	for ; s.I < len(s.B); s.I++ {
		c := s.B[s.I]
		switch {
		case c == '"':
			v := s.B[start:s.I]
			s.I++
			if !escapes {
				return string(v), true
			}
			return unescape(v), true
		case c == '\\':
			if s.I+1 >= len(s.B) || unescaped[s.B[s.I+1]] == 0 {
				return "", false
			}
			escapes = true
			s.I++
		case c < 0x20 || c >= 0x80:
			return "", false
		}
	}
	return "", false
}

// unescaped maps the letter of a one-letter escape to its byte.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unescape undoes the one-letter escapes of v (checked by asciiString).
func unescape(v []byte) string {
	var out strings.Builder
	out.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			i++
			out.WriteByte(unescaped[v[i]])
			continue
		}
		out.WriteByte(v[i])
	}
	return out.String()
}

// Int reads a number as json.Unmarshal would into an int: an integer
// literal in range (a fraction, an exponent or an overflow is its error).
func (s *Scanner) Int() (int, bool) {
	start := s.I
	if !s.number() {
		return 0, false
	}
	n, err := strconv.Atoi(string(s.B[start:s.I]))
	return n, err == nil
}

// Float reads a number as json.Unmarshal would into a float64.
func (s *Scanner) Float() (float64, bool) {
	start := s.I
	if !s.number() {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(s.B[start:s.I]), 64)
	return f, err == nil
}

// Value validates one JSON value of any kind, as json.Valid would, and
// returns it, aliasing B.
func (s *Scanner) Value() ([]byte, bool) {
	start := s.I
	if !s.value(0) {
		return nil, false
	}
	return s.B[start:s.I:s.I], true
}

// number reads a JSON number (RFC 8259 grammar).
func (s *Scanner) number() bool {
	s.Byte('-')
	switch {
	case s.Byte('0'):
	case s.I < len(s.B) && '1' <= s.B[s.I] && s.B[s.I] <= '9':
		s.digits()
	default:
		return false
	}
	if s.Byte('.') && !s.digits() {
		return false
	}
	if s.I < len(s.B) && (s.B[s.I] == 'e' || s.B[s.I] == 'E') {
		s.I++
		if !s.Byte('+') {
			s.Byte('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

func (s *Scanner) digits() bool {
	start := s.I
	for s.I < len(s.B) && '0' <= s.B[s.I] && s.B[s.I] <= '9' {
		s.I++
	}
	return s.I > start
}

func (s *Scanner) value(depth int) bool {
	if s.I >= len(s.B) || depth >= MaxDepth {
		return false
	}
	switch c := s.B[s.I]; c {
	case '{':
		return s.object(s.anyKey, func([]byte) bool { return s.value(depth + 1) })
	case '[':
		return s.Array(func() bool { return s.value(depth + 1) })
	case '"':
		return s.str()
	case 't':
		return s.Literal("true")
	case 'f':
		return s.Literal("false")
	case 'n':
		return s.Literal("null")
	}
	return s.number()
}

// anyKey reads an object key, escapes included, for value.
func (s *Scanner) anyKey() ([]byte, bool) {
	start := s.I
	ok := s.str()
	return s.B[start:s.I], ok
}

// str validates a JSON string, escapes included. Like json.Valid it takes
// any byte from 0x20 up, invalid UTF-8 too.
func (s *Scanner) str() bool {
	if !s.Byte('"') {
		return false
	}
	for s.I < len(s.B) {
		c := s.B[s.I]
		s.I++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if s.I >= len(s.B) {
				return false
			}
			e := s.B[s.I]
			s.I++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(s.B)-s.I < 4 {
					return false
				}
				for _, h := range s.B[s.I : s.I+4] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				s.I += 4
			default:
				return false
			}
		}
	}
	return false
}
