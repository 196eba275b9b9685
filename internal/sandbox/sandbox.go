package sandbox

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// Config configures a [Pool]. The zero value is usable.
type Config struct {
	Python      string        // interpreter path; "" = resolve the real python3 once (sys.executable)
	Workers     int           // 0 = runtime.NumCPU()
	Timeout     time.Duration // wall-clock limit per job; 0 = 10s
	CPUSeconds  int           // RLIMIT_CPU for the child; 0 = 10
	MemoryBytes int64         // RLIMIT_AS; 0 = 1 GiB
	FileBytes   int64         // RLIMIT_FSIZE; 0 = 16 MiB
	OpenFiles   int           // RLIMIT_NOFILE; 0 = 64
	Procs       int           // RLIMIT_NPROC; 0 = 16
	OutputBytes int           // cap on captured stdout/stderr each; 0 = 64 KiB
	Strict      bool          // an unavailable isolation step is an error instead of a note

	testDirtyAfter bool // tests: the worker fails its clean-up check after every job
}

// Defaults applied by [New] to zero fields of [Config].
const (
	DefaultTimeout     = 10 * time.Second
	DefaultCPUSeconds  = 10
	DefaultMemoryBytes = 1 << 30
	DefaultFileBytes   = 16 << 20
	DefaultOpenFiles   = 64
	minOpenFiles       = 16
	DefaultProcs       = 16
	DefaultOutputBytes = 64 << 10
)

// IsolationSteps names every isolation step a pool can have, in a stable
// order; [Isolation.Missing] and [Result.Missing] use these names:
//
//   - pidns: the worker is PID 1 of its own PID namespace (jobs cannot see
//     or signal other processes, and every stray process dies with it)
//   - netns: a network namespace without interfaces (no network, no
//     abstract unix sockets of the host)
//   - mountns: a private mount namespace
//   - rofs: nothing outside the job's working directory is writable
//   - minfs: the job sees only the interpreter, its libraries, a few
//     devices and its working directory (pivot_root into a read-only tmpfs)
//   - jobfs: each job's working directory is a fresh tmpfs of its own
//   - setuid: jobs run as an unprivileged uid unique to the worker
//   - nonewprivs: PR_SET_NO_NEW_PRIVS (setuid binaries give nothing)
//   - seccomp: the system-call filter (no namespaces, mounts, ptrace, bpf...)
//   - zygote: candidates are forked by a process that never saw a request,
//     so expected values are not even in their freed memory (needs a /proc
//     of the worker's PID namespace)
var IsolationSteps = []string{"pidns", "netns", "mountns", "rofs", "minfs", "jobfs", "setuid", "nonewprivs", "seccomp", "zygote"}

// isolationFix says what makes each step available.
var isolationFix = map[string]string{
	"pidns":      "run as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)",
	"netns":      "run as root, or allow unprivileged user namespaces",
	"mountns":    "run as root, or allow unprivileged user namespaces",
	"rofs":       "a mount namespace and Linux 5.12+ (mount_setattr)",
	"minfs":      "a mount namespace, Linux 5.12+ (mount_setattr) and pivot_root (x86-64 or arm64)",
	"jobfs":      "a mount namespace in which tmpfs can be mounted",
	"setuid":     "run the harness as root (jobs then run as an unprivileged uid)",
	"nonewprivs": "Linux 3.5+ (PR_SET_NO_NEW_PRIVS)",
	"seccomp":    "x86-64 and a kernel with seccomp filters (CONFIG_SECCOMP_FILTER)",
	"zygote":     "a /proc of the worker's PID namespace: run as root, or where procfs may be mounted in a user namespace (no masked /proc paths)",
}

// Isolation is what isolation a pool's workers actually have.
type Isolation struct {
	Full    bool     // every step of IsolationSteps is in place
	Missing []string // steps not in place, in IsolationSteps order; nil when Full
	Notes   []string // the workers' explanations (failed calls and their errors)
}

// String is "full" or "missing: a, b".
func (i Isolation) String() string {
	if i.Full {
		return "full"
	}
	return "missing: " + strings.Join(i.Missing, ", ")
}

// missingError is the error of a Strict pool: the missing steps and, for
// each, what provides it.
func missingError(missing, notes []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sandbox: isolation unavailable (Strict): missing %s", strings.Join(missing, ", "))
	for _, m := range missing {
		if fix, ok := isolationFix[m]; ok {
			fmt.Fprintf(&b, "; fix %s: %s", m, fix)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, "; notes: %s", strings.Join(notes, "; "))
	}
	return errors.New(b.String())
}

// Isolation reports the isolation the pool's workers have: the union of
// what any of them (replacements included) lacks.
func (p *Pool) Isolation() Isolation {
	p.isoMu.Lock()
	defer p.isoMu.Unlock()
	var iso Isolation
	for _, step := range IsolationSteps {
		if slices.Contains(p.missing, step) {
			iso.Missing = append(iso.Missing, step)
		}
	}
	for _, m := range p.missing { // a name a newer worker knows and we do not
		if !slices.Contains(IsolationSteps, m) {
			iso.Missing = append(iso.Missing, m)
		}
	}
	iso.Full = len(iso.Missing) == 0
	iso.Notes = slices.Clone(p.notes)
	return iso
}

// noteWorker records a (re)started worker's isolation in the pool's.
func (p *Pool) noteWorker(w *worker) {
	p.isoMu.Lock()
	defer p.isoMu.Unlock()
	for _, m := range w.hello.Missing {
		if !slices.Contains(p.missing, m) {
			p.missing = append(p.missing, m)
		}
	}
	for _, n := range w.hello.Notes {
		if !slices.Contains(p.notes, n) {
			p.notes = append(p.notes, n)
		}
	}
}

// ErrClosed is returned by the Run methods of a closed [Pool].
var ErrClosed = errors.New("sandbox: pool closed")

// Class classifies the outcome of a job or of one test.
type Class string

// The outcome classes.
const (
	Passed            Class = "passed"
	WrongAnswer       Class = "wrong_answer"
	Exception         Class = "exception"
	SyntaxError       Class = "syntax_error"
	FunctionMissing   Class = "function_missing"
	FunctionAmbiguous Class = "function_ambiguous"
	Timeout           Class = "timeout"
	MemoryLimit       Class = "memory_limit"
	OutputLimit       Class = "output_limit"
	Signal            Class = "signal"
	SandboxError      Class = "sandbox_error"
)

// IOJob calls one function of a module with each test's arguments.
type IOJob struct {
	Source string // a whole Python module
	// Function is the exact name of the function to call. "" means the
	// single function the module defines at top level; none gives
	// FunctionMissing, several give FunctionAmbiguous.
	Function string
	Tests    []IOTest
}

// IOTest is one call and its expected value. Args and Want are Python
// expressions evaluated in the child with no builtins; only inf and nan are
// defined. The call is function(*args) and passes when actual == expected.
type IOTest struct {
	Args string // the positional-argument list, e.g. "[2, 3]" or "[(1, 2), 3.0, None]"
	Want string // the expected value, e.g. "5", "(1, 5)", "3.0", "None", "True"
}

// CheckJob is a HumanEval-style job: the program
// Prompt+Completion+"\n"+Test+"\n"+"check(EntryPoint)". A failed assert is
// WrongAnswer; an entry point that is not defined is FunctionMissing.
type CheckJob struct {
	Prompt, Completion, Test, EntryPoint string
}

// Result is the outcome of one job.
type Result struct {
	Class          Class         // overall: passed only if every test passed
	Tests          []TestOutcome // one per IOTest, in order (IO jobs)
	Error          string        // "ExcType: message" or a description for non-passed classes
	Stdout, Stderr string        // captured, capped at Config.OutputBytes each
	Missing        []string      // isolation steps that were not available (e.g. "netns", "setuid")
	PeakRSSBytes   int64         // child's peak RSS (ru_maxrss)
	// WorkerReplaced, when set, says why the worker could not restore the
	// clean state jobs start from after this job; it was replaced, and the
	// job's own verdict stands (it ran in a clean state).
	WorkerReplaced string
	Duration       time.Duration // wall time of the job
}

// TestOutcome is the outcome of one IOTest.
type TestOutcome struct {
	Passed   bool
	Class    Class  // passed, wrong_answer, exception, timeout...
	Expected string // repr(expected)
	Actual   string // repr(actual), "" when it raised
	Error    string // "ExcType: message" when it raised
}

// Pool runs jobs on a fixed number of Python workers. It is safe for
// concurrent use; at most Workers jobs run at once and the others wait.
type Pool struct {
	cfg    Config
	python string
	idle   chan *slot
	closed chan struct{}
	once   sync.Once
	nextID atomic.Uint64
	slots  []*slot // every slot, for tests and Close

	isoMu   sync.Mutex
	missing []string // isolation steps some worker lacks
	notes   []string
}

// slot owns at most one worker; a nil worker is started on next use, which
// is how crashed or killed workers get replaced.
type slot struct {
	w *worker
}

// New starts cfg.Workers workers and returns once all are ready.
func New(cfg Config) (*Pool, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	python, err := resolvePython(cfg.Python)
	if err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:    cfg,
		python: python,
		idle:   make(chan *slot, cfg.Workers),
		closed: make(chan struct{}),
	}
	// Start workers in parallel: each costs an interpreter start.
	errs := make([]error, cfg.Workers)
	p.slots = make([]*slot, cfg.Workers)
	var wg sync.WaitGroup
	for i := range p.slots {
		p.slots[i] = &slot{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.slots[i].w, errs[i] = startWorker(p.python, &p.cfg, spawnAttempts())
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, s := range p.slots {
			if s.w != nil {
				s.w.stop()
			}
		}
		return nil, err
	}
	for _, s := range p.slots {
		p.noteWorker(s.w)
		p.idle <- s
	}
	return p, nil
}

func (c *Config) normalize() error {
	if c.Workers < 0 || c.Timeout < 0 || c.CPUSeconds < 0 || c.MemoryBytes < 0 ||
		c.FileBytes < 0 || c.OpenFiles < 0 || c.Procs < 0 || c.OutputBytes < 0 {
		return errors.New("sandbox: negative value in Config")
	}
	if c.OpenFiles > 0 && c.OpenFiles < minOpenFiles {
		// The limit is set in a child before it receives the job's pipes.
		return fmt.Errorf("sandbox: Config.OpenFiles %d leaves no room for the job's own descriptors: use at least %d (0 is %d)", c.OpenFiles, minOpenFiles, DefaultOpenFiles)
	}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.CPUSeconds == 0 {
		c.CPUSeconds = DefaultCPUSeconds
	}
	if c.MemoryBytes == 0 {
		c.MemoryBytes = DefaultMemoryBytes
	}
	if c.FileBytes == 0 {
		c.FileBytes = DefaultFileBytes
	}
	if c.OpenFiles == 0 {
		c.OpenFiles = DefaultOpenFiles
	}
	if c.Procs == 0 {
		c.Procs = DefaultProcs
	}
	if c.OutputBytes == 0 {
		c.OutputBytes = DefaultOutputBytes
	}
	return nil
}

// Workers reports the number of workers of the pool.
func (p *Pool) Workers() int { return p.cfg.Workers }

// Close stops every worker. Jobs in flight are cancelled and return
// ErrClosed; later calls return ErrClosed. Close is idempotent.
func (p *Pool) Close() error {
	first := false
	p.once.Do(func() {
		first = true
		close(p.closed)
	})
	if !first {
		return nil
	}
	// Collect every slot: in-flight jobs notice p.closed and give theirs back.
	for range p.slots {
		s := <-p.idle
		if s.w != nil {
			s.w.stop()
			s.w = nil
		}
	}
	return nil
}

// RunIO runs a module's I/O tests.
func (p *Pool) RunIO(ctx context.Context, job IOJob) (Result, error) {
	if job.Function != "" && !isIdentifier(job.Function) {
		return Result{}, fmt.Errorf("sandbox: function name %q is not a Python identifier", job.Function)
	}
	tests := make([]wireTest, len(job.Tests))
	for i, t := range job.Tests {
		if strings.TrimSpace(t.Args) == "" || strings.TrimSpace(t.Want) == "" {
			return Result{}, fmt.Errorf("sandbox: test %d: empty Args or Want", i+1)
		}
		tests[i] = wireTest{Args: t.Args, Want: t.Want}
	}
	return p.run(ctx, &request{Kind: "io", Source: job.Source, Function: job.Function, Tests: tests})
}

// RunCheck runs a HumanEval-style check(entry_point) program.
func (p *Pool) RunCheck(ctx context.Context, job CheckJob) (Result, error) {
	if !isIdentifier(job.EntryPoint) {
		return Result{}, fmt.Errorf("sandbox: entry point %q is not a Python identifier", job.EntryPoint)
	}
	return p.run(ctx, &request{Kind: "check", Prompt: job.Prompt, Completion: job.Completion,
		Test: job.Test, EntryPoint: job.EntryPoint})
}

// CheckSyntax parses source with ast.parse (in a sandboxed child: the parser
// is not hardened against hostile input). The class is Passed or SyntaxError.
func (p *Pool) CheckSyntax(ctx context.Context, source string) (Result, error) {
	return p.run(ctx, &request{Kind: "syntax", Source: source})
}

func (p *Pool) run(ctx context.Context, req *request) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var s *slot
	select {
	case <-p.closed:
		return Result{}, ErrClosed
	default:
	}
	select {
	case s = <-p.idle:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-p.closed:
		return Result{}, ErrClosed
	}
	defer func() { p.idle <- s }()
	select {
	case <-p.closed:
		return Result{}, ErrClosed
	default:
	}
	start := time.Now()
	if s.w == nil {
		w, err := startWorker(p.python, &p.cfg, spawnAttempts())
		if err != nil {
			return Result{Class: SandboxError, Error: "starting a replacement worker: " + err.Error(),
				Duration: time.Since(start)}, nil
		}
		s.w = w
		p.noteWorker(w)
	}
	req.ID = p.nextID.Add(1)
	res, err, healthy := s.w.do(ctx, p.closed, req, p.cfg.Timeout)
	if !healthy {
		s.w.stop()
		s.w = nil
	}
	res.Duration = time.Since(start)
	return res, err
}

// isIdentifier reports whether s looks like a Python identifier: the names
// we look up must be plain names, not expressions.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', unicode.IsLetter(r):
		case unicode.IsDigit(r) && i > 0:
		default:
			return false
		}
	}
	return true
}
