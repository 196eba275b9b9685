// Package sandbox runs untrusted, model-generated Python code and classifies
// the outcome, fast enough to validate whole benchmarks in about a second.
//
// # Design
//
// A [Pool] keeps long-lived Python workers (python3 -I, standard library
// only; the worker source is embedded in this package). Starting an
// interpreter costs ~16 ms, forking one ~1 ms, so each worker forks a fresh
// child per job instead of starting a new interpreter. Go talks to a worker
// over newline-delimited JSON on its stdin/stdout; the child never sees those
// pipes: its fds 1 and 2 are capped pipes read by the worker and it reports
// results on a dedicated pipe (fd 3).
//
// Isolation, from the outside in:
//
//   - Each worker is started with an almost empty environment in a new PID
//     namespace (it is PID 1 there, so when it dies every process a job left
//     behind dies with it), and unshares a network namespace (no interfaces
//     but a down loopback) and a mount namespace in which the whole file
//     system is read-only, /proc shows only the worker's own processes and
//     /tmp is a private tmpfs.
//   - Each job runs in a forked child that calls setsid, gets its own
//     temporary working directory (removed afterwards), an empty environment,
//     rlimits on CPU time, address space, file size, open files and processes,
//     and, when the harness runs as root, drops to an unprivileged uid/gid
//     unique to the worker so RLIMIT_NPROC binds and nothing outside the
//     working directory is writable.
//   - The wall-clock limit is enforced from outside: the worker SIGKILLs the
//     child's process group and then every descendant left. Go keeps a
//     backstop: a worker that does not answer in time is killed and replaced,
//     as is one that dies; the pool never hangs on a job.
//
// Where an isolation step is not available (no privileges for namespaces,
// not root for setuid), the job still runs and [Result.Missing] names the
// step ("pidns", "netns", "mountns", "rofs", "setuid"); with [Config.Strict]
// the pool refuses to start instead.
//
// Code a job runs can still forge its own result (it shares the child process
// with the reporting code); the sandbox contains damage, it does not make
// results tamper-proof against deliberately adversarial code.
//
// # Outcomes
//
// Every job ends in a [Class]: passed, wrong_answer, exception (with
// "ExcType: message"), syntax_error, function_missing, function_ambiguous,
// timeout (wall clock or CPU), memory_limit (MemoryError or killed for
// memory), output_limit (stdout/stderr over the cap or a file over
// RLIMIT_FSIZE), signal (e.g. SIGSEGV) or sandbox_error. Go errors are
// returned only for misuse, a closed pool or a cancelled context.
//
// Modules are executed with __name__ set to "solution", so
// `if __name__ == "__main__":` blocks do not run.
package sandbox
