package assemble

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/ir"
)

// astScript answers, for each source it reads (a JSON list on stdin), in
// one interpreter:
//   - funcs: the module-level function names as Python's ast sees them,
//     each once, in order of first definition;
//   - shape: the module's AST dump with what IR strings may legitimately
//     change taken out (the target function's name, parameter names,
//     annotations, constant defaults, docstring, and the typing import the
//     assembler derives from the annotations), after checking that those
//     parts are harmless: annotations only names, attributes, subscripts,
//     constants, lists, tuples and |; defaults only constants.
const astScript = `
import ast, json, sys, unicodedata
ANN = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.BinOp, ast.BitOr,
       ast.Tuple, ast.List, ast.Load, ast.UnaryOp, ast.USub)
DEF = (ast.Constant, ast.List, ast.Dict, ast.Tuple, ast.UnaryOp, ast.USub, ast.Load)
def harmless(node, allowed, what, problems):
    for n in ast.walk(node):
        if not isinstance(n, allowed) or (isinstance(n, (ast.List, ast.Dict, ast.Tuple)) and allowed is DEF and (getattr(n, "elts", None) or getattr(n, "keys", None))):
            problems.append(f"{what}: {type(n).__name__} in {ast.unparse(node)!r}")
            return
def shape(tree, fname, typing_names, problems):
    body = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "typing" and all(a.name in typing_names for a in node.names):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fname:
            node.name = "FN"
            a = node.args
            for i, arg in enumerate(a.posonlyargs + a.args + a.kwonlyargs):
                arg.arg = f"P{i}"
                if arg.annotation is not None:
                    harmless(arg.annotation, ANN, "annotation", problems)
                    arg.annotation = None
            for d in a.defaults + [d for d in a.kw_defaults if d is not None]:
                harmless(d, DEF, "default", problems)
            a.defaults = []
            if node.returns is not None:
                harmless(node.returns, ANN, "return annotation", problems)
                node.returns = None
            if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str):
                node.body = node.body[1:]
        body.append(node)
    tree.body = body
    return ast.dump(tree)
out = []
for c in json.load(sys.stdin):
    r = {"ok": True, "error": "", "funcs": [], "shape": "", "problems": []}
    try:
        tree = ast.parse(c["src"])
    except (SyntaxError, ValueError) as e:
        r["ok"], r["error"] = False, f"{type(e).__name__}: {e}"
        out.append(r)
        continue
    seen = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in seen:
            seen.add(node.name)
            r["funcs"].append(node.name)
    if c.get("fname"):
        r["shape"] = shape(tree, unicodedata.normalize("NFKC", c["fname"]), set(c["typing"]), r["problems"])
    out.append(r)
json.dump(out, sys.stdout)
`

type astIn struct {
	Src    string   `json:"src"`
	FName  string   `json:"fname,omitempty"`
	Typing []string `json:"typing"`
}

type astOut struct {
	OK       bool     `json:"ok"`
	Error    string   `json:"error"`
	Funcs    []string `json:"funcs"`
	Shape    string   `json:"shape"`
	Problems []string `json:"problems"`
}

// pyAST runs astScript once over all the sources.
func pyAST(t *testing.T, in []astIn) []astOut {
	t.Helper()
	py := pythonInterpreter(t)
	for i := range in {
		if in[i].Typing == nil {
			in[i].Typing = typingExports
		}
	}
	input, err := json.Marshal(in)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-I", "-c", astScript)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	require.NoError(t, err, "python: %s", stderr.String())
	var out []astOut
	require.NoError(t, json.Unmarshal(raw, &out))
	require.Len(t, out, len(in))
	return out
}

// hostile are IR strings that try to become code: by closing the
// signature, the docstring or a comment, by line ends Python knows and Go
// code may not, by defaults and string prefixes that run code, by bytes
// that break the module, and by plain tricks of quoting.
var hostile = []string{
	"int) -> None:\n    import os\n    os.system('x')\ndef g(",
	"int):\n    pass\nimport os\ndef h(x: int",
	`"""` + "\nimport os\n" + `"""`,
	`'''` + "\nimport os\n" + `'''`,
	`"`, `""`, `"""`, `""""`, `"""""`, `\"""`, `x"""`, `\`, `\\`, `\"`, `x\`, `x\\"`, `\"\"\"`, `"x"`,
	"\rimport os", "x\r\nimport os", "x\rimport os\r", "a\x00b", "a\x0cimport os", "\x0bimport os",
	"x\u2028import os", "x\u0085import os", "\ufeffimport os", "a\x1b[31mred",
	"# comment\nimport os", "x  # comment", "x\n# c\nimport os\n",
	`int = __import__("os").system("x")`, "int = 0", "Optional[str] = None", "str = 'a'", "int = -1", "x = [1]",
	`f"{__import__('os')}"`, `f"{1}"`, "lambda: 1", "(yield)", "await x", "x := 1", "int if x else str",
	"list[int]]", "[[[[", "]", "[", "int, b: str", "int)", "*args", "**kw", "int; import os", "int\\\nimport os",
	`Literal["a", 'b', -1]`, "Callable[[int], str]", "dict[str, list[int]] | None", "np.ndarray", "tuple[int, ...]",
	"Callable[[], None]", "list[]", "1e5", "1if 1 else 2", "print", "print(1)", "__import__('os')",
	`\N{BULLET}`, `\x41`, `\u0041`, "café", "ﬁnd", "名前", "x\u0301", "@decorator", "def f(): pass", "class X: pass",
	"'", "' + '", "None", "True", "...", "import os", "from os import system",
	strings.Repeat("[", 200) + strings.Repeat("]", 200), strings.Repeat("x", 5000),
}

// benignIR is the IR the hostile strings are put into, one field at a
// time; its parameter count picks the one-line or the multi-line signature.
func benignIR(params int) ir.IR {
	fn := ir.IR{
		Intent:    ir.Intent{Summary: "Do a thing", Rationale: "Because"},
		Signature: ir.Signature{Name: "target", Returns: "int"},
	}
	for i := range params {
		fn.Signature.Parameters = append(fn.Signature.Parameters, ir.Parameter{Name: fmt.Sprintf("p%d", i), TypeHint: "int", Description: "a value"})
	}
	fn.Assertions = []ir.Assertion{{Predicate: "p0 > 0", Rationale: "positive"}}
	return fn
}

// benignCode is the code answer: everything in the module that may be code.
var benignCode = ir.Code{
	Implementation: ir.Implementation{
		Algorithm: "Add one",
		BodyStatements: []ir.Statement{
			{Type: "comment", Code: "start", Rationale: "why"},
			{Type: "assignment", Code: "r = 1", Rationale: "one"},
			{Type: "return", Code: "return r", Rationale: "done"},
		},
	},
	Imports:         []ir.Import{{Module: "math", Names: []string{"sqrt"}}},
	HelperFunctions: []ir.HelperFunction{{Name: "helper", Signature: "def helper(x)", Body: "return x"}},
}

// field puts s into one IR string (or into the prose of the code answer,
// which must stay prose) and returns the pair to assemble.
var fields = map[string]func(fn *ir.IR, code *ir.Code, s string){
	"summary":      func(fn *ir.IR, _ *ir.Code, s string) { fn.Intent.Summary = s },
	"rationale":    func(fn *ir.IR, _ *ir.Code, s string) { fn.Intent.Rationale = s },
	"name":         func(fn *ir.IR, _ *ir.Code, s string) { fn.Signature.Name = s },
	"param-name":   func(fn *ir.IR, _ *ir.Code, s string) { fn.Signature.Parameters[0].Name = s },
	"param-type":   func(fn *ir.IR, _ *ir.Code, s string) { fn.Signature.Parameters[0].TypeHint = s },
	"param-type-2": func(fn *ir.IR, _ *ir.Code, s string) { fn.Signature.Parameters[1].TypeHint = s },
	"param-desc":   func(fn *ir.IR, _ *ir.Code, s string) { fn.Signature.Parameters[0].Description = s },
	"returns":      func(fn *ir.IR, _ *ir.Code, s string) { fn.Signature.Returns = s },
	"assertion":    func(fn *ir.IR, _ *ir.Code, s string) { fn.Assertions[0].Predicate, fn.Assertions[0].Rationale = s, s },
	"algorithm":    func(_ *ir.IR, c *ir.Code, s string) { c.Implementation.Algorithm = s },
	"stmt-rationale": func(_ *ir.IR, c *ir.Code, s string) {
		c.Implementation.BodyStatements[1].Rationale = s
	},
	"comment-stmt": func(_ *ir.IR, c *ir.Code, s string) { c.Implementation.BodyStatements[0].Code = s },
}

func cloneCode(c ir.Code) ir.Code {
	c.Implementation.BodyStatements = append([]ir.Statement(nil), c.Implementation.BodyStatements...)
	return c
}

// TestHostileIRCannotBecomeCode is the property: whatever the IR strings
// (and the prose fields of the code answer) hold, the assembled module,
// parsed by Python, has exactly the statements the code answer put there
// (the same AST as with a benign IR, less names, harmless annotations,
// constant defaults and the docstring), or Assemble refuses it. Hostile
// strings go in one field at a time, and in random pairs.
func TestHostileIRCannotBecomeCode(t *testing.T) {
	type trial struct {
		what   string
		src    string
		name   string
		params int
	}
	var trials []trial
	var refs = map[int]int{} // params -> index of the benign module in trials
	add := func(what string, fn ir.IR, code ir.Code) {
		src, err := Assemble(fn, code)
		if err != nil {
			return // refused: nothing to run
		}
		trials = append(trials, trial{what, src, fn.Signature.Name, len(fn.Signature.Parameters)})
	}
	for _, params := range []int{2, 3} {
		refs[params] = len(trials)
		add("benign", benignIR(params), cloneCode(benignCode))
		for fname, set := range fields {
			for i, s := range hostile {
				fn, code := benignIR(params), cloneCode(benignCode)
				set(&fn, &code, s)
				add(fmt.Sprintf("%d params, %s = hostile[%d] %.60q", params, fname, i, s), fn, code)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	for range 500 {
		params := 2 + rng.IntN(2)
		fn, code := benignIR(params), cloneCode(benignCode)
		what := fmt.Sprintf("%d params", params)
		for range 2 {
			f := names[rng.IntN(len(names))]
			s := hostile[rng.IntN(len(hostile))] + hostile[rng.IntN(len(hostile))]
			fields[f](&fn, &code, s)
			what += fmt.Sprintf(", %s = %.60q", f, s)
		}
		add(what, fn, code)
	}

	in := make([]astIn, len(trials))
	for i, tr := range trials {
		in[i] = astIn{Src: tr.src, FName: tr.name}
	}
	out := pyAST(t, in)
	want := map[int]string{}
	for params, i := range refs {
		require.True(t, out[i].OK, out[i].Error)
		want[params] = out[i].Shape
	}
	failed := 0
	for i, tr := range trials {
		o := out[i]
		params := tr.params
		var problem string
		switch {
		case !o.OK && strings.Contains(o.Error, "non-default argument follows default argument"):
			continue // a constant default before a parameter without one: the model's SyntaxError, kept as recorded
		case !o.OK:
			problem = "the module does not parse: " + o.Error
		case len(o.Problems) > 0:
			problem = fmt.Sprint(o.Problems)
		case o.Shape != want[params]:
			problem = "the module has other statements than the code answer's"
		default:
			continue
		}
		if failed++; failed <= 10 {
			t.Errorf("%s: %s\n%.1500s", tr.what, problem, tr.src)
		}
	}
	if failed > 10 {
		t.Errorf("... and %d more", failed-10)
	}
	t.Logf("%d assembled modules checked by Python's ast", len(trials))
}

// defFragments are lines that make the sources DefinedFunctions is checked
// on: definitions at every level, definitions hidden in strings and
// comments, keywords split by continuations, tabs and form feeds, unicode
// names, decorators, classes.
var defFragments = []string{
	"def f():", "async def g():", "    def m(self):", "        def inner():", "class C:", "@dec", "@dec(1)",
	"    pass", "pass", "", "x = 1", "'''", `"""`, "# def c():", "s = 'def z():'", `t = "def q():"`,
	"u = '''", "def \\", "  h():", "def\tk():", "\fdef ff():", "def ﬁx():", "def café():", "def cafe\u0301():",
	"def 名前():", "async  def\taa():", "async \\", "def bb():  # def cc():", "if True:", "else:", "try:",
	"except E:", "def defaults():", "define = 1", "    return 1", "def dd(a,", "       b):", "x = (", ")",
	"def ee[T](x: T):", "r'''\\'''", "b = b'def y():'", "f'{x}def w():'", "def  spaced  ():", "lambda: 1",
	"def f():", "\\", "v = 1 + \\", "2",
}

// defBlocks are whole statements, so that random modules made of them
// mostly parse.
var defBlocks = []string{
	"def f():\n    pass", "async def g(a, b=1):\n    return a", "@dec\ndef decorated():\n    pass",
	"@a.b(1)\n@c\nasync def both():\n    pass", "class C:\n    def method(self):\n        pass\n    async def am(self):\n        pass",
	"def outer():\n    def inner():\n        pass\n    return inner", "x = '''\ndef in_string():\n'''",
	"y = \"\"\"\nasync def in_doc():\n\"\"\"", "# def commented():", "s = 'def z():'", "def \\\n    cont():\n    pass",
	"async \\\n def acont():\n    pass", "def\ttabbed():\n    pass", "\fdef fed():\n    pass", "def ﬁnd():\n    pass",
	"def cafe\u0301():\n    pass", "def 名前():\n    pass", "if True:\n    def cond():\n        pass",
	"try:\n    def in_try():\n        pass\nexcept E:\n    pass", "v = (1 +\n     2)", "w = 1 + \\\n    2",
	"t = 'a\\\ndef in_cont_string():'", "def dup():\n    pass", "def g2(\n    a,\n    b,\n):\n    '''doc\ndef fake():\n    '''",
	"lambda_ = lambda: 1", "define = 1", "def defaults(): pass", `u = r'\\'`, "class K: pass",
}

// TestDefinedFunctionsAgreesWithPython compares DefinedFunctions with the
// module-level FunctionDef and AsyncFunctionDef names of Python's ast on a
// table of tricky sources and on random ones built from defFragments with
// every kind of line end; sources Python cannot parse are skipped.
func TestDefinedFunctionsAgreesWithPython(t *testing.T) {
	srcs := []string{
		"@decorator\ndef decorated():\n    pass\n",
		"@a\n@b(1)\nasync def both():\n    pass\n",
		"def ﬁnd():\n    pass\n",
		"def cafe\u0301():\n    pass\n",
		"def \\\n    cont():\n    pass\n",
		"async \\\n def acont():\n    pass\n",
		"def\ttabbed():\n    pass\n",
		"\fdef fed():\n    pass\n",
		"x = '''\ndef in_string():\n'''\ndef real():\n    pass\n",
		"x = 'a\\\ndef in_cont_string():'\ndef after():\n    pass\n",
		"class K:\n    def method(self):\n        pass\n\n    async def am(self):\n        pass\ndef top():\n    def nested():\n        pass\n",
		"def cr():\r    pass\rdef cr2():\r    pass\r",
		"if True:\n    def cond():\n        pass\n",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	ends := []string{"\n", "\r\n", "\r"}
	// Modules made of whole blocks, which mostly parse.
	for range 2000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(defBlocks[rng.IntN(len(defBlocks))])
			b.WriteString("\n")
		}
		srcs = append(srcs, strings.ReplaceAll(b.String(), "\n", ends[rng.IntN(len(ends))]))
	}
	// Modules made of loose lines, which mostly do not.
	for range 3000 {
		n := 1 + rng.IntN(8)
		var b strings.Builder
		end := ends[rng.IntN(len(ends))]
		for range n {
			b.WriteString(defFragments[rng.IntN(len(defFragments))])
			b.WriteString(end)
		}
		srcs = append(srcs, b.String())
	}
	in := make([]astIn, len(srcs))
	for i, s := range srcs {
		in[i] = astIn{Src: s}
	}
	out := pyAST(t, in)
	parsed := 0
	for i, o := range out {
		if !o.OK {
			if i < 13 {
				t.Errorf("table source %d does not parse: %s\n%q", i, o.Error, srcs[i])
			}
			continue
		}
		parsed++
		got := DefinedFunctions(srcs[i])
		if len(got) == 0 && len(o.Funcs) == 0 {
			continue
		}
		if strings.Join(got, ",") != strings.Join(o.Funcs, ",") {
			t.Errorf("DefinedFunctions = %q, Python's ast = %q, for\n%q", got, o.Funcs, srcs[i])
		}
	}
	t.Logf("%d of %d sources parsed by Python and compared", parsed, len(srcs))
}
