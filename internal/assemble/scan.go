package assemble

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// mask returns src with the contents of string literals and comments
// replaced by spaces, newlines kept, so that keyword and name searches do
// not look inside them. Quote characters stay in place. It is a lexer for
// the common cases (prefixes, escapes, triple quotes), not a full one: an
// unterminated single-quoted string ends at the end of its line.
func mask(src string) string { return string(maskBytes([]byte(src))) }

// joinLines is strings.Join(lines, "\n") as a fresh byte slice, for
// maskBytes.
func joinLines(lines []string) []byte {
	n := len(lines)
	for _, l := range lines {
		n += len(l)
	}
	b := make([]byte, 0, n)
	for i, l := range lines {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, l...)
	}
	return b
}

// maskBytes is mask in place.
func maskBytes(b []byte) []byte {
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '#':
			for i < len(b) && b[i] != '\n' {
				b[i] = ' '
				i++
			}
		case '\'', '"':
			triple := i+2 < len(b) && b[i+1] == c && b[i+2] == c
			start := i + 1
			if triple {
				start = i + 3
			}
			i = start
			for i < len(b) {
				if b[i] == '\\' && i+1 < len(b) {
					b[i] = ' '
					if b[i+1] != '\n' {
						b[i+1] = ' '
					}
					i += 2
					continue
				}
				if triple && b[i] == c && i+2 < len(b) && b[i+1] == c && b[i+2] == c {
					i += 3
					break
				}
				if !triple && b[i] == c {
					i++
					break
				}
				if !triple && b[i] == '\n' {
					break
				}
				if b[i] != '\n' {
					b[i] = ' '
				}
				i++
			}
		default:
			i++
		}
	}
	return b
}

// firstWord returns the identifier a line starts with, after its leading
// whitespace ("" when it starts with anything else).
func firstWord(line string) string {
	s := strings.TrimLeft(line, " \t")
	end := 0
	for end < len(s) {
		r, n := utf8.DecodeRuneInString(s[end:])
		if !isIdentRune(r, end == 0) {
			break
		}
		end += n
	}
	return s[:end]
}

// secondWord returns the identifier after the first one ("for" in
// "async for x in y:").
func secondWord(line string) string {
	s := strings.TrimLeft(line, " \t")
	return firstWord(s[len(firstWord(s)):])
}

// isIdentRune follows Python's identifier rule (PEP 3131): a start
// character is a letter (Lu, Ll, Lt, Lm, Lo), a letter number (Nl), the
// underscore or one of Other_ID_Start; the others may also be combining
// marks (Mn, Mc), digits (Nd), connector punctuation (Pc) or one of
// Other_ID_Continue. (Python checks the NFKC form; the few characters whose
// NFKC form differs in class are rare enough to leave to the parser.)
func isIdentRune(r rune, first bool) bool {
	if r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r) {
		return true
	}
	return !first && (unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc) || unicode.Is(unicode.Other_ID_Continue, r))
}

// isIdentifier reports whether s is a Python identifier that is not a
// reserved keyword.
func isIdentifier(s string) bool {
	if s == "" || pyKeywords[s] {
		return false
	}
	for i, r := range s {
		if !isIdentRune(r, i == 0) {
			return false
		}
	}
	return true
}

// pyKeywords are Python's hard keywords (soft ones such as match and case
// are valid names).
var pyKeywords = setOf("False", "None", "True", "and", "as", "assert", "async",
	"await", "break", "class", "continue", "def", "del", "elif", "else",
	"except", "finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
	"while", "with", "yield")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// indentWidth is the width of a line's leading whitespace, a tab counting
// as four spaces.
func indentWidth(line string) int {
	w := 0
	for _, r := range line {
		switch r {
		case ' ':
			w++
		case '\t':
			w += 4
		default:
			return w
		}
	}
	return w
}

// reindent replaces a line's leading whitespace by width-shift spaces.
func reindent(line string, shift int) string {
	body := strings.TrimLeft(line, " \t")
	w := indentWidth(line) - shift
	if w < 0 {
		w = 0
	}
	return strings.Repeat(" ", w) + body
}
