package sandbox

import (
	"context"
	"os"
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
	stop := "import os, signal, time\ndef f():\n    n = 0\n    for _ in range(100):\n        for p in os.listdir('/proc'):\n" +
		"            try:\n                comm = open('/proc/%s/comm' % p).read().strip()\n            except OSError:\n                continue\n" +
		"            if comm == 'sbx-idle':\n                os.kill(int(p), signal.SIGSTOP)\n                n += 1\n" +
		"        if n:\n            return n\n        time.sleep(0.01)\n    return n\n"
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
