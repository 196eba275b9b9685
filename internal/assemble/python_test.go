package assemble

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pythonScript parses and compiles every module it reads (a JSON list on
// stdin), runs the checks of those that have some, and writes the list of
// failures as JSON.
const pythonScript = `
import ast, json, sys
fails = []
for c in json.load(sys.stdin):
    name = c["name"]
    try:
        ast.parse(c["src"])
        code = compile(c["src"], name, "exec")
    except SyntaxError as e:
        fails.append(f"{name}: {type(e).__name__}: {e}")
        continue
    if not c["checks"]:
        continue
    ns = {}
    try:
        exec(code, ns)
    except Exception as e:
        fails.append(f"{name}: import: {type(e).__name__}: {e}")
        continue
    for ch in c["checks"]:
        try:
            got = eval(ch["expr"], ns)
        except Exception as e:
            if ch["raises"] != type(e).__name__:
                fails.append(f"{name}: {ch['expr']} raised {type(e).__name__}: {e}")
            continue
        if ch["raises"]:
            fails.append(f"{name}: {ch['expr']} returned {got!r}, want {ch['raises']}")
            continue
        want = eval(ch["want"], {})
        if got != want or type(got) is not type(want):
            fails.append(f"{name}: {ch['expr']} returned {got!r}, want {want!r}")
json.dump(fails, sys.stdout)
`

// pythonInterpreter resolves the real interpreter behind python3 (a pyenv
// shim costs about 100 ms a start), or skips the test without python3.
func pythonInterpreter(t *testing.T) string {
	t.Helper()
	shim, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: cannot check assembled modules with Python")
	}
	out, err := exec.Command(shim, "-c", "import sys;print(sys.executable)").Output()
	require.NoError(t, err, "python3 -c 'import sys;print(sys.executable)'")
	if p := strings.TrimSpace(string(out)); p != "" {
		return p
	}
	return shim
}

// TestAssembledModulesCompile has the real Python parse and compile every
// module the other tests assemble, in one interpreter, and call the
// functions that have checks: indentation must give the intended logic, not
// only valid syntax.
func TestAssembledModulesCompile(t *testing.T) {
	py := pythonInterpreter(t)
	type jsonCheck struct {
		Expr   string `json:"expr"`
		Want   string `json:"want"`
		Raises string `json:"raises"`
	}
	type jsonModule struct {
		Name   string      `json:"name"`
		Src    string      `json:"src"`
		Checks []jsonCheck `json:"checks"`
	}
	var in []jsonModule
	for _, m := range allModules(t) {
		jm := jsonModule{Name: m.name, Src: m.src, Checks: []jsonCheck{}}
		for _, c := range m.checks {
			jm.Checks = append(jm.Checks, jsonCheck{c.expr, c.want, c.raises})
		}
		in = append(in, jm)
	}
	input, err := json.Marshal(in)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-I", "-c", pythonScript)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python: %s", stderr.String())

	var fails []string
	require.NoError(t, json.Unmarshal(out, &fails), "python output: %s", out)
	for _, f := range fails {
		t.Error(f)
	}
	t.Logf("%d modules compiled by %s", len(in), py)
}
