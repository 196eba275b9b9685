package sandbox

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed worker.py
var workerSource string

// seccompFilter is built once: it depends only on the architecture.
var seccompFilter = seccompProgram()

// uidBase is added to the worker's (host) pid to get the uid its jobs run as
// when the harness is root: unique per live worker, so RLIMIT_NPROC counts
// one worker's jobs only, and far above real accounts.
const uidBase = 1 << 30

const (
	startTimeout = 20 * time.Second // interpreter start plus namespace setup
	// backstopGrace is how long after the job's own timeout Go waits for a
	// worker before declaring it hung. The worker kills the job itself, so
	// this only fires when the worker is broken.
	backstopGrace = 5 * time.Second
	cancelGrace   = 2 * time.Second // for the worker to confirm a cancel
	stopGrace     = time.Second     // for a worker to exit after stdin closes
)

// request is one line of the protocol, Go to worker.
type request struct {
	ID         uint64     `json:"id"`
	Kind       string     `json:"kind"` // io, check, syntax
	Source     string     `json:"source,omitempty"`
	Function   string     `json:"function,omitempty"`
	Tests      []wireTest `json:"tests,omitempty"`
	Prompt     string     `json:"prompt,omitempty"`
	Completion string     `json:"completion,omitempty"`
	Test       string     `json:"test,omitempty"`
	EntryPoint string     `json:"entry_point,omitempty"`
}

type wireTest struct {
	Args string `json:"args"`
	Want string `json:"want"`
}

// response is one line of the protocol, worker to Go.
type response struct {
	ID    uint64 `json:"id"`
	Class Class  `json:"class"`
	Error string `json:"error"`
	Tests []struct {
		Passed   bool   `json:"passed"`
		Class    Class  `json:"class"`
		Expected string `json:"expected"`
		Actual   string `json:"actual"`
		Error    string `json:"error"`
	} `json:"tests"`
	Stdout    string   `json:"stdout"`
	Stderr    string   `json:"stderr"`
	MaxRSS    int64    `json:"maxrss"`
	Missing   []string `json:"missing"`
	Cancelled bool     `json:"cancelled"`
	// Replace: the worker could not restore the clean state every job
	// starts from (SandboxNote says why); the job's own verdict stands.
	Replace     bool   `json:"replace"`
	SandboxNote string `json:"sandbox_note"`
}

// workerConfig is the first line sent to a worker.
type workerConfig struct {
	Timeout float64 `json:"timeout"`
	CPU     int     `json:"cpu"`
	AS      int64   `json:"as"`
	FSize   int64   `json:"fsize"`
	NoFile  int     `json:"nofile"`
	NProc   int     `json:"nproc"`
	Output  int     `json:"output"`
	UID     int     `json:"uid"`
	PIDNS   bool    `json:"pidns"`
	UserNS  bool    `json:"userns"`
	Seccomp []byte  `json:"seccomp"` // struct sock_filter array; nil = none for this architecture
	// DirtyAfter makes the worker leave a file in /tmp after every job, as
	// a broken clean-up would: tests only.
	DirtyAfter bool `json:"dirty_after,omitempty"`
}

type hello struct {
	Ready   bool     `json:"ready"`
	Missing []string `json:"missing"`
	Notes   []string `json:"notes"`
	UID     *int     `json:"uid"`
	Version string   `json:"version"`
}

// worker is one running Python worker process.
type worker struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lines   chan []byte   // response lines; closed when stdout ends
	exited  chan struct{} // closed once the process has been waited for
	stderr  *tailBuffer
	hello   hello
	stopped sync.Once
}

// namespace setups to try, most isolated first. As root a PID namespace
// needs nothing else; without root it needs a user namespace, in which the
// worker is root (uid 0 mapped to ours) so it can still build its mount and
// network namespaces.
func spawnAttempts() []*syscall.SysProcAttr {
	base := func() *syscall.SysProcAttr {
		return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	var out []*syscall.SysProcAttr
	if os.Geteuid() == 0 {
		a := base()
		a.Cloneflags = syscall.CLONE_NEWPID
		out = append(out, a)
	} else {
		a := base()
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		a.GidMappingsEnableSetgroups = false
		out = append(out, a)
	}
	return append(out, base())
}

// startWorker starts a worker with the first of attempts that the kernel
// allows.
func startWorker(python string, cfg *Config, attempts []*syscall.SysProcAttr) (*worker, error) {
	var lastErr error
	for _, attr := range attempts {
		// -S: no site module, so no .pth file of site-packages runs code
		// in the (root) worker before it is isolated, and start-up does
		// not pay for them (~50 ms where one imports certifi); jobs get
		// the standard library only, as documented.
		cmd := exec.Command(python, "-I", "-S", "-c", workerSource)
		cmd.SysProcAttr = attr
		w, err := launch(cmd, cfg)
		if err == nil {
			if cfg.Strict && len(w.hello.Missing) > 0 {
				w.stop()
				return nil, missingError(w.hello.Missing, w.hello.Notes)
			}
			return w, nil
		}
		lastErr = err
		var se *os.SyscallError
		var pe *os.PathError
		if !errors.As(err, &se) && !errors.As(err, &pe) {
			// The process started but failed: namespaces were not the problem.
			return nil, err
		}
	}
	return nil, lastErr
}

func launch(cmd *exec.Cmd, cfg *Config) (*worker, error) {
	// The worker gets no variable of the harness's environment; the
	// locale only keeps Python's text encoding predictable.
	cmd.Env = []string{"LC_ALL=C.UTF-8"}
	cmd.Dir = "/"
	w := &worker{cmd: cmd, lines: make(chan []byte, 1), exited: make(chan struct{}),
		stderr: &tailBuffer{max: 8 << 10}}
	cmd.Stderr = w.stderr
	cmd.WaitDelay = time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("sandbox: starting worker: %w", err)
	}
	w.stdin = stdin
	go func() {
		defer close(w.lines)
		r := bufio.NewReaderSize(stdout, 1<<16)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 && err == nil {
				w.lines <- line
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(w.exited)
	}()
	attr := cmd.SysProcAttr
	if attr == nil {
		attr = &syscall.SysProcAttr{}
	}
	wc := workerConfig{
		Timeout: cfg.Timeout.Seconds(), CPU: cfg.CPUSeconds, AS: cfg.MemoryBytes, FSize: cfg.FileBytes,
		NoFile: cfg.OpenFiles, NProc: cfg.Procs, Output: cfg.OutputBytes, UID: uidBase + cmd.Process.Pid,
		PIDNS:      attr.Cloneflags&syscall.CLONE_NEWPID != 0,
		UserNS:     attr.Cloneflags&syscall.CLONE_NEWUSER != 0,
		Seccomp:    seccompFilter,
		DirtyAfter: cfg.testDirtyAfter,
	}
	if err := w.send(wc); err != nil {
		w.stop()
		return nil, fmt.Errorf("sandbox: configuring worker: %w; stderr: %s", err, w.stderr)
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line, ok := <-w.lines:
		if !ok {
			w.stop()
			return nil, fmt.Errorf("sandbox: worker exited during start-up: %s", w.stderr)
		}
		if err := json.Unmarshal(line, &w.hello); err != nil || !w.hello.Ready {
			w.stop()
			return nil, fmt.Errorf("sandbox: bad worker hello %q: %v", line, err)
		}
	case <-timer.C:
		w.stop()
		return nil, fmt.Errorf("sandbox: worker not ready after %s: %s", startTimeout, w.stderr)
	}
	return w, nil
}

func (w *worker) send(v any) error {
	// One line, one write, from encoding/json's pooled buffer.
	return json.NewEncoder(w.stdin).Encode(v)
}

// do runs one request. healthy=false means the worker must be discarded.
func (w *worker) do(ctx context.Context, closed <-chan struct{}, req *request, timeout time.Duration) (res Result, err error, healthy bool) {
	if err := w.send(req); err != nil {
		return w.died("sending the job: " + err.Error()), nil, false
	}
	backstop := time.NewTimer(timeout + backstopGrace)
	defer backstop.Stop()
	var abort error // why we asked the worker to cancel
	var grace <-chan time.Time
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				if abort != nil {
					return Result{}, abort, false
				}
				return w.died("worker died during the job"), nil, false
			}
			var resp response
			if err := json.Unmarshal(line, &resp); err != nil {
				return Result{Class: SandboxError, Error: fmt.Sprintf("bad worker response: %v", err)}, nil, false
			}
			if resp.ID != req.ID {
				continue // answer to a job we gave up on; cannot happen after a kill
			}
			if abort != nil {
				return Result{}, abort, !resp.Replace
			}
			return resp.result(), nil, !resp.Replace
		case <-ctx.Done():
			if abort == nil {
				abort = ctx.Err()
				grace = w.cancel(req.ID)
			}
		case <-closed:
			if abort == nil {
				abort = ErrClosed
				grace = w.cancel(req.ID)
			}
		case <-grace:
			return Result{}, abort, false
		case <-backstop.C:
			return Result{Class: SandboxError, Error: fmt.Sprintf(
				"worker did not answer within %s of the job's timeout; replaced", backstopGrace)}, nil, false
		}
		if abort != nil {
			// Nil the fired channels so the loop waits on the answer only.
			ctx, closed = context.Background(), nil
		}
	}
}

// cancel asks the worker to kill the running job and returns the deadline
// for its confirmation.
func (w *worker) cancel(id uint64) <-chan time.Time {
	_ = w.send(map[string]uint64{"cancel": id})
	return time.After(cancelGrace)
}

// died describes a worker that disappeared mid-job (for instance because
// the job killed it): the job's class is SandboxError.
func (w *worker) died(what string) Result {
	w.kill()
	select {
	case <-w.exited:
	case <-time.After(stopGrace):
	}
	msg := what
	if ps := w.cmd.ProcessState; ps != nil {
		msg += " (" + ps.String() + ")"
	}
	if tail := strings.TrimSpace(w.stderr.String()); tail != "" {
		msg += "; worker stderr: " + tail
	}
	return Result{Class: SandboxError, Error: msg}
}

func (w *worker) kill() {
	if p := w.cmd.Process; p != nil {
		// The worker leads its process group; its jobs are in other
		// sessions but die with it (PID 1 of their namespace, or
		// PDEATHSIG without one).
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
		_ = p.Kill()
	}
}

// stop ends the worker: politely (EOF on stdin), then by force.
func (w *worker) stop() {
	w.stopped.Do(func() {
		_ = w.stdin.Close()
		select {
		case <-w.exited:
			return
		case <-time.After(stopGrace):
		}
		w.kill()
		<-w.exited
	})
}

func (w *worker) pid() int { return w.cmd.Process.Pid }

func (r *response) result() Result {
	res := Result{
		WorkerReplaced: r.SandboxNote,
		Class:          r.Class,
		Error:          r.Error,
		Stdout:         r.Stdout,
		Stderr:         r.Stderr,
		Missing:        r.Missing,
		PeakRSSBytes:   r.MaxRSS,
	}
	if len(r.Missing) == 0 {
		res.Missing = nil
	}
	for _, t := range r.Tests {
		res.Tests = append(res.Tests, TestOutcome{Passed: t.Passed, Class: t.Class,
			Expected: t.Expected, Actual: t.Actual, Error: t.Error})
	}
	return res
}

// tailBuffer keeps the last max bytes written to it (the worker's stderr,
// for diagnostics).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

var python struct {
	once sync.Once
	path string
	err  error
}

// resolvePython returns explicit unchanged; otherwise the real interpreter
// behind python3 on PATH, asked once per process, since python3 is often a
// shim (pyenv, asdf) that costs ~100 ms per start and needs the harness's
// environment, which the workers do not get.
func resolvePython(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	python.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "python3", "-c", "import sys; print(sys.executable)").Output()
		if err != nil {
			python.err = fmt.Errorf("sandbox: resolving python3: %w", err)
			return
		}
		python.path = strings.TrimSpace(string(out))
		if python.path == "" {
			python.err = errors.New("sandbox: python3 reports no sys.executable")
		}
	})
	return python.path, python.err
}
