package assemble

import (
	"strings"

	"github.com/lift-sys/lifttest/internal/ir"
)

// typeWords maps the type words models write (JSON Schema, other
// languages, plain English) to Python annotations; keys are lower case.
var typeWords = map[string]string{
	"str": "str", "string": "str", "text": "str", "char": "str", "character": "str",
	"int": "int", "integer": "int", "long": "int",
	"float": "float", "double": "float", "number": "float", "real": "float",
	"bool": "bool", "boolean": "bool",
	"list": "list", "array": "list",
	"dict": "dict", "dictionary": "dict", "map": "dict", "hashmap": "dict",
	"set": "set", "frozenset": "frozenset", "tuple": "tuple", "bytes": "bytes",
	"any": "Any", "object": "Any",
	"none": "None", "null": "None", "nil": "None", "void": "None",
	"callable": "Callable", "function": "Callable",
}

// NormalizeType maps a type word from the IR to a Python annotation:
// string->str, integer->int, boolean->bool, array/list->list,
// dictionary->dict, any/object->Any, float/double/number->float,
// none/null/void->None. Words are matched case-insensitively, so the typing
// aliases List, Dict, Tuple and Set become the builtin generics (list[int]
// needs no import from Python 3.9 on). Generic arguments ("array[integer]"
// -> "list[int]"), unions ("string | null" -> "str | None") and nested
// brackets are normalised part by part; anything unknown (Optional, a
// class name) is kept as written. The empty string stays empty.
func NormalizeType(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if parts := splitTop(s, '|'); len(parts) > 1 {
		for i, p := range parts {
			parts[i] = NormalizeType(p)
		}
		return strings.Join(parts, " | ")
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		// An argument list, as in Callable[[int, str], bool].
		return "[" + normalizeArgs(s[1:len(s)-1]) + "]"
	}
	if open := strings.IndexByte(s, '['); open > 0 && strings.HasSuffix(s, "]") {
		return normalizeWord(s[:open]) + "[" + normalizeArgs(s[open+1:len(s)-1]) + "]"
	}
	return normalizeWord(s)
}

func normalizeWord(w string) string {
	w = strings.TrimSpace(w)
	if py, ok := typeWords[strings.ToLower(w)]; ok {
		return py
	}
	return w
}

func normalizeArgs(s string) string {
	args := splitTop(s, ',')
	for i, a := range args {
		args[i] = NormalizeType(a)
	}
	return strings.Join(args, ", ")
}

// splitTop splits s at sep where sep is outside brackets.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// Signature returns the one-line Python signature of fn without the final
// colon, "def name(a: int, b: int) -> int", types normalised with
// [NormalizeType]. A parameter without a type hint is written bare and an
// empty return type gives no "->" part. The code prompt quotes it as the
// IR states it (the recorded prompts depend on it, byte for byte).
// Assemble writes the same parameters, one per line when there are three
// or more, made safe: a type that is not a plain type expression becomes
// a string annotation, so that no IR text runs as code (see params and
// safe.go).
func Signature(fn ir.IR) string {
	ps := make([]string, len(fn.Signature.Parameters))
	for i, p := range fn.Signature.Parameters {
		ps[i] = p.Name
		if t := NormalizeType(p.TypeHint); t != "" {
			ps[i] += ": " + t
		}
	}
	ret := ""
	if t := NormalizeType(fn.Signature.Returns); t != "" {
		ret = " -> " + t
	}
	return "def " + fn.Signature.Name + "(" + strings.Join(ps, ", ") + ")" + ret
}

// signatureLines is the skeleton's def line(s), colon included.
func signatureLines(fn ir.IR) []string {
	ps := params(fn)
	if len(ps) <= 2 {
		return []string{"def " + fn.Signature.Name + "(" + strings.Join(ps, ", ") + ")" + returnHint(fn) + ":"}
	}
	lines := []string{"def " + fn.Signature.Name + "("}
	for i, p := range ps {
		if i < len(ps)-1 {
			p += ","
		}
		lines = append(lines, indentUnit+p)
	}
	return append(lines, ")"+returnHint(fn)+":")
}

// params writes the parameters. A default a type hint carries ("int = 0",
// "Optional[str] = None", as models write them) is kept when it is a
// literal constant, even where Python rejects it (a default before a
// parameter without one): that SyntaxError is the model's, and recorded
// runs count it (see the expanded/default_value case). A default that is
// not a constant is no default: the whole hint becomes the annotation.
func params(fn ir.IR) []string {
	ps := make([]string, len(fn.Signature.Parameters))
	for i, p := range fn.Signature.Parameters {
		ps[i] = p.Name
		t := NormalizeType(p.TypeHint)
		if t == "" {
			continue
		}
		if typ, def, ok := cutDefault(t); ok && isConstant(def) {
			if typ != "" {
				ps[i] += ": " + annotation(typ)
			}
			ps[i] += " = " + def
			continue
		}
		ps[i] += ": " + annotation(t)
	}
	return ps
}

func returnHint(fn ir.IR) string {
	if t := NormalizeType(fn.Signature.Returns); t != "" {
		return " -> " + annotation(t)
	}
	return ""
}
