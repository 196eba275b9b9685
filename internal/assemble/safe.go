package assemble

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// IR strings (names, types, descriptions, rationales) come from a model
// and must never become code in the assembled module: only the code
// answer's statements may. Names are checked to be identifiers (checkNames);
// text goes into the docstring escaped (docText) or into comments one line
// each (commentLines); types, which are written as annotations, must be
// type expressions of the grammar below, and anything else is written as a
// string annotation, which Python keeps as text and never runs.
//
//	type    := union
//	union   := primary ("|" primary)*
//	primary := atom ("." NAME | "[" list "]")*
//	atom    := NAME | NUMBER | "-" NUMBER | STRING | "..." | "[" [list] "]"
//	list    := type ("," type)* [","]
//
// NAME is an identifier that is not a keyword (None, True and False
// excepted), NUMBER is decimal digits with an optional fraction, STRING a
// quoted string without prefix, backslash, newline or its own quote. There
// is no call, no lambda, no operator but "|" and no way out of the
// brackets the assembler writes around the annotation.

// annotation returns t as an annotation: as it is when it is a type
// expression, else as a Python string literal.
func annotation(t string) string {
	if isTypeExpr(t) {
		return t
	}
	return pyString(t)
}

// cutDefault cuts t at its first "=" outside brackets and quotes.
func cutDefault(t string) (typ, def string, ok bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(' || c == '{':
			depth++
		case c == ']' || c == ')' || c == '}':
			depth--
		case c == '=' && depth == 0:
			return strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+1:]), true
		}
	}
	return "", "", false
}

// isConstant accepts the defaults a type hint may carry: None, True,
// False, a number, a plain string, or an empty list, dict or tuple.
func isConstant(s string) bool {
	switch s {
	case "None", "True", "False", "[]", "{}", "()", "...":
		return true
	}
	p := &typeParser{s: s}
	p.skip()
	switch {
	case p.number(), p.str():
	case p.peek() == '-':
		p.i++
		if !p.number() {
			return false
		}
	default:
		return false
	}
	p.skip()
	return p.i == len(p.s)
}

func isTypeExpr(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	p := &typeParser{s: s}
	if !p.union(0) {
		return false
	}
	p.skip()
	return p.i == len(p.s)
}

// typeParser is a recursive-descent recogniser for the grammar above.
type typeParser struct {
	s string
	i int
}

// maxTypeDepth bounds the nesting a type may have, so that a hostile
// "[[[[..." cannot exhaust the stack.
const maxTypeDepth = 32

func (p *typeParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *typeParser) peek() byte {
	p.skip()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *typeParser) union(depth int) bool {
	if depth > maxTypeDepth || !p.primary(depth) {
		return false
	}
	for p.peek() == '|' {
		p.i++
		if !p.primary(depth) {
			return false
		}
	}
	return true
}

func (p *typeParser) primary(depth int) bool {
	if !p.atom(depth) {
		return false
	}
	for {
		switch p.peek() {
		case '.':
			if strings.HasPrefix(p.s[p.i:], "...") {
				return true
			}
			p.i++
			p.skip()
			if !p.name() {
				return false
			}
		case '[':
			p.i++
			if p.peek() == ']' || !p.list(depth+1) || p.peek() != ']' {
				return false
			}
			p.i++
		default:
			return true
		}
	}
}

func (p *typeParser) atom(depth int) bool {
	switch c := p.peek(); {
	case c == '[':
		p.i++
		if p.peek() != ']' && !p.list(depth+1) {
			return false
		}
		if p.peek() != ']' {
			return false
		}
		p.i++
		return true
	case c == '-':
		p.i++
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "..."):
		p.i += 3
		return true
	}
	return p.number() || p.str() || p.name()
}

func (p *typeParser) list(depth int) bool {
	if !p.union(depth) {
		return false
	}
	for p.peek() == ',' {
		p.i++
		if c := p.peek(); c == ']' {
			return true
		}
		if !p.union(depth) {
			return false
		}
	}
	return true
}

func (p *typeParser) name() bool {
	w := firstWord(p.s[p.i:])
	if w == "" || (pyKeywords[w] && w != "None" && w != "True" && w != "False") {
		return false
	}
	p.i += len(w)
	return p.i == len(p.s) || !isQuote(p.s[p.i]) // no string prefixes: f"{...}" runs code
}

func (p *typeParser) number() bool {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == start {
		return false
	}
	if p.i+1 < len(p.s) && p.s[p.i] == '.' && '0' <= p.s[p.i+1] && p.s[p.i+1] <= '9' {
		p.i++
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
		}
	}
	if p.i < len(p.s) {
		if r, _ := utf8.DecodeRuneInString(p.s[p.i:]); isIdentRune(r, false) || isQuote(p.s[p.i]) || p.s[p.i] == '.' {
			p.i = start
			return false // 1if, 1e5, 1_0, 1.2.3: not worth telling apart
		}
	}
	return true
}

func (p *typeParser) str() bool {
	if p.i >= len(p.s) || !isQuote(p.s[p.i]) {
		return false
	}
	q := p.s[p.i]
	for j := p.i + 1; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == q:
			p.i = j + 1
			return true
		case c == '\\' || c < 0x20 || c == 0x7f:
			return false
		}
	}
	return false
}

func isQuote(c byte) bool { return c == '\'' || c == '"' }

// pyString writes s as a Python string literal that evaluates to s (invalid
// UTF-8 replaced by U+FFFD): backslash, quote and every control character
// escaped, so nothing in s can end the literal or the line.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (0x80 <= r && r <= 0x9f):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0x2028 || r == 0x2029 || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// escapeControls writes the control characters of text that goes inside a
// docstring (whose backslashes docText has already doubled) as escapes,
// \n and \t excepted: a NUL would make the module unparseable and a \r
// would end a comment line early. Invalid UTF-8 becomes U+FFFD.
func escapeControls(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, `\x%02x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (0x80 <= r && r <= 0x9f)
}
