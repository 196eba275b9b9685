package assemble

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Match says how [Lookup] found the function.
type Match string

// The ways [Lookup] can match, best first.
const (
	MatchExact    Match = "exact"    // the name asked for is defined
	MatchSingle   Match = "single"   // the module defines exactly one function
	MatchContains Match = "contains" // the first function whose name contains the one asked for
)

// Lookup errors; the error returned wraps one of them and lists the
// functions that are defined ("available: a, b").
var (
	ErrMissing   = errors.New("function missing")
	ErrAmbiguous = errors.New("function ambiguous")
)

// DefinedFunctions lists the names of the module-level functions of a
// Python source, in order of definition, each once, as Python's own parser
// sees them: "def" or "async def" at column 0 (after any form feeds, which
// Python ignores there), keywords and name separated by spaces, tabs or
// backslash line continuations; lines ending in \n, \r\n or \r; text inside
// string literals and comments ignored; decorated functions included,
// methods and nested functions not. Names are returned NFKC-normalised, as
// Python stores identifiers ("ﬁnd" defines find).
func DefinedFunctions(src string) []string {
	var names []string
	seen := map[string]bool{}
	m := mask(normalizeNewlines(src))
	for len(m) > 0 {
		line := m
		if i := strings.IndexByte(m, '\n'); i >= 0 {
			line, m = m[:i], m[i+1:]
		} else {
			m = ""
		}
		// Backslash continuations join the next lines, as Python does.
		for strings.HasSuffix(line, "\\") && len(m) > 0 {
			next := m
			if i := strings.IndexByte(m, '\n'); i >= 0 {
				next, m = m[:i], m[i+1:]
			} else {
				m = ""
			}
			line = line[:len(line)-1] + " " + next
		}
		line = strings.TrimLeft(line, "\f")
		rest, ok := cutKeyword(line, "def")
		if !ok {
			if rest, ok = cutKeyword(line, "async"); ok {
				rest, ok = cutKeyword(rest, "def")
			}
		}
		if !ok {
			continue
		}
		// A keyword is no name: "def \" and then "def f():" on the next
		// line is a SyntaxError, not a function named def.
		if name := norm.NFKC.String(firstWord(rest)); isIdentifier(name) && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}

// cutKeyword cuts keyword kw and the blanks after it from the start of
// line; the keyword must end there (def, not define).
func cutKeyword(line, kw string) (string, bool) {
	rest, ok := strings.CutPrefix(line, kw)
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\f') {
		return "", false
	}
	return strings.TrimLeft(rest, " \t\f"), true
}

// normalizeNewlines turns \r\n and lone \r line ends into \n, the three
// line ends Python's tokenizer knows.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// Lookup picks the function to test among the defined ones, because models
// rename functions (the test expects multiply, the model wrote
// multiply_numbers): the exact name; else the only function defined; else
// the first whose name contains want. Otherwise the error wraps ErrMissing
// (nothing defined, or want is empty) or ErrAmbiguous (several functions,
// none of them named like want).
func Lookup(defined []string, want string) (name string, how Match, err error) {
	if want != "" {
		for _, d := range defined {
			if d == want {
				return d, MatchExact, nil
			}
		}
	}
	if len(defined) == 1 {
		return defined[0], MatchSingle, nil
	}
	if want != "" {
		for _, d := range defined {
			if strings.Contains(d, want) {
				return d, MatchContains, nil
			}
		}
	}
	available := "none"
	if len(defined) > 0 {
		available = strings.Join(defined, ", ")
	}
	if len(defined) == 0 || want == "" {
		return "", "", fmt.Errorf("%w: %q (available: %s)", ErrMissing, want, available)
	}
	return "", "", fmt.Errorf("%w: %q is none of %d functions (available: %s)", ErrAmbiguous, want, len(defined), available)
}
