package sandbox

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Point 5: the expected values never enter the candidate's address space,
// not even as freed memory it could scan.
func TestHostileScansMemoryForExpectedValues(t *testing.T) {
	p := newPool(t, Config{Workers: 1})
	skipWithoutZygote(t, p)
	src := `import ctypes, re
def f(x):
    found = []
    for line in open('/proc/self/maps'):
        parts = line.split()
        if 'r' not in parts[1] or (len(parts) > 5 and (parts[5].startswith('/') or parts[5] in ('[vvar]', '[vsyscall]', '[vdso]', '[vvar_vclock]'))):
            continue
        lo, hi = (int(v, 16) for v in parts[0].split('-'))
        if hi - lo > (256 << 20):
            continue
        try:
            data = ctypes.string_at(lo, hi - lo)
        except Exception:
            continue
        for m in re.finditer(rb'"want": ?"((?:[^"\\]|\\.)*)"', data):
            found.append(m.group(1).decode('unicode_escape'))
    for w in found:
        try:
            v = eval(w, {'__builtins__': {}})
        except Exception:
            continue
        if v != 7:
            return v
    return None
`
	// A first job as an earlier sample of the same problem would be.
	for range 2 {
		res := runIO(t, p, src, "f", IOTest{"[1]", "'zq-secret-91'"})
		assert.NotEqual(t, Passed, res.Class, "the job found its expected value in memory: %+v", res)
	}
}

// The same for a check program: its text (the expected values) is not in
// the candidate's memory.
func TestHostileScansMemoryForTestProgram(t *testing.T) {
	p := newPool(t, Config{Workers: 1})
	skipWithoutZygote(t, p)
	body := `    import ctypes, re
    for line in open('/proc/self/maps'):
        parts = line.split()
        if 'r' not in parts[1] or (len(parts) > 5 and (parts[5].startswith('/') or parts[5] in ('[vvar]', '[vsyscall]', '[vdso]', '[vvar_vclock]'))):
            continue
        lo, hi = (int(v, 16) for v in parts[0].split('-'))
        if hi - lo > (256 << 20):
            continue
        m = re.search(rb"== '(zq-check-[0-9]+)'", ctypes.string_at(lo, hi - lo))
        if m:
            return m.group(1).decode()
    return None
`
	for range 2 {
		res, err := p.RunCheck(context.Background(), CheckJob{Prompt: "def f(x):\n", Completion: body,
			Test: "def check(candidate):\n    assert candidate(2) == 'zq-check-' + '77'\n    assert candidate(2) == 'zq-check-77'\n", EntryPoint: "f"})
		require.NoError(t, err)
		assert.Equal(t, WrongAnswer, res.Class, "the job found its expected value in memory: %+v", res)
	}
}

func skipWithoutZygote(t *testing.T, p *Pool) {
	if iso := p.Isolation(); slices.Contains(iso.Missing, "zygote") {
		t.Skipf("no zygote here (missing %v): candidates are forked by the worker and may find expected values in freed memory", iso.Missing)
	}
}
