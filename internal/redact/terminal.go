package redact

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Terminal returns s safe to print on a terminal: model output in a test
// log must not move the cursor, recolour the screen, set the window title,
// hide text or reorder it. Newline and tab are kept; every other C0
// control, DEL and every C1 control (U+0080–U+009F) is written as a Go
// escape (\x1b, \u009b), which also defuses ANSI escape sequences, since
// they all start with ESC or CSI; bidirectional overrides, embeddings,
// isolates and marks (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069) and the line and paragraph separators U+2028 and U+2029
// are escaped the same way; bytes that are not UTF-8 are written as \xNN.
// Everything else is unchanged, so ordinary text, code included, reads
// as it was.
func Terminal(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case 0x80 <= r && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}
