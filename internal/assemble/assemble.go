package assemble

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lift-sys/lifttest/internal/ir"
)

// Assemble errors; the error returned wraps one of them and says where.
var (
	ErrEmptyBody     = errors.New("empty body")
	ErrInvalidName   = errors.New("invalid name")
	ErrInvalidImport = errors.New("invalid import")
)

// Assemble builds the Python module for the IR's function from the stage-2
// code answer: typing import, imports, helper functions, then the function
// with its docstring, algorithm comment and body (see the package
// documentation for the format and the indentation rules). The result has
// no final newline, like the recorded source_code fields.
func Assemble(fn ir.IR, code ir.Code) (string, error) {
	if err := checkNames(fn); err != nil {
		return "", err
	}
	if len(code.Implementation.BodyStatements) == 0 {
		return "", fmt.Errorf("assemble %s: %w: no body statements", fn.Signature.Name, ErrEmptyBody)
	}
	imports, err := importLines(code.Imports)
	if err != nil {
		return "", fmt.Errorf("assemble %s: %w", fn.Signature.Name, err)
	}
	helpers, err := helperLines(code.HelperFunctions)
	if err != nil {
		return "", fmt.Errorf("assemble %s: %w", fn.Signature.Name, err)
	}

	var fnLines []string
	fnLines = append(fnLines, signatureLines(fn)...)
	fnLines = append(fnLines, docstring(fn)...)
	// The algorithm is prose: each of its lines becomes a comment line,
	// whatever line ends and control characters it has.
	if alg := escapeControls(strings.TrimSpace(normalizeNewlines(code.Implementation.Algorithm))); alg != "" {
		for i, l := range strings.Split(alg, "\n") {
			if i == 0 {
				fnLines = append(fnLines, strings.TrimRight(indentUnit+"# Algorithm: "+strings.TrimSpace(l), " "))
			} else {
				fnLines = append(fnLines, strings.TrimRight(indentUnit+"# "+strings.TrimSpace(l), " "))
			}
		}
		fnLines = append(fnLines, "")
	}
	fnLines = append(fnLines, body(code.Implementation.BodyStatements)...)

	var out []string
	// __future__ imports must open the module.
	if future := slices.DeleteFunc(slices.Clone(imports), func(l string) bool { return !strings.HasPrefix(l, "from __future__ ") }); len(future) > 0 {
		out = append(out, future...)
		out = append(out, "")
		imports = slices.DeleteFunc(imports, func(l string) bool { return strings.HasPrefix(l, "from __future__ ") })
	}
	if names := typingNames(code.Imports, helpers, fnLines); len(names) > 0 {
		out = append(out, "from typing import "+strings.Join(names, ", "), "")
	}
	if len(imports) > 0 {
		out = append(out, imports...)
		out = append(out, "")
	}
	out = append(out, helpers...)
	out = append(out, fnLines...)
	return strings.Join(out, "\n"), nil
}

// checkNames rejects a function or parameter name that Python would not
// accept, since the error would otherwise surface as a SyntaxError blamed
// on the model's code.
func checkNames(fn ir.IR) error {
	name := fn.Signature.Name
	if !isIdentifier(name) {
		return fmt.Errorf("assemble: %w: function name %q is not a Python identifier", ErrInvalidName, name)
	}
	seen := map[string]bool{}
	for i, p := range fn.Signature.Parameters {
		if !isIdentifier(p.Name) {
			return fmt.Errorf("assemble %s: %w: parameter %d name %q is not a Python identifier", name, ErrInvalidName, i+1, p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("assemble %s: %w: parameter %q is repeated", name, ErrInvalidName, p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

// docstring returns the Google-style docstring lines, indented. Every line
// gets the indentation, blank ones too, as in the recorded output.
func docstring(fn ir.IR) []string {
	summary := docText(fn.Intent.Summary)
	if summary != "" && !strings.HasSuffix(summary, ".") && !strings.HasSuffix(summary, "?") && !strings.HasSuffix(summary, "!") {
		summary += "."
	}
	doc := []string{`"""` + summary}
	if r := docText(fn.Intent.Rationale); r != "" {
		doc = append(doc, "")
		doc = append(doc, strings.Split(r, "\n")...)
	}
	if ps := fn.Signature.Parameters; len(ps) > 0 {
		doc = append(doc, "", "Args:")
		for _, p := range ps {
			desc := strings.Join(strings.Fields(docText(p.Description)), " ")
			if desc == "" {
				desc = "Parameter value"
			}
			doc = append(doc, indentUnit+p.Name+": "+desc)
		}
	}
	if r := docText(NormalizeType(fn.Signature.Returns)); r != "" && r != "None" {
		doc = append(doc, "", "Returns:", indentUnit+strings.Join(strings.Fields(r), " "))
	}
	doc = append(doc, `"""`)
	for i, l := range doc {
		doc[i] = indentUnit + l
	}
	return doc
}

// docText trims s and escapes what would end or break the docstring:
// backslashes, triple quotes, a quote at either end (which would merge
// with the docstring's own quotes), and control characters (see
// escapeControls). Line ends become \n.
func docText(s string) string {
	s = strings.TrimSpace(normalizeNewlines(s))
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"""`, `\"\"\"`)
	if strings.HasPrefix(s, `"`) {
		s = `\` + s
	}
	if strings.HasSuffix(s, `"`) && (len(s)-len(strings.TrimRight(s[:len(s)-1], `\`)))%2 == 1 {
		s = s[:len(s)-1] + `\"` // not already escaped: an even run of backslashes before it
	}
	return escapeControls(s)
}

// notSelfNamed are common standard modules without an attribute of their
// own name: "from m import m" is a model slip for "import m" (a recorded
// answer assembled to "from re import re"). Modules that have one
// (datetime, time, copy, random, glob, pprint, ...) and modules not listed
// are left alone.
var notSelfNamed = setOf("abc", "argparse", "ast", "asyncio", "base64",
	"binascii", "cmath", "codecs", "collections", "contextlib", "csv",
	"dataclasses", "decimal", "difflib", "enum", "fractions", "functools",
	"gzip", "hashlib", "heapq", "hmac", "html", "http", "inspect", "io",
	"ipaddress", "itertools", "json", "logging", "math", "numbers", "operator",
	"os", "pathlib", "pickle", "queue", "re", "secrets", "shutil", "sqlite3",
	"statistics", "string", "struct", "subprocess", "sys", "tempfile",
	"textwrap", "threading", "traceback", "types", "typing", "unicodedata",
	"urllib", "uuid", "warnings", "weakref", "zlib", "zoneinfo")

var moduleName = regexp.MustCompile(`^\.*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// importLines writes one import line per entry, repairing "from m import m"
// for modules that have no attribute m, and dropping exact repeats.
func importLines(imports []ir.Import) ([]string, error) {
	var lines []string
	add := func(l string) {
		if !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	for i, imp := range imports {
		mod := strings.TrimSpace(imp.Module)
		if !moduleName.MatchString(mod) {
			return nil, fmt.Errorf("%w: entry %d: module %q is not a module name", ErrInvalidImport, i+1, imp.Module)
		}
		var names []string
		whole := false
		for _, n := range imp.Names {
			n = strings.TrimSpace(n)
			switch {
			case n == "":
			case n == mod && notSelfNamed[mod]:
				whole = true
			default:
				names = append(names, n)
			}
		}
		if whole || len(names) == 0 {
			add("import " + mod)
		}
		if len(names) > 0 {
			add("from " + mod + " import " + strings.Join(names, ", "))
		}
	}
	return lines, nil
}

// helperLines writes the helper functions, each followed by two blank
// lines. A helper's signature may come with or without "def" and the
// colon; a body that is a whole definition is used as it is.
func helperLines(helpers []ir.HelperFunction) ([]string, error) {
	var out []string
	for i, h := range helpers {
		bodyLines := dedent(h.Body)
		if len(bodyLines) > 0 {
			if w := firstWord(bodyLines[0]); w == "def" || (w == "async" && secondWord(bodyLines[0]) == "def") {
				out = append(out, bodyLines...)
				out = append(out, "", "")
				continue
			}
		}
		sig := strings.TrimSpace(h.Signature)
		sig = strings.TrimSuffix(sig, ":")
		prefix := "def "
		if rest, ok := strings.CutPrefix(sig, "async def "); ok {
			prefix, sig = "async def ", rest
		}
		sig = strings.TrimSpace(strings.TrimPrefix(sig, "def "))
		name := strings.TrimSpace(h.Name)
		switch {
		case sig == "":
			sig = name + "()"
		case strings.HasPrefix(sig, "("):
			sig = name + sig
		case !strings.Contains(sig, "("):
			sig += "()"
		}
		if !isIdentifier(firstWord(sig)) || !strings.HasPrefix(sig, firstWord(sig)+"(") {
			return nil, fmt.Errorf("%w: helper function %d: signature %q has no valid function name", ErrInvalidName, i+1, h.Signature)
		}
		out = append(out, prefix+sig+":")
		if len(bodyLines) == 0 {
			bodyLines = []string{"pass"}
		}
		for _, l := range bodyLines {
			if l == "" {
				out = append(out, "")
			} else {
				out = append(out, indentUnit+l)
			}
		}
		out = append(out, "", "")
	}
	return out, nil
}

// typingExports are the typing names the assembler imports when the code
// uses them. Names that collections also exports (Counter, Deque,
// OrderedDict, DefaultDict) are left out: the model imports those itself.
var typingExports = []string{"Any", "Callable", "Dict", "FrozenSet",
	"Generator", "Generic", "Iterable", "Iterator", "List", "Literal",
	"Mapping", "NamedTuple", "Optional", "Protocol", "Sequence", "Set",
	"Tuple", "Type", "TypeVar", "TypedDict", "Union"}

// typingExport is typingExports as a set.
var typingExport = func() map[string]bool {
	m := make(map[string]bool, len(typingExports))
	for _, n := range typingExports {
		m[n] = true
	}
	return m
}()

// typingRefs calls fn for each typing export that src (masked) uses as a
// bare name: a whole word not preceded by a dot (t.List is an attribute).
// A scan rather than a regular expression: the expression's backtracking
// was a fifth of a replay's CPU.
func typingRefs(src []byte, fn func(string)) {
	for i := 0; i < len(src); {
		if !isWordByte(src[i]) {
			i++
			continue
		}
		j := i
		for j < len(src) && isWordByte(src[j]) {
			j++
		}
		if (i == 0 || src[i-1] != '.') && typingExport[string(src[i:j])] {
			fn(string(src[i:j]))
		}
		i = j
	}
}

// isWordByte reports an ASCII word character, as \w in a regexp.
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func typingNames(imports []ir.Import, chunks ...[]string) []string {
	imported := map[string]bool{}
	for _, imp := range imports {
		for _, n := range imp.Names {
			f := strings.Fields(n) // "List as L" imports L
			if len(f) > 0 {
				imported[f[len(f)-1]] = true
			}
		}
	}
	used := map[string]bool{}
	for _, chunk := range chunks {
		typingRefs(maskBytes(joinLines(chunk)), func(n string) {
			if !imported[n] {
				used[n] = true
			}
		})
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
