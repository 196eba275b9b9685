package sandbox

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A worker that cannot setuid runs jobs under its own uid, the idle
// children's too: a job that stops them (SIGSTOP) must not make the next
// job time out.
func TestJobCannotStallIdleChildren(t *testing.T) {
	// nobody cannot reach an interpreter under /root (pyenv's): the
	// system's, where there is one.
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); os.Getuid() != 0 || err != nil {
		t.Skip("starts the worker as nobody with " + python + ": needs root and that interpreter")
	}
	nobody := []*syscall.SysProcAttr{{Setpgid: true, Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}}
	cfg := Config{Timeout: 5 * time.Second}
	require.NoError(t, cfg.normalize())
	w, err := startWorker(python, &cfg, nobody)
	require.NoError(t, err)
	defer w.stop()
	require.Contains(t, w.hello.Missing, "setuid", "the worker runs without setuid")

	// The replacement idle children may not be forked (or named) yet when
	// the job starts: it looks again for up to a second.
	// Only its own zygote's idle children (its siblings): other pools on
	// the machine (other tests, other packages) are not this worker's.
	stop := `import os, signal, time
def f():
    n = 0
    for _ in range(100):
        for p in os.listdir('/proc'):
            try:
                st = open('/proc/%s/stat' % p).read()
            except OSError:
                continue
            comm, rest = st[st.find('(') + 1:st.rfind(')')], st[st.rfind(')') + 2:].split()
            if comm == 'sbx-idle' and int(rest[1]) == os.getppid():
                os.kill(int(p), signal.SIGSTOP)
                n += 1
        if n:
            return n
        time.sleep(0.01)
    return n
`
	res, err, healthy := w.do(context.Background(), nil, &request{ID: 1, Kind: "io", Source: stop, Function: "f",
		Tests: []wireTest{{"[]", "0"}}}, cfg.Timeout)
	require.NoError(t, err)
	require.True(t, healthy)
	require.Equal(t, WrongAnswer, res.Class, "the job found idle children to stop: %+v", res)

	res, err, healthy = w.do(context.Background(), nil, &request{ID: 2, Kind: "io", Source: "def f():\n    return 1\n", Function: "f",
		Tests: []wireTest{{"[]", "1"}}}, cfg.Timeout)
	require.NoError(t, err)
	assert.True(t, healthy)
	assert.Equal(t, Passed, res.Class, "%+v", res)
}

// An idle child that died before the worker read the zygote's notice (a
// job sharing its uid killed it, or anything else) is skipped: the next
// job runs on another one, not a sandbox_error.
func TestDeadIdleChildIsSkipped(t *testing.T) {
	python, err := resolvePython("")
	require.NoError(t, err)
	cfg := Config{Timeout: 5 * time.Second}
	require.NoError(t, cfg.normalize())
	w, err := startWorker(python, &cfg, spawnAttempts())
	require.NoError(t, err)
	defer w.stop()
	trivial := &request{ID: 1, Kind: "io", Source: "def f():\n    return 1\n", Function: "f", Tests: []wireTest{{"[]", "1"}}}
	res, err, healthy := w.do(context.Background(), nil, trivial, cfg.Timeout)
	require.NoError(t, err)
	require.True(t, healthy)
	require.Equal(t, Passed, res.Class, "%+v", res)
	if slices.Contains(res.Missing, "zygote") {
		t.Skip("no zygote, no idle children")
	}

	// Between jobs the worker reads nothing from the zygote: the deaths
	// are unread when the next job takes an idle child.
	var killed []int
	for _, z := range childrenOf(t, w.pid()) {
		for _, c := range childrenOf(t, z) {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", c)); strings.TrimSpace(string(comm)) == "sbx-idle" {
				require.NoError(t, syscall.Kill(c, syscall.SIGKILL))
				killed = append(killed, c)
			}
		}
	}
	require.NotEmpty(t, killed, "the worker's zygote has idle children")
	// Dead, their sockets closed (a zombie at most), before the next job.
	require.Eventually(t, func() bool {
		for _, c := range killed {
			st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c))
			if s := string(st); err == nil && !strings.HasPrefix(s[strings.LastIndexByte(s, ')')+1:], " Z") {
				return false
			}
		}
		return true
	}, 5*time.Second, time.Millisecond)
	trivial.ID = 2
	res, err, healthy = w.do(context.Background(), nil, trivial, cfg.Timeout)
	require.NoError(t, err)
	assert.True(t, healthy)
	assert.Equal(t, Passed, res.Class, "%+v", res)
}

// A descriptor limit too small for the job's own pipes is refused up front,
// not found out as a sandbox_error on every job.
func TestConfigRefusesTooFewOpenFiles(t *testing.T) {
	cfg := Config{OpenFiles: 8}
	err := cfg.normalize()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OpenFiles 8")
	assert.Contains(t, err.Error(), "at least 16")
	cfg = Config{OpenFiles: 16}
	assert.NoError(t, cfg.normalize())
}
