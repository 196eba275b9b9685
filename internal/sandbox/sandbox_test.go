package sandbox

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testTimeout keeps hostile jobs short so the whole suite stays fast.
const testTimeout = 1500 * time.Millisecond

func newPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	p, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func runIO(t *testing.T, p *Pool, src, fn string, tests ...IOTest) Result {
	t.Helper()
	res, err := p.RunIO(context.Background(), IOJob{Source: src, Function: fn, Tests: tests})
	require.NoError(t, err)
	return res
}

// requireServes checks that the pool still answers a normal job correctly.
func requireServes(t *testing.T, p *Pool) {
	t.Helper()
	res := runIO(t, p, "def add(a, b):\n    return a + b\n", "add", IOTest{"[2, 3]", "5"}, IOTest{"[-1, 1]", "0"})
	require.Equal(t, Passed, res.Class, "pool no longer serves a normal job: %+v", res)
	require.Len(t, res.Tests, 2)
}

func TestOutcomeClasses(t *testing.T) {
	p := newPool(t, Config{Workers: 2})
	cases := []struct {
		name     string
		src, fn  string
		tests    []IOTest
		class    Class
		errMatch string
	}{
		{"passed", "def f(x):\n    return x * 2\n", "f", []IOTest{{"[2]", "4"}, {"[0]", "0"}}, Passed, ""},
		{"wrong_answer", "def f(x):\n    return x + 1\n", "f", []IOTest{{"[2]", "4"}}, WrongAnswer, "expected 4, got 3"},
		{"exception", "def f(x):\n    return 1 // x\n", "f", []IOTest{{"[0]", "0"}}, Exception, "ZeroDivisionError: integer division or modulo by zero"},
		{"exception at import", "import no_such_module_xyz\ndef f():\n    return 1\n", "f", []IOTest{{"[]", "1"}}, Exception, "ModuleNotFoundError"},
		{"syntax_error", "def f(x):\n    return x\n  oops(\n", "f", []IOTest{{"[1]", "1"}}, SyntaxError, "(line 3)"},
		{"function_missing", "def g(x):\n    return x\n", "f", []IOTest{{"[1]", "1"}}, FunctionMissing, "'f'"},
		{"function_missing not callable", "f = 3\n", "f", []IOTest{{"[1]", "1"}}, FunctionMissing, "'f'"},
		{"function auto-resolved", "from os.path import join\ndef only(x):\n    return x\n", "", []IOTest{{"[1]", "1"}}, Passed, ""},
		{"function_ambiguous", "def a(x):\n    return x\ndef b(x):\n    return x\n", "", []IOTest{{"[1]", "1"}}, FunctionAmbiguous, "a, b"},
		{"function_missing none defined", "x = 1\n", "", []IOTest{{"[1]", "1"}}, FunctionMissing, "no function"},
		{"timeout", "def f():\n    while True:\n        pass\n", "f", []IOTest{{"[]", "1"}}, Timeout, "wall-clock"},
		{"memory_limit", "def f():\n    return len(bytearray(8 << 30))\n", "f", []IOTest{{"[]", "1"}}, MemoryLimit, "MemoryError"},
		{"output_limit", "def f():\n    for _ in range(100):\n        print('x' * 10000)\n", "f", []IOTest{{"[]", "None"}}, OutputLimit, "output exceeded"},
		{"signal", "import os, signal\ndef f():\n    os.kill(os.getpid(), signal.SIGABRT)\n", "f", []IOTest{{"[]", "1"}}, Signal, "SIGABRT"},
		{"sandbox_error bad test expression", "def f(x):\n    return x\n", "f", []IOTest{{"[len('x')]", "1"}}, SandboxError, "bad test: NameError"},
		{"sandbox_error args not a list", "def f(x):\n    return x\n", "f", []IOTest{{"5", "5"}}, SandboxError, "args must be a list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runIO(t, p, tc.src, tc.fn, tc.tests...)
			assert.Equal(t, tc.class, res.Class, "result: %+v", res)
			assert.Contains(t, res.Error, tc.errMatch)
			assert.Positive(t, res.Duration)
			if tc.class == Passed {
				assert.Empty(t, res.Error)
			} else {
				assert.NotEmpty(t, res.Error)
			}
			switch tc.class {
			case SyntaxError, FunctionMissing, FunctionAmbiguous:
				assert.Empty(t, res.Tests, "no test ran")
			case Exception:
				if !strings.Contains(tc.name, "import") {
					require.Len(t, res.Tests, len(tc.tests))
				}
			default:
				require.Len(t, res.Tests, len(tc.tests))
				assert.Equal(t, tc.class, res.Tests[0].Class)
			}
		})
	}
}

func TestCPULimitIsTimeout(t *testing.T) {
	p := newPool(t, Config{CPUSeconds: 1, Timeout: 5 * time.Second})
	res := runIO(t, p, "def f():\n    while True:\n        pass\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Timeout, res.Class)
	assert.Contains(t, res.Error, "CPU time limit")
	assert.Less(t, res.Duration, 4*time.Second, "the CPU limit, not the wall clock, must end it")
}

func TestFileSizeLimitIsOutputLimit(t *testing.T) {
	p := newPool(t, Config{FileBytes: 1 << 20})
	res := runIO(t, p, "def f():\n    with open('big', 'wb') as fh:\n        fh.write(b'x' * (2 << 20))\n", "f", IOTest{"[]", "None"})
	assert.Equal(t, OutputLimit, res.Class, "%+v", res)
	assert.Contains(t, res.Error, "SIGXFSZ")
	requireServes(t, p)
}

func TestEqualitySemantics(t *testing.T) {
	p := newPool(t, Config{})
	src := "def ident(x):\n    return x\n"
	cases := []struct {
		args, want string
		pass       bool
	}{
		{"[3]", "3.0", true},
		{"[True]", "1", true},
		{"[(1, 5)]", "(1, 5)", true},
		{"[(1, 5)]", "[1, 5]", false},
		{"[[1, 5]]", "(1, 5)", false},
		{"[None]", "None", true},
		{"[None]", "0", false},
		{"[{'a': [1, 2]}]", "{'a': [1, 2]}", true},
		{"[inf]", "inf", true},
		{"[nan]", "nan", false}, // Python: nan != nan
		{"['a']", "'a'", true},
		{"[1e-300]", "0", false},
	}
	for _, tc := range cases {
		t.Run(tc.args+"=="+tc.want, func(t *testing.T) {
			res := runIO(t, p, src, "ident", IOTest{tc.args, tc.want})
			require.Len(t, res.Tests, 1)
			assert.Equal(t, tc.pass, res.Tests[0].Passed, "%+v", res.Tests[0])
			if tc.pass {
				assert.Equal(t, Passed, res.Class)
			} else {
				assert.Equal(t, WrongAnswer, res.Class)
			}
		})
	}
}

func TestComparisonThatRaises(t *testing.T) {
	// The returned object never reaches a comparison: it is not plain data.
	p := newPool(t, Config{})
	src := "class Weird:\n    def __eq__(self, other):\n        raise ValueError('no compare')\n" +
		"def f():\n    return Weird()\n"
	res := runIO(t, p, src, "f", IOTest{"[]", "1"})
	assert.Equal(t, WrongAnswer, res.Class)
	require.Len(t, res.Tests, 1)
	assert.Equal(t, "returned Weird, not a plain value", res.Tests[0].Error)
}

func TestTestOutcomeDetails(t *testing.T) {
	p := newPool(t, Config{})
	src := "def div(a, b):\n    print('dividing', a, b)\n    return a / b\n"
	res := runIO(t, p, src, "div",
		IOTest{"[6, 3]", "2"},
		IOTest{"[1, 0]", "0"},
		IOTest{"[1, 4]", "0.3"},
	)
	assert.Equal(t, Exception, res.Class, "first failing test decides the class")
	assert.Equal(t, "test 2: ZeroDivisionError: division by zero", res.Error)
	require.Len(t, res.Tests, 3)
	assert.Equal(t, TestOutcome{Passed: true, Class: Passed, Expected: "2", Actual: "2.0"}, res.Tests[0])
	assert.Equal(t, TestOutcome{Class: Exception, Expected: "0", Error: "ZeroDivisionError: division by zero"}, res.Tests[1])
	assert.Equal(t, TestOutcome{Class: WrongAnswer, Expected: "0.3", Actual: "0.25"}, res.Tests[2])
	assert.Equal(t, "dividing 6 3\ndividing 1 0\ndividing 1 4\n", res.Stdout)
	assert.Positive(t, res.PeakRSSBytes)
}

func TestArgsAreFreshPerTest(t *testing.T) {
	p := newPool(t, Config{})
	src := "def push(xs):\n    xs.append(1)\n    return len(xs)\n"
	res := runIO(t, p, src, "push", IOTest{"[[]]", "1"}, IOTest{"[[]]", "1"})
	assert.Equal(t, Passed, res.Class, "%+v", res)
}

func TestTimeoutMarksRemainingTests(t *testing.T) {
	p := newPool(t, Config{Timeout: time.Second})
	src := "def f(n):\n    while n:\n        pass\n    return n\n"
	res := runIO(t, p, src, "f", IOTest{"[0]", "0"}, IOTest{"[1]", "1"}, IOTest{"[0]", "0"})
	assert.Equal(t, Timeout, res.Class)
	require.Len(t, res.Tests, 3)
	assert.True(t, res.Tests[0].Passed)
	assert.Equal(t, Timeout, res.Tests[1].Class)
	assert.Equal(t, Timeout, res.Tests[2].Class)
	assert.Contains(t, res.Tests[2].Error, "not run")
}

func TestSyntaxErrorMessage(t *testing.T) {
	p := newPool(t, Config{})
	res := runIO(t, p, "x = 1\ny = 2\nz = (3 +\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, SyntaxError, res.Class)
	assert.Regexp(t, `^SyntaxError: .+ \(line 3\)$`, res.Error)

	res = runIO(t, p, "def f():\nreturn 1\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, SyntaxError, res.Class)
	assert.Equal(t, "IndentationError: expected an indented block after function definition on line 1 (line 2)", res.Error)
}

func TestCheckSyntax(t *testing.T) {
	p := newPool(t, Config{})
	res, err := p.CheckSyntax(context.Background(), "def f(:\n    pass\n")
	require.NoError(t, err)
	assert.Equal(t, SyntaxError, res.Class)
	assert.Equal(t, "SyntaxError: invalid syntax (line 1)", res.Error)

	// ast.parse only: this would fail to run, but it parses.
	res, err = p.CheckSyntax(context.Background(), "import nothing_here\nundefined_name()\n")
	require.NoError(t, err)
	assert.Equal(t, Passed, res.Class)
	assert.Empty(t, res.Error)
}

func TestRunCheck(t *testing.T) {
	p := newPool(t, Config{Workers: 2})
	prompt := "def inc(x):\n    \"\"\"Add one.\"\"\"\n"
	test := "METADATA = {}\n\ndef check(candidate):\n    assert candidate(1) == 2\n    assert candidate(-1) == 0\n"
	cases := []struct {
		name       string
		completion string
		entry      string
		test       string
		class      Class
		errMatch   string
	}{
		{"passed", "    return x + 1\n", "inc", test, Passed, ""},
		{"wrong_answer", "    return x + 2\n", "inc", test, WrongAnswer, "AssertionError (test line 4)"},
		{"wrong_answer with message", "    return x\n", "inc", "def check(c):\n    assert c(1) == 2, 'one'\n", WrongAnswer, "AssertionError: one"},
		{"exception", "    return x / 0\n", "inc", test, Exception, "ZeroDivisionError"},
		{"syntax_error", "    return (x +\n", "inc", test, SyntaxError, "SyntaxError"},
		{"function_missing", "    return x + 1\n", "dec", test, FunctionMissing, "'dec'"},
		{"timeout", "    while True:\n        pass\n", "inc", test, Timeout, "wall-clock"},
		{"sandbox_error no check", "    return x + 1\n", "inc", "x = 1\n", SandboxError, "no check function"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.RunCheck(context.Background(), CheckJob{Prompt: prompt, Completion: tc.completion, Test: tc.test, EntryPoint: tc.entry})
			require.NoError(t, err)
			assert.Equal(t, tc.class, res.Class, "%+v", res)
			assert.Contains(t, res.Error, tc.errMatch)
			assert.Empty(t, res.Tests)
		})
	}
}

// A whole module as the completion, with no prompt: how lifttest runs a
// HumanEval check against code it assembled itself.
func TestRunCheckWithoutPrompt(t *testing.T) {
	p := newPool(t, Config{Workers: 1})
	res, err := p.RunCheck(context.Background(), CheckJob{
		Completion: "def inc(x):\n    return x + 1\n",
		Test:       "def check(candidate):\n    assert candidate(1) == 2\n",
		EntryPoint: "inc",
	})
	require.NoError(t, err)
	assert.Equal(t, Passed, res.Class, "%+v", res)
}

func TestOutputCapping(t *testing.T) {
	p := newPool(t, Config{OutputBytes: 1000})
	res := runIO(t, p, "import sys\ndef f():\n    print('o' * 500)\n    print('e' * 300, file=sys.stderr)\n    return 1\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Passed, res.Class)
	assert.Equal(t, strings.Repeat("o", 500)+"\n", res.Stdout)
	assert.Equal(t, strings.Repeat("e", 300)+"\n", res.Stderr)

	res = runIO(t, p, "import sys\ndef f():\n    sys.stderr.write('e' * 5000)\n    return 1\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, OutputLimit, res.Class)
	assert.Len(t, res.Stderr, 1000, "captured output is capped")
	requireServes(t, p)
}

func TestWorkerReplacedAfterKill(t *testing.T) {
	p := newPool(t, Config{})
	old := p.slots[0].w.pid()
	require.NoError(t, syscall.Kill(old, syscall.SIGKILL))
	<-p.slots[0].w.exited

	// The dead worker fails the next job cleanly (or is noticed first)...
	res, err := p.RunIO(context.Background(), IOJob{Source: "def f():\n    return 1\n", Function: "f", Tests: []IOTest{{"[]", "1"}}})
	require.NoError(t, err)
	if res.Class != Passed {
		assert.Equal(t, SandboxError, res.Class)
	}
	// ...and is replaced for the one after.
	requireServes(t, p)
	assert.NotEqual(t, old, p.slots[0].w.pid())
}

func TestWorkerKilledMidJob(t *testing.T) {
	p := newPool(t, Config{})
	w := p.slots[0].w
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = syscall.Kill(w.pid(), syscall.SIGKILL)
	}()
	start := time.Now()
	res := runIO(t, p, "def f():\n    while True:\n        pass\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, SandboxError, res.Class)
	assert.Contains(t, res.Error, "worker died")
	assert.Less(t, time.Since(start), testTimeout, "must not wait for the job's timeout")
	requireServes(t, p)
}

func TestConcurrentJobs(t *testing.T) {
	p := newPool(t, Config{Workers: 2})
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := fmt.Sprintf("def f(x):\n    print(%d)\n    return x * %d\n", i, i)
			res, err := p.RunIO(context.Background(), IOJob{Source: src, Function: "f",
				Tests: []IOTest{{"[2]", fmt.Sprint(2 * i)}}})
			switch {
			case err != nil:
				errs <- err
			case res.Class != Passed || res.Stdout != fmt.Sprintf("%d\n", i):
				errs <- fmt.Errorf("job %d: %+v", i, res)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestContextCancel(t *testing.T) {
	p := newPool(t, Config{Timeout: 10 * time.Second})
	pid := p.slots[0].w.pid()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.RunIO(ctx, IOJob{Source: "def f():\n    while True:\n        pass\n", Function: "f", Tests: []IOTest{{"[]", "1"}}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	requireServes(t, p)
	assert.Equal(t, pid, p.slots[0].w.pid(), "a cancelled job must not cost the worker")

	_, err = p.RunIO(ctx, IOJob{Source: "", Function: "f"})
	require.ErrorIs(t, err, context.DeadlineExceeded, "an expired context is refused up front")
}

func TestClose(t *testing.T) {
	p, err := New(Config{Workers: 2, Timeout: 10 * time.Second})
	require.NoError(t, err)
	pids := []int{p.slots[0].w.pid(), p.slots[1].w.pid()}

	done := make(chan error, 1)
	go func() {
		_, err := p.RunIO(context.Background(), IOJob{Source: "import time\ndef f():\n    time.sleep(30)\n", Function: "f", Tests: []IOTest{{"[]", "1"}}})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // let the job start
	start := time.Now()
	require.NoError(t, p.Close())
	assert.Less(t, time.Since(start), 3*time.Second, "Close must not wait for the job's timeout")
	require.ErrorIs(t, <-done, ErrClosed)
	require.NoError(t, p.Close(), "Close is idempotent")

	_, err = p.RunIO(context.Background(), IOJob{Source: "def f(): return 1", Function: "f"})
	require.ErrorIs(t, err, ErrClosed)
	_, err = p.CheckSyntax(context.Background(), "x = 1")
	require.ErrorIs(t, err, ErrClosed)
	for _, pid := range pids {
		assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "worker %d still running after Close", pid)
	}
}

func TestMisuse(t *testing.T) {
	p := newPool(t, Config{})
	ctx := context.Background()
	_, err := p.RunIO(ctx, IOJob{Source: "x=1", Function: "f(1)"})
	assert.Error(t, err)
	_, err = p.RunIO(ctx, IOJob{Source: "def f(): pass", Function: "f", Tests: []IOTest{{"", "1"}}})
	assert.Error(t, err)
	_, err = p.RunCheck(ctx, CheckJob{Prompt: "def f(): pass", EntryPoint: "f; import os"})
	assert.Error(t, err)
	_, err = New(Config{Workers: -1})
	assert.Error(t, err)
	_, err = New(Config{Python: "/nonexistent/python3"})
	assert.Error(t, err)
}

func TestIsolationSteps(t *testing.T) {
	p := newPool(t, Config{})
	// Whatever the mode, the job holds no capability (no remounting, no
	// unsharing, no raising interfaces).
	caps := runIO(t, p, "import ctypes\n"+
		"class H(ctypes.Structure):\n    _fields_ = [('v', ctypes.c_uint32), ('p', ctypes.c_int)]\n"+
		"class D(ctypes.Structure):\n    _fields_ = [('e', ctypes.c_uint32), ('p', ctypes.c_uint32), ('i', ctypes.c_uint32)]\n"+
		"def f():\n    d = (D * 2)()\n    assert ctypes.CDLL(None).capget(ctypes.byref(H(0x20080522, 0)), d) == 0\n    return d[0].e | d[1].e\n",
		"f", IOTest{"[]", "0"})
	assert.Equal(t, Passed, caps.Class, "%+v", caps)

	res := runIO(t, p, "import os\ndef f():\n    return os.getuid()\n", "f", IOTest{"[]", "0"})
	t.Logf("missing isolation steps: %v", res.Missing)
	for _, m := range res.Missing {
		assert.Contains(t, IsolationSteps, m)
	}
	if slices.Contains(res.Missing, "setuid") {
		return
	}
	assert.Equal(t, WrongAnswer, res.Class, "the job must not run as root: %+v", res)
	assert.NotEqual(t, "0", res.Tests[0].Actual)

	// Strict: a pool starts exactly when nothing is missing.
	sp, err := New(Config{Workers: 1, Strict: true})
	if len(res.Missing) > 0 {
		require.Error(t, err)
		return
	}
	require.NoError(t, err)
	require.NoError(t, sp.Close())
}

func TestStrictRefusesMissingSteps(t *testing.T) {
	// A worker started without a PID namespace lacks "pidns": with Strict
	// that is an error, without it a note in every Result.
	python, err := resolvePython("")
	require.NoError(t, err)
	plain := []*syscall.SysProcAttr{{Setpgid: true}}

	cfg := Config{Strict: true}
	require.NoError(t, cfg.normalize())
	_, err = startWorker(python, &cfg, plain)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pidns")

	cfg.Strict = false
	cfg.Timeout = testTimeout
	w, err := startWorker(python, &cfg, plain)
	require.NoError(t, err)
	defer w.stop()
	assert.Contains(t, w.hello.Missing, "pidns")

	// Without a PID namespace the worker is a child subreaper and hunts
	// down stray descendants through /proc.
	src := "import os, time\ndef f():\n    if os.fork() == 0:\n        os.setsid()\n" +
		"        if os.fork() == 0:\n            time.sleep(60)\n        os._exit(0)\n    return 1\n"
	start := time.Now()
	res, err, healthy := w.do(context.Background(), nil, &request{ID: 1, Kind: "io", Source: src, Function: "f",
		Tests: []wireTest{{"[]", "1"}}}, cfg.Timeout)
	require.NoError(t, err)
	require.True(t, healthy)
	assert.Equal(t, Passed, res.Class, "%+v", res)
	assert.Less(t, time.Since(start), time.Second)
	if !slices.Contains(res.Missing, "setuid") {
		assert.Empty(t, processesOf(t, uidBase+w.pid()))
	}
}

func TestIsIdentifier(t *testing.T) {
	for _, s := range []string{"f", "_x1", "größe", "HasUpper"} {
		assert.True(t, isIdentifier(s), s)
	}
	for _, s := range []string{"", "1f", "a.b", "f()", "a b", "x-y"} {
		assert.False(t, isIdentifier(s), s)
	}
}

func TestStdlibImportsInJobs(t *testing.T) {
	// Jobs run as an unprivileged uid; the interpreter's standard library
	// must stay importable (also for packages the worker imported before
	// forking, whose submodules are found through their __path__).
	p := newPool(t, Config{})
	src := "import importlib\ndef f(names):\n    return [n for n in names if importlib.import_module(n) is None]\n"
	mods := "['socket', 'fractions', 'decimal', 'datetime', 'statistics', 'email.utils', " +
		"'encodings.idna', 'xml.etree.ElementTree', 'collections.abc', 'json.decoder', 'hashlib', 'ctypes']"
	res := runIO(t, p, src, "f", IOTest{"[" + mods + "]", "[]"})
	assert.Equal(t, Passed, res.Class, "%+v", res)
}

// Point 4: the pool says what isolation it has, and Strict fails closed
// naming the missing steps and their fix.
func TestIsolationReport(t *testing.T) {
	p := newPool(t, Config{})
	iso := p.Isolation()
	res := runIO(t, p, "def f():\n    return 1\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, res.Missing, iso.Missing, "the pool reports what its jobs lack")
	assert.Equal(t, len(iso.Missing) == 0, iso.Full)
	for _, m := range iso.Missing {
		assert.Contains(t, IsolationSteps, m)
	}
	if os.Geteuid() == 0 {
		assert.True(t, iso.Full, "as root every step is available here: %v", iso)
		assert.Equal(t, "full", iso.String())
	}

	python, err := resolvePython("")
	require.NoError(t, err)
	cfg := Config{Strict: true}
	require.NoError(t, cfg.normalize())
	_, err = startWorker(python, &cfg, []*syscall.SysProcAttr{{Setpgid: true}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing pidns")
	assert.Contains(t, err.Error(), "fix pidns: run as root")
}
