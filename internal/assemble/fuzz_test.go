package assemble

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzAssemble puts fuzzed text in every IR string around a fixed code
// answer. Without Python in the loop (TestHostileIRCannotBecomeCode runs
// Python on a corpus), it checks what Go can: no panic; the module is
// UTF-8 without NUL; the functions defined are exactly the helper and the
// target; and every line at column 0 outside strings and comments is one
// the assembler writes (an import, a def, the closing parenthesis of a
// long signature), so no IR text became a statement of its own.
func FuzzAssemble(f *testing.F) {
	for i, s := range hostile {
		f.Add(s, hostile[(i+1)%len(hostile)], hostile[(i+2)%len(hostile)], "target", uint8(i))
	}
	f.Add("Adds", "int", "int", "add", uint8(2))
	f.Fuzz(func(t *testing.T, text, typ, ret, name string, params uint8) {
		fn := benignIR(int(params%4) + 1)
		fn.Signature.Name = name
		fn.Intent.Summary, fn.Intent.Rationale = text, typ
		fn.Signature.Returns = ret
		for i := range fn.Signature.Parameters {
			fn.Signature.Parameters[i].TypeHint = []string{typ, ret, text}[i%3]
			fn.Signature.Parameters[i].Description = text
		}
		code := cloneCode(benignCode)
		code.Implementation.Algorithm = text
		code.Implementation.BodyStatements[1].Rationale = ret
		src, err := Assemble(fn, code)
		if err != nil {
			return
		}
		if !utf8.ValidString(src) || strings.ContainsRune(src, 0) {
			t.Fatalf("module is not clean UTF-8:\n%q", src)
		}
		want := []string{"helper", norm.NFKC.String(name)}
		if name == "helper" {
			want = want[:1]
		}
		if got := DefinedFunctions(src); !slices.Equal(got, want) {
			t.Fatalf("DefinedFunctions = %q, want %q:\n%s", got, want, src)
		}
		for _, l := range strings.Split(mask(normalizeNewlines(src)), "\n") {
			if l == "" || l[0] == ' ' || strings.TrimSpace(l) == "" {
				continue
			}
			if !strings.HasPrefix(l, "from typing import ") && !strings.HasPrefix(l, "from math import ") &&
				!strings.HasPrefix(l, "def ") && !strings.HasPrefix(l, ")") {
				t.Fatalf("a top-level line the assembler does not write: %q\n%s", l, src)
			}
		}
	})
}

// FuzzDefinedFunctions checks DefinedFunctions on any text: no panic, each
// name once, each a normalised identifier; and Lookup agrees with it.
func FuzzDefinedFunctions(f *testing.F) {
	for _, s := range defFragments {
		f.Add(s+"\ndef f():\n    pass\n", "f")
	}
	f.Add("def \\\n g():\r\tpass\rasync\tdef h(): pass", "h")
	for _, b := range defBlocks {
		f.Add(b, "f")
	}
	f.Fuzz(func(t *testing.T, src, want string) {
		got := DefinedFunctions(src)
		seen := map[string]bool{}
		for _, n := range got {
			if seen[n] || !isIdentifier(n) || norm.NFKC.String(n) != n {
				t.Fatalf("DefinedFunctions(%q) = %q: %q", src, got, n)
			}
			seen[n] = true
		}
		name, how, err := Lookup(got, want)
		if err == nil && !seen[name] {
			t.Fatalf("Lookup chose %q (%s), not defined in %q", name, how, got)
		}
		if err != nil && len(got) == 1 {
			t.Fatalf("Lookup failed with one function defined: %v", err)
		}
	})
}

// FuzzNormalizeType: no panic, and whatever type it returns, the
// assembler writes it either as a type expression or as a string.
func FuzzNormalizeType(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := annotation(NormalizeType(s))
		if strings.ContainsAny(a, "\n\r\x00") {
			t.Fatalf("annotation %q of %q has a line end", a, s)
		}
	})
}

// typingRefOracle is the regular expression typingRefs replaced.
var typingRefOracle = regexp.MustCompile(`(^|[^.\w])(` + strings.Join(typingExports, "|") + `)\b`)

// FuzzTypingRefs checks the scanner against the regular expression it
// replaced: the same names, in the same order.
func FuzzTypingRefs(f *testing.F) {
	for _, s := range []string{"x: List[int]", "t.List, Listy, List2, _List, (Dict)", "Optional[Type]\nTypeVar TypedDict",
		"éList .Dict\t.List", "1List List_ List", ""} {
		f.Add(s)
	}
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var want, got []string
		for _, m := range typingRefOracle.FindAllStringSubmatch(src, -1) {
			want = append(want, m[2])
		}
		typingRefs([]byte(src), func(n string) { got = append(got, n) })
		if !slices.Equal(got, want) {
			t.Fatalf("typingRefs(%q) = %q, the expression finds %q", src, got, want)
		}
	})
}
