package assemble

import (
	"errors"
	"fmt"
	"strings"
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
// Python source (def or async def at column 0), in order of definition,
// each once. Text inside string literals and comments is ignored.
func DefinedFunctions(src string) []string {
	var names []string
	seen := map[string]bool{}
	for line := range strings.Lines(mask(src)) {
		rest, ok := strings.CutPrefix(line, "def ")
		if !ok {
			rest, ok = strings.CutPrefix(line, "async def ")
		}
		if !ok {
			continue
		}
		if name := firstWord(rest); name != "" && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
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
