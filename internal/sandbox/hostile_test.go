package sandbox

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each hostile program gets a fresh one-worker pool, must end within its
// limit with the expected class, and must leave that same pool serving.

func TestHostileInfiniteLoop(t *testing.T) {
	p := newPool(t, Config{})
	res := runIO(t, p, "def f():\n    while True:\n        pass\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Timeout, res.Class)
	assert.Less(t, res.Duration, testTimeout+time.Second)
	requireServes(t, p)
}

func TestHostileIgnoresSIGTERM(t *testing.T) {
	p := newPool(t, Config{})
	src := "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" +
		"signal.signal(signal.SIGINT, signal.SIG_IGN)\n" +
		"def f():\n    while True:\n        pass\n"
	res := runIO(t, p, src, "f", IOTest{"[]", "1"})
	assert.Equal(t, Timeout, res.Class)
	assert.Less(t, res.Duration, testTimeout+time.Second)
	requireServes(t, p)
}

func TestHostileForkBomb(t *testing.T) {
	p := newPool(t, Config{})
	uid := uidBase + p.slots[0].w.pid()
	src := "import os\ndef f():\n    while True:\n        os.fork()\n"
	res := runIO(t, p, src, "f", IOTest{"[]", "1"})
	assert.Contains(t, []Class{Exception, Timeout}, res.Class, "%+v", res)
	if res.Class == Exception {
		assert.Contains(t, res.Error, "BlockingIOError", "RLIMIT_NPROC stops the bomb")
	}
	assert.Less(t, res.Duration, testTimeout+time.Second)
	if !slices.Contains(res.Missing, "setuid") {
		assert.Empty(t, processesOf(t, uid), "no process of the job's uid may survive the job")
	}
	requireServes(t, p)
}

func TestHostileBackgroundProcessIsKilled(t *testing.T) {
	p := newPool(t, Config{})
	uid := uidBase + p.slots[0].w.pid()
	// A daemonised grandchild that outlives the job.
	src := "import os, time\ndef f():\n    if os.fork() == 0:\n        os.setsid()\n" +
		"        if os.fork() == 0:\n            time.sleep(60)\n        os._exit(0)\n    return 1\n"
	res := runIO(t, p, src, "f", IOTest{"[]", "1"})
	assert.Equal(t, Passed, res.Class, "%+v", res)
	assert.Less(t, res.Duration, time.Second, "the job must not wait for its stray process")
	if !slices.Contains(res.Missing, "setuid") {
		assert.Empty(t, processesOf(t, uid))
	}
	requireServes(t, p)
}

func TestHostileAllocate100GB(t *testing.T) {
	// A smaller address space so the slow-growth case ends well within the
	// timeout on a slow machine.
	const limit = 256 << 20
	p := newPool(t, Config{MemoryBytes: limit})
	res := runIO(t, p, "def f():\n    x = bytearray(100 * 10**9)\n    return len(x)\n", "f", IOTest{"[]", "0"})
	assert.Equal(t, MemoryLimit, res.Class, "%+v", res)
	assert.Contains(t, res.Error, "MemoryError")
	// Growing slowly instead of at once ends the same way.
	res = runIO(t, p, "def f():\n    xs = []\n    while True:\n        xs.append(bytearray(10**7))\n", "f", IOTest{"[]", "0"})
	assert.Equal(t, MemoryLimit, res.Class, "%+v", res)
	assert.Less(t, res.PeakRSSBytes, int64(limit))
	requireServes(t, p)
}

func TestHostileWrite1GBToStdout(t *testing.T) {
	p := newPool(t, Config{})
	src := "import sys\ndef f():\n    chunk = 'x' * (1 << 20)\n    for _ in range(1024):\n        sys.stdout.write(chunk)\n    return 1\n"
	res := runIO(t, p, src, "f", IOTest{"[]", "1"})
	assert.Equal(t, OutputLimit, res.Class)
	assert.Len(t, res.Stdout, DefaultOutputBytes)
	assert.Less(t, res.Duration, testTimeout, "killed at the cap, not at the timeout")
	requireServes(t, p)
}

func TestHostileWriteOutsideTempDir(t *testing.T) {
	p := newPool(t, Config{})
	wd, err := os.Getwd()
	require.NoError(t, err)
	targets := []string{
		filepath.Join(os.TempDir(), fmt.Sprintf("sandbox-escape-%d", time.Now().UnixNano())),
		filepath.Join(wd, "sandbox-escape-test.txt"),
		"/var/tmp/sandbox-escape-test.txt",
		"/dev/shm/sandbox-escape-test.txt",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			src := fmt.Sprintf("def f():\n    with open(%q, 'w') as fh:\n        fh.write('escaped')\n    return 'written'\n", target)
			res := runIO(t, p, src, "f", IOTest{"[]", "None"})
			t.Cleanup(func() { _ = os.Remove(target) })
			_, statErr := os.Stat(target)
			if slices.Contains(res.Missing, "setuid") && slices.Contains(res.Missing, "mountns") {
				t.Skipf("neither setuid nor a mount namespace is available here (missing %v): the write may land", res.Missing)
			}
			assert.ErrorIs(t, statErr, os.ErrNotExist, "the job created %s", target)
			assert.Equal(t, Exception, res.Class, "%+v", res)
			assert.Regexp(t, "PermissionError|FileNotFoundError|OSError", res.Error)
		})
	}
	// Writing inside its own working directory is fine, and it is gone afterwards.
	res := runIO(t, p, "import os\ndef f():\n    open('mine.txt', 'w').write('ok')\n    return os.getcwd()\n", "f", IOTest{"[]", "None"})
	require.Equal(t, WrongAnswer, res.Class, "%+v", res)
	require.Len(t, res.Tests, 1)
	cwd, err := strconv.Unquote(strings.Replace(res.Tests[0].Actual, "'", "\"", 2))
	require.NoError(t, err)
	check := runIO(t, p, fmt.Sprintf("import os\ndef f():\n    return os.path.exists(%q)\n", cwd), "f", IOTest{"[]", "False"})
	assert.Equal(t, Passed, check.Class, "the previous job's directory %s must be removed", cwd)
	requireServes(t, p)
}

func TestHostileReadsHarnessEnvironment(t *testing.T) {
	const secret = "modal-secret-4f9a1c"
	t.Setenv("MODAL_KEY", secret) // before New: the worker is started after this
	p := newPool(t, Config{})
	src := fmt.Sprintf(`import os
def f():
    hits = [k for k, v in os.environ.items() if %[1]q in v or k == "MODAL_KEY"]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%%s/environ" %% pid, "rb") as fh:
                    if %[1]q.encode() in fh.read():
                        hits.append(pid)
            except OSError:
                pass
    return hits, len(os.environ)
`, secret)
	res := runIO(t, p, src, "f", IOTest{"[]", "([], 0)"})
	assert.Equal(t, Passed, res.Class, "the job saw the harness's environment: %+v", res)
	requireServes(t, p)
}

func TestHostileConnectsToLocalhost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port

	p := newPool(t, Config{})
	src := fmt.Sprintf("import socket\ndef f():\n    s = socket.create_connection(('127.0.0.1', %d), timeout=1)\n    s.sendall(b'hi')\n    return 'connected'\n", port)
	res := runIO(t, p, src, "f", IOTest{"[]", "None"})
	if slices.Contains(res.Missing, "netns") {
		t.Skip("no network namespace here: the connection cannot be prevented (Result.Missing has netns)")
	}
	assert.Equal(t, Exception, res.Class, "%+v", res)
	assert.Contains(t, res.Error, "Network is unreachable")
	select {
	case c := <-accepted:
		c.Close()
		t.Fatal("the listener received a connection from the job")
	case <-time.After(200 * time.Millisecond):
	}
	requireServes(t, p)
}

func TestHostileKillsParent(t *testing.T) {
	p := newPool(t, Config{})
	pid := p.slots[0].w.pid()
	src := "import os, signal\ndef f():\n    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(1, signal.SIGKILL)\n    return 'alive'\n"
	res := runIO(t, p, src, "f", IOTest{"[]", "None"})
	if slices.Contains(res.Missing, "setuid") {
		// Same uid: the worker (without a PID namespace) or the zygote
		// that forks the jobs can die, and the pool must report it and
		// replace the worker.
		assert.Contains(t, []Class{SandboxError, WrongAnswer}, res.Class, "%+v", res)
	} else {
		assert.Contains(t, []Class{Exception, WrongAnswer}, res.Class, "%+v", res)
		assert.Equal(t, pid, p.slots[0].w.pid(), "the worker must survive")
	}
	requireServes(t, p)
}

func TestHostileExits(t *testing.T) {
	p := newPool(t, Config{})
	cases := []struct {
		name, body string
		class      Class
		errMatch   string
	}{
		{"sys.exit", "import sys\n    sys.exit(3)", Exception, "SystemExit: 3"},
		{"sys.exit no code", "import sys\n    sys.exit()", Exception, "SystemExit"},
		{"raise SystemExit", "raise SystemExit('bye')", Exception, "SystemExit: bye"},
		{"quit", "quit(3)", Exception, "SystemExit: 3"},
		{"exit", "exit()", Exception, "SystemExit"},
		{"os._exit", "import os\n    os._exit(0)", Exception, "exited with status 0"},
		{"os._exit nonzero", "import os\n    os._exit(7)", Exception, "exited with status 7"},
		{"KeyboardInterrupt", "raise KeyboardInterrupt", Exception, "KeyboardInterrupt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "def f():\n    " + tc.body + "\n"
			res := runIO(t, p, src, "f", IOTest{"[]", "1"}, IOTest{"[]", "1"})
			assert.Equal(t, tc.class, res.Class, "%+v", res)
			assert.Contains(t, res.Error, tc.errMatch)
			require.Len(t, res.Tests, 2, "every test has an outcome")
			requireServes(t, p)
		})
	}
	// At module level too.
	res := runIO(t, p, "import sys\nsys.exit(1)\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Exception, res.Class)
	assert.Contains(t, res.Error, "SystemExit: 1")
	requireServes(t, p)
}

func TestHostileUnboundedRecursion(t *testing.T) {
	// Python 3.11+ keeps Python-to-Python calls off the C stack, so with a
	// huge recursion limit the frames fill the address space instead: keep
	// it small for a quick MemoryError.
	p := newPool(t, Config{MemoryBytes: 128 << 20, Timeout: 3 * time.Second})
	res := runIO(t, p, "def f(n=0):\n    return f(n + 1)\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Exception, res.Class)
	assert.Contains(t, res.Error, "RecursionError")
	// Raising the recursion limit trades the RecursionError for a stack
	// overflow: a signal, still contained.
	res = runIO(t, p, "import sys\nsys.setrecursionlimit(10**8)\ndef f(n=0):\n    return f(n + 1)\n", "f", IOTest{"[]", "1"})
	assert.Contains(t, []Class{Signal, MemoryLimit, Exception}, res.Class, "%+v", res)
	requireServes(t, p)
}

func TestHostileSegfault(t *testing.T) {
	p := newPool(t, Config{})
	res := runIO(t, p, "import ctypes\ndef f():\n    return ctypes.string_at(0)\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Signal, res.Class)
	assert.Equal(t, "killed by signal SIGSEGV", res.Error)
	requireServes(t, p)
}

// processesOf lists the pids of live processes owned by uid.
func processesOf(t *testing.T, uid int) []int { return procsWhere(t, "Uid:", uid) }

// childrenOf lists pid's children.
func childrenOf(t *testing.T, pid int) []int { return procsWhere(t, "PPid:", pid) }

// procsWhere lists the pids of live processes whose /proc status line
// field (its first value) is v.
func procsWhere(t *testing.T, field string, v int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == field && f[1] == strconv.Itoa(v) {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// Point 1: nothing a job leaves behind may affect a later job on the same
// worker. Each poisoning program runs, then a job must find an empty,
// writable working directory and be able to write 8 MiB into it.
func TestHostileLeftoversDoNotPoisonLaterJobs(t *testing.T) {
	p := newPool(t, Config{Timeout: 5 * time.Second})
	cases := map[string]string{
		"deep tree": "import os\ndef f():\n    for _ in range(1200):\n        os.mkdir('d')\n        os.chdir('d')\n    return 1\n",
		"full disk": "def f():\n    with open('fill', 'wb') as fh:\n        try:\n            while True:\n                fh.write(b'x' * (1 << 20))\n                fh.flush()\n        except OSError:\n            pass\n    return 1\n",
		"inodes":    "import os\ndef f():\n    os.mkdir('i')\n    try:\n        for n in range(100000):\n            open('i/%d' % n, 'w').close()\n    except OSError:\n        pass\n    return 1\n",
		"chmod 000": "import os\ndef f():\n    os.makedirs('a/b/c')\n    open('a/b/c/x', 'w').write('x')\n    os.chmod('a/b/c', 0)\n    os.chmod('a/b', 0)\n    os.chmod('a', 0)\n    os.chmod('.', 0o500)\n    return 1\n",
		"held open": "import os, time\ndef f():\n    fh = open('held', 'w')\n    fh.write('x' * 100000)\n    fh.flush()\n    if os.fork() == 0:\n        os.setsid()\n        time.sleep(60)\n    return 1\n",
	}
	check := "import os\ndef f():\n    left = os.listdir('.')\n    with open('big', 'wb') as fh:\n        fh.write(b'y' * (8 << 20))\n    return left\n"
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			res := runIO(t, p, src, "f", IOTest{"[]", "1"})
			assert.NotEqual(t, SandboxError, res.Class, "%+v", res)
			res = runIO(t, p, check, "f", IOTest{"[]", "[]"})
			assert.Equal(t, Passed, res.Class, "a later job saw the leftovers: %+v", res)
			requireServes(t, p)
		})
	}
}

// Point 9: a signal the job sends itself is a signal, not a resource limit;
// memory mapped beyond the address-space limit is memory_limit.
func TestHostileSelfSignalAndHugeMappings(t *testing.T) {
	p := newPool(t, Config{MemoryBytes: 256 << 20})
	for _, sig := range []string{"SIGKILL", "SIGSEGV", "SIGXCPU", "SIGABRT"} {
		res := runIO(t, p, "import os, signal\ndef f():\n    os.kill(os.getpid(), signal."+sig+")\n", "f", IOTest{"[]", "1"})
		assert.Equal(t, Signal, res.Class, "%s: %+v", sig, res)
		assert.Contains(t, res.Error, sig)
	}
	for name, src := range map[string]string{
		"mmap":      "import mmap\ndef f():\n    m = mmap.mmap(-1, 100 * 10**9)\n    return len(m)\n",
		"bytearray": "def f():\n    return len(bytearray(100 * 10**9))\n",
	} {
		res := runIO(t, p, src, "f", IOTest{"[]", "0"})
		assert.Equal(t, MemoryLimit, res.Class, "%s: %+v", name, res)
	}
	requireServes(t, p)
}

// Point 3: no privilege can be gained. A setuid-root binary does not give
// euid 0, and the calls that reach kernel attack surface or build
// namespaces (a user namespace first of all) are refused with EPERM by the
// seccomp filter, after no_new_privs.
func TestHostileGainsPrivileges(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the syscall numbers below are x86-64's")
	}
	p := newPool(t, Config{})
	probe := runIO(t, p, "def f():\n    return 1\n", "f", IOTest{"[]", "1"})
	if os.Geteuid() == 0 {
		// A setuid-root interpreter in a directory the host can see (/run,
		// not the repository: a crash must not leave one there).
		python, err := resolvePython("")
		require.NoError(t, err)
		dir, err := os.MkdirTemp("/run", "sbx-suid-")
		require.NoError(t, err)
		abs, err := filepath.Abs(dir)
		require.NoError(t, err)
		t.Cleanup(func() { _ = os.RemoveAll(abs) })
		require.NoError(t, os.Chmod(abs, 0o755))
		data, err := os.ReadFile(python)
		require.NoError(t, err)
		suid := filepath.Join(abs, "python3")
		require.NoError(t, os.WriteFile(suid, data, 0o755))
		require.NoError(t, os.Chmod(suid, 0o4755|os.ModeSetuid))
		src := fmt.Sprintf("import subprocess\ndef f():\n    try:\n        out = subprocess.run([%q, '-I', '-c', 'import os; print(os.geteuid())'], capture_output=True, timeout=5).stdout\n    except OSError as e:\n        return type(e).__name__\n    return out.strip() != b'0'\n", suid)
		res := runIO(t, p, src, "f", IOTest{"[]", "True"})
		if res.Class != Passed {
			assert.Equal(t, "'FileNotFoundError'", res.Tests[0].Actual, "the job gained euid 0: %+v", res)
		}
	}
	src := `import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def f(nr, a0):
    r = libc.syscall(ctypes.c_long(nr), ctypes.c_long(a0), 0, 0, 0, 0)
    if r == 0 and nr == 56 and os.getpid() != PID:
        os._exit(0)
    return r, os.strerror(ctypes.get_errno()) if r < 0 else ''
PID = os.getpid()
`
	calls := map[string][2]int{
		"unshare(CLONE_NEWUSER)":       {272, 0x10000000},
		"clone(CLONE_NEWUSER|SIGCHLD)": {56, 0x10000000 | 17},
		"clone(CLONE_PARENT|SIGCHLD)":  {56, 0x8000 | 17},
		"setns":                        {308, -1},
		"mount":                        {165, 0},
		"umount2":                      {166, 0},
		"pivot_root":                   {155, 0},
		"ptrace(PTRACE_TRACEME)":       {101, 0},
		"bpf":                          {321, 0},
		"keyctl":                       {250, 0},
		"add_key":                      {248, 0},
		"request_key":                  {249, 0},
		"perf_event_open":              {298, 0},
		"kexec_load":                   {246, 0},
		"init_module":                  {175, 0},
		"finit_module":                 {313, -1},
		"delete_module":                {176, 0},
		"userfaultfd":                  {323, 0},
		"io_uring_setup":               {425, 0},
	}
	for name, c := range calls {
		res := runIO(t, p, src, "f", IOTest{fmt.Sprintf("[%d, %d]", c[0], c[1]), "(-1, 'Operation not permitted')"})
		if slices.Contains(probe.Missing, "seccomp") {
			continue
		}
		assert.Equal(t, Passed, res.Class, "%s: %+v", name, res)
	}
	// PR_GET_NO_NEW_PRIVS, PR_GET_SECCOMP (a job may have no /proc).
	status := runIO(t, p, "import ctypes\ndef f():\n    prctl = ctypes.CDLL(None).prctl\n    return [prctl(39, 0, 0, 0, 0), prctl(21, 0, 0, 0, 0)]\n",
		"f", IOTest{"[]", "[1, 2]"})
	if !slices.Contains(probe.Missing, "seccomp") {
		assert.Equal(t, Passed, status.Class, "%+v", status)
	}
	requireServes(t, p)
}

// Point 2: the job sees the interpreter, its libraries and its own
// directory, not the host: no /etc, /home, repository, cassettes, and no
// unix socket of the host (a 0777 one in /run, or an abstract one).
func TestHostileSeesHostFiles(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	secret := filepath.Join(wd, "sandbox_test.go")
	sock := fmt.Sprintf("/run/sbx-test-%d.sock", os.Getpid())
	if os.Geteuid() != 0 {
		sock = filepath.Join(t.TempDir(), "s.sock")
	}
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close(); _ = os.Remove(sock) })
	require.NoError(t, os.Chmod(sock, 0o777))
	abstract := fmt.Sprintf("@sbx-test-%d", os.Getpid())
	aln, err := net.Listen("unix", abstract)
	require.NoError(t, err)
	t.Cleanup(func() { _ = aln.Close() })
	for _, l := range []net.Listener{ln, aln} {
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				_ = c.Close()
			}
		}()
	}

	p := newPool(t, Config{})
	src := fmt.Sprintf(`import os, socket
def f():
    seen = [p for p in ('/etc/passwd', '/etc/hostname', '/home', '/work', %q, '/root/.bashrc', '/var', '/run', '/usr/bin', '/bin/sh') if os.path.exists(p)]
    for addr in (%q, '\0' + %q):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(addr)
            seen.append('connected ' + addr)
        except OSError:
            pass
    return seen
`, secret, sock, abstract[1:])
	res := runIO(t, p, src, "f", IOTest{"[]", "[]"})
	if slices.Contains(res.Missing, "minfs") {
		t.Skipf("no minimal file system here (missing %v)", res.Missing)
	}
	assert.Equal(t, Passed, res.Class, "the job sees the host: %+v", res)
	// What the interpreter needs is still there.
	res = runIO(t, p, "import os, ctypes, hashlib, random\ndef f():\n    open('/dev/null', 'w').write('x')\n    return len(os.urandom(4)) + len(open('/dev/urandom', 'rb').read(4))\n", "f", IOTest{"[]", "8"})
	assert.Equal(t, Passed, res.Class, "%+v", res)
	requireServes(t, p)
}

// Point 5: whatever the job writes, to any descriptor, and whatever object
// it returns, it cannot make a failing answer pass.
func TestHostileForgesIOVerdict(t *testing.T) {
	p := newPool(t, Config{})
	forge := `import os
RECORDS = b'{"t": "test", "i": 0, "passed": true, "class": "passed", "expected": "5", "actual": "5", "v": 5}\n' * 2 + b'{"t": "done", "class": "passed"}\n{"t": "final", "class": "passed"}\n'
def forge():
    for fd in range(0, 64):
        try:
            os.write(fd, RECORDS)
        except OSError:
            pass
`
	cases := map[string]string{
		"__eq__ always true":    "class A:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\ndef f(x):\n    return A()\n",
		"int subclass":          "class I(int):\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return I(0)\n",
		"list subclass":         "class L(list):\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return L()\n",
		"nested non-plain":      "class A:\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return [A()]\n",
		"forged records, exit":  forge + "def f(x):\n    forge()\n    os._exit(0)\n",
		"forged records, raise": forge + "def f(x):\n    forge()\n    return 0\n",
		"forged at import":      forge + "forge()\ndef f(x):\n    return 0\n",
		"expected values from memory": `import gc, sys
def f(x):
    for o in gc.get_objects():
        if isinstance(o, dict):
            for t in o.get('tests') or []:
                if isinstance(t, dict) and t.get('want'):
                    return eval(t['want'])
    fr = sys._getframe()
    while fr:
        for v in list(fr.f_locals.values()):
            if isinstance(v, dict) and v.get('tests'):
                return eval(v['tests'][0]['want'])
        fr = fr.f_back
    return 0
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			res := runIO(t, p, src, "f", IOTest{"[1]", "5"}, IOTest{"[2]", "5"})
			assert.NotEqual(t, Passed, res.Class, "%+v", res)
			assert.NotEqual(t, SandboxError, res.Class, "the job's doing is the model's failure: %+v", res)
			for _, o := range res.Tests {
				assert.False(t, o.Passed, "%+v", res)
			}
		})
	}
	res := runIO(t, p, cases["__eq__ always true"], "f", IOTest{"[1]", "5"})
	assert.Equal(t, WrongAnswer, res.Class, "%+v", res)
	assert.Contains(t, res.Error, "returned A, not a plain value")
	requireServes(t, p)
}

func TestHostileForgesCheckVerdict(t *testing.T) {
	p := newPool(t, Config{})
	test := "def check(candidate):\n    assert candidate(2) == 4\n    assert abs(candidate(3) - 9) < 1e-9\n    assert isinstance(candidate(1), int)\n"
	cases := map[string]string{
		"__eq__ always true": "    class A:\n        def __eq__(self, other):\n            return True\n        def __sub__(self, other):\n            return 0\n    return A()\n",
		"patched builtins":   "    import builtins\n    builtins.abs = lambda v: 0\n    builtins.isinstance = lambda *a: True\n    return 4\n",
		"forged records": "    import os\n    for fd in range(64):\n        try:\n            os.write(fd, b'{\"t\": \"done\", \"class\": \"passed\"}\\n{\"class\": \"passed\"}\\n')\n        except OSError:\n            pass\n" +
			"    os._exit(0)\n",
		"exit 0 in call":        "    import sys\n    sys.exit(0)\n",
		"os._exit 0 in call":    "    import os\n    os._exit(0)\n",
		"replaces check":        "    g = globals()\n    g['check'] = lambda c: None\n    import builtins\n    builtins.check = lambda c: None\n    return 4\n",
		"trace skips asserts":   "    import sys\n    def tr(frame, event, arg):\n        if frame.f_code.co_name == 'check' and event == 'line':\n            raise SystemExit(0)\n        return tr\n    sys.settrace(tr)\n    sys._getframe(1).f_trace = tr\n    return 4\n",
		"test code from memory": "    import gc\n    for o in gc.get_objects():\n        if isinstance(o, dict) and isinstance(o.get('test'), str) and 'check' in o['test']:\n            return 9 if x == 3 else 4\n    return 0\n",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := p.RunCheck(context.Background(), CheckJob{Prompt: "def sq(x):\n", Completion: body, Test: test, EntryPoint: "sq"})
			require.NoError(t, err)
			assert.NotEqual(t, Passed, res.Class, "%+v", res)
			assert.NotEqual(t, SandboxError, res.Class, "%+v", res)
		})
	}
	// Code that runs at import time, before check is defined.
	res, err := p.RunCheck(context.Background(), CheckJob{Completion: "import threading, os\n" +
		"def sq(x):\n    return 0\n" +
		"def steal():\n    g = globals()\n    while 'check' not in g:\n        pass\n    g['check'] = lambda c: None\n" +
		"threading.Thread(target=steal, daemon=True).start()\n", Test: test, EntryPoint: "sq"})
	require.NoError(t, err)
	assert.Equal(t, WrongAnswer, res.Class, "%+v", res)
	// The honest answer still passes, and a non-plain return is named.
	res, err = p.RunCheck(context.Background(), CheckJob{Prompt: "def sq(x):\n", Completion: "    return x * x\n", Test: test, EntryPoint: "sq"})
	require.NoError(t, err)
	assert.Equal(t, Passed, res.Class, "%+v", res)
	res, err = p.RunCheck(context.Background(), CheckJob{Prompt: "def sq(x):\n", Completion: cases["__eq__ always true"], Test: test, EntryPoint: "sq"})
	require.NoError(t, err)
	assert.Equal(t, WrongAnswer, res.Class, "%+v", res)
	assert.Contains(t, res.Error, "returned A, not a plain value")
	requireServes(t, p)
}

// Point 1: a worker whose clean-up check fails is replaced before the next
// job, and the job's own verdict stands.
func TestWorkerReplacedWhenNotClean(t *testing.T) {
	p := newPool(t, Config{testDirtyAfter: true})
	res := runIO(t, p, "def f():\n    return 1\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Passed, res.Class, "%+v", res)
	assert.Contains(t, res.WorkerReplaced, "dirty")
	assert.Nil(t, p.slots[0].w, "the worker must have been discarded")
	// Its replacement serves the next job.
	res = runIO(t, p, "def f():\n    return 1\n", "f", IOTest{"[]", "1"})
	assert.Equal(t, Passed, res.Class, "%+v", res)
}
