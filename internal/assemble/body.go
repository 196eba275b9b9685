package assemble

import (
	"regexp"
	"strings"

	"github.com/lift-sys/lifttest/internal/ir"
)

const indentUnit = "    "

// compound keywords start a statement that opens a block when it ends in ":".
var compound = setOf("if", "elif", "else", "for", "while", "with", "try",
	"except", "finally", "def", "class", "async", "match", "case")

// terminators end the block they are in: whatever follows cannot belong to it
// (return, raise, continue, break make it unreachable; pass only fills an
// otherwise empty block).
var terminators = setOf("return", "raise", "continue", "break", "pass")

// continues lists, for each clause that continues a compound statement, the
// headers it can follow.
var continues = map[string][]string{
	"elif":    {"if", "elif"},
	"else":    {"if", "elif", "for", "while", "try", "except"},
	"except":  {"try", "except"},
	"finally": {"try", "except", "else"},
	"case":    {"case"},
}

// continuationTypes maps statement types models use for clauses to the
// clause keyword.
var continuationTypes = map[string]string{
	"elif": "elif", "elif_statement": "elif", "elif_clause": "elif",
	"else": "else", "else_statement": "else", "else_clause": "else",
	"except": "except", "except_statement": "except", "except_clause": "except",
	"finally": "finally", "finally_statement": "finally", "finally_clause": "finally",
}

// notReturnable are first words after which "return " cannot be prefixed.
var notReturnable = setOf("return", "raise", "pass", "continue", "break", "yield",
	"if", "elif", "else", "for", "while", "with", "try", "except", "finally",
	"def", "class", "async", "import", "from", "del", "assert", "global", "nonlocal")

// simpleAssign matches "name = expr" (not ==), which a return-typed
// statement sometimes is.
var simpleAssign = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\s*=([^=].*)$`)

// stmt is one body statement, prepared for placement.
type stmt struct {
	rationale []string
	lines     []string // code, dedented; relative indentation kept
	comment   bool     // a comment-typed statement: lines are comments
	clause    string   // elif, else, except, finally or case when it continues a compound statement
	header    string   // the compound keyword of its last top-level line, when that is a block header
	opens     bool     // that header's block is the next statements (the code ends with it)
	ends      string   // the terminator its last top-level line starts with
}

// prepare normalises one statement: dedents its code, applies the return
// fix and classifies it.
func prepare(s ir.Statement) stmt {
	st := stmt{rationale: commentLines(s.Rationale)}
	code := dedent(s.Code)
	if strings.EqualFold(strings.TrimSpace(s.Type), "comment") {
		st.comment = true
		st.lines = commentLines(strings.Join(code, "\n"))
		return st
	}
	if len(code) == 0 {
		return st
	}
	if t := strings.TrimSpace(s.Type); t == "return" || t == "return_statement" {
		code = fixReturn(code)
	}
	st.lines = code

	// Significant lines (not blank, not only a comment or string body),
	// found on the masked code so that strings spanning lines are skipped.
	masked := strings.Split(string(maskBytes(joinLines(code))), "\n")
	var sig, top []int
	for i, m := range masked {
		if strings.TrimSpace(m) != "" {
			sig = append(sig, i)
			if indentWidth(code[i]) == 0 {
				top = append(top, i)
			}
		}
	}
	if len(top) == 0 {
		return st
	}
	first, last := top[0], top[len(top)-1]
	isHeader := func(i int) bool {
		return strings.HasSuffix(strings.TrimRight(masked[i], " \t"), ":") && compound[firstWord(code[i])]
	}
	if w := firstWord(code[first]); continues[w] != nil && (w != "case" || isHeader(first)) {
		st.clause = w
	} else if kw := continuationTypes[strings.ToLower(strings.TrimSpace(s.Type))]; kw != "" {
		st.clause = kw
	}
	endsTop := sig[len(sig)-1] == last // the code ends with its last top-level line
	kw := firstWord(code[last])
	if kw == "async" {
		kw = secondWord(code[last])
	}
	switch {
	case isHeader(last):
		// A header; its block is the next statements unless the code
		// carries it ("if x:\n    return 1"), which is then complete but
		// can still be continued by a clause.
		st.header = kw
		st.opens = endsTop
	case endsTop && terminators[kw]:
		st.ends = kw
	}
	return st
}

// fixReturn adds the return keyword a return-typed statement lacks. The
// original assembler emitted such code bare, and the function returned None.
func fixReturn(code []string) []string {
	for _, l := range code {
		if indentWidth(l) == 0 && firstWord(l) == "return" {
			return code
		}
	}
	i := 0
	for i < len(code) && strings.TrimSpace(mask(code[i])) == "" {
		i++
	}
	if i == len(code) || notReturnable[firstWord(code[i])] {
		return code
	}
	out := append([]string(nil), code...)
	if m := simpleAssign.FindStringSubmatch(out[i]); m != nil && len(code) == 1 {
		// "result = a + b" typed as a return: return the value.
		out[i] = "return " + strings.TrimSpace(m[1])
		return out
	}
	out[i] = "return " + out[i]
	return out
}

// dedent splits code into lines with tabs expanded, trailing whitespace
// trimmed and the common indentation removed. Models often strip the first
// line but keep the others' indentation from the function they were cut
// from ("for x in xs:\n        t += x\n    return t"): that first line is
// put back at the indentation it must have had.
func dedent(code string) []string {
	code = strings.Trim(strings.ReplaceAll(code, "\r\n", "\n"), "\n")
	if strings.TrimSpace(code) == "" {
		return nil
	}
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(reindent(l, 0), " \t")
	}
	first := 0
	for strings.TrimSpace(lines[first]) == "" {
		first++
	}
	restMin := -1
	second := -1
	for i := first + 1; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		if second < 0 {
			second = i
		}
		if w := indentWidth(lines[i]); restMin < 0 || w < restMin {
			restMin = w
		}
	}
	if indentWidth(lines[first]) == 0 && restMin > 0 {
		head := strings.HasSuffix(strings.TrimRight(mask(lines[first]), " \t"), ":")
		if !head || indentWidth(lines[second]) > restMin {
			// The first line was at restMin before it was stripped.
			lines[first] = strings.Repeat(" ", restMin) + lines[first]
		}
	}
	common := -1
	for _, l := range lines {
		if l == "" {
			continue
		}
		if w := indentWidth(l); common < 0 || w < common {
			common = w
		}
	}
	for i, l := range lines {
		if l != "" {
			lines[i] = reindent(l, common)
		}
	}
	return lines
}

// commentLines turns text into comment lines ("# text"), one per line;
// lines already starting with # are kept.
func commentLines(text string) []string {
	text = strings.TrimSpace(normalizeNewlines(text))
	if text == "" {
		return nil
	}
	var out []string
	// Every line Python would see (\r ends one too) starts with #, and no
	// control character is left to make the module unparseable.
	for _, l := range strings.Split(escapeControls(text), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "#"):
			out = append(out, l)
		case l == "":
			out = append(out, "#")
		default:
			out = append(out, "# "+l)
		}
	}
	return out
}

// openHeader is a block header whose statement can still be continued by a
// clause (an if an elif or else can follow).
type openHeader struct {
	depth int
	kw    string
}

// body places the statements with an indentation stack and returns the
// body lines, indented for the function (depth 0 = four spaces).
func body(statements []ir.Statement) []string {
	sts := make([]stmt, len(statements))
	last := -1 // the last statement with code
	for i, s := range statements {
		sts[i] = prepare(s)
		if !sts[i].comment && len(sts[i].lines) > 0 {
			last = i
		}
	}

	var (
		out       []string
		headers   []openHeader // strictly increasing depths
		depth     int          // where the next statement goes
		pending   = -1         // depth of a header whose block is still empty
		prevOpens bool         // the previous statement with code opened a block
		emitted   bool         // some statement with code was written
	)
	emit := func(d int, lines ...string) {
		pad := strings.Repeat(indentUnit, d+1)
		for _, l := range lines {
			if l == "" {
				out = append(out, "")
			} else {
				out = append(out, pad+l)
			}
		}
	}
	dropFrom := func(d int) { // forget headers at depth d or deeper
		for len(headers) > 0 && headers[len(headers)-1].depth >= d {
			headers = headers[:len(headers)-1]
		}
	}

	for i, st := range sts {
		if st.comment || len(st.lines) == 0 {
			emit(depth, st.rationale...)
			emit(depth, st.lines...)
			continue
		}
		d := depth
		switch {
		case st.clause != "":
			if j := findHeader(headers, d, st.clause); j >= 0 {
				d = headers[j].depth
			} else if st.clause != "case" && d > 0 {
				d-- // no block to continue: go back one level, as the original did
			}
			dropFrom(d)
		default:
			if i == last && (st.ends == "return" || st.ends == "raise") && !prevOpens {
				// A final return that is not the sole statement of a block
				// belongs after everything: for/if/append/return.
				d = 0
			}
			dropFrom(d)
		}
		if pending >= 0 && d <= pending {
			emit(pending+1, "pass")
		}
		pending = -1
		emit(d, st.rationale...)
		emit(d, st.lines...)
		emitted = true

		prevOpens = st.opens
		if st.header != "" {
			headers = append(headers, openHeader{d, st.header})
		}
		switch {
		case st.opens:
			depth, pending = d+1, d
		case st.ends != "" && d > 0:
			depth = d - 1
		default:
			depth = d
		}
	}
	if pending >= 0 {
		emit(pending+1, "pass")
	}
	if !emitted {
		emit(0, "pass")
	}
	return out
}

// findHeader returns the index of the innermost open header at depth d or
// less that clause can continue, or -1.
func findHeader(headers []openHeader, d int, clause string) int {
	for j := len(headers) - 1; j >= 0; j-- {
		if headers[j].depth > d {
			continue
		}
		for _, kw := range continues[clause] {
			if headers[j].kw == kw {
				return j
			}
		}
	}
	return -1
}
