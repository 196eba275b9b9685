package sandbox

import (
	"encoding/binary"
	"maps"
	"runtime"
	"slices"
)

// The seccomp filter every job runs under, built here as classic BPF and
// handed to the worker, which installs it in each job's child after
// no_new_privs (prctl(PR_SET_SECCOMP)). It is a deny list: the job may do
// anything a plain Python program does, but not the calls that only serve
// to gain privilege or reach rarely used kernel code: building namespaces,
// mounting, tracing, loading BPF or modules, keyrings, perf events,
// userfaultfd, io_uring and the like. Refused calls fail with EPERM, so the
// program sees an ordinary PermissionError instead of being killed.
//
// Hand-written rather than through a library: the program is a dozen
// distinct checks and one argument test (clone's flags), which the small
// maintained Go libraries do not all express, and it keeps the module free
// of a new dependency.

// Classic BPF opcodes and seccomp return values (linux/filter.h, seccomp.h).
const (
	bpfLdWAbs  = 0x20 // BPF_LD | BPF_W | BPF_ABS
	bpfJeqK    = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	bpfJgeK    = 0x35 // BPF_JMP | BPF_JGE | BPF_K
	bpfJsetK   = 0x45 // BPF_JMP | BPF_JSET | BPF_K
	bpfRetK    = 0x06 // BPF_RET | BPF_K
	retAllow   = 0x7fff0000
	retErrno   = 0x00050000
	retKill    = 0x80000000 // SECCOMP_RET_KILL_PROCESS
	eperm      = 1
	enosys     = 38
	offNr      = 0  // seccomp_data.nr
	offArch    = 4  // seccomp_data.arch
	offArg0Lo  = 16 // low 32 bits of seccomp_data.args[0] (little endian)
	x32Bit     = 0x40000000
	auditAMD64 = 0xc000003e
)

// cloneNamespaceFlags are the refused bits of clone(2)'s flags: the
// CLONE_NEW* ones (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID,
// NEWNET), and CLONE_PARENT, whose child would be the zygote's, out of
// the sweep's reach where the worker has no PID namespace.
const cloneNamespaceFlags = 0x00008000 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 |
	0x10000000 | 0x20000000 | 0x40000000

// seccompDenied are the refused system calls by name, with their x86-64
// numbers.
var seccompDeniedAMD64 = map[string]uint32{
	"unshare": 272, "setns": 308,
	"mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
	"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
	"fsmount": 432, "fspick": 433, "mount_setattr": 442,
	"ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
	"kcmp": 312, "pidfd_getfd": 438,
	"bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
	"keyctl": 250, "add_key": 248, "request_key": 249,
	"kexec_load": 246, "kexec_file_load": 320, "reboot": 169,
	"init_module": 175, "finit_module": 313, "delete_module": 176,
	"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
	"swapon": 167, "swapoff": 168, "acct": 163, "quotactl": 179,
	"name_to_handle_at": 303, "open_by_handle_at": 304,
	"sethostname": 170, "setdomainname": 171, "syslog": 103,
	"settimeofday": 164, "clock_settime": 227, "adjtimex": 159, "clock_adjtime": 305,
	"iopl": 172, "ioperm": 173, "uselib": 134, "vhangup": 153,
	"fanotify_init": 300, "lookup_dcookie": 212,
}

const (
	sysCloneAMD64  = 56
	sysClone3AMD64 = 435
)

type sockFilter struct {
	code   uint16
	jt, jf uint8
	k      uint32
}

// seccompProgram returns the filter as the bytes of a struct sock_filter
// array for this machine, or nil where no filter is defined (any
// architecture but x86-64): the job then runs without one and the pool
// reports the "seccomp" step missing.
func seccompProgram() []byte {
	if runtime.GOARCH != "amd64" {
		return nil
	}
	prog := []sockFilter{
		// Another ABI (i386 via int 0x80) would need its own numbers: refuse.
		{bpfLdWAbs, 0, 0, offArch},
		{bpfJeqK, 1, 0, auditAMD64},
		{bpfRetK, 0, 0, retKill},
		{bpfLdWAbs, 0, 0, offNr},
		// The x32 ABI reuses the numbers with this bit set.
		{bpfJgeK, 0, 1, x32Bit},
		{bpfRetK, 0, 0, retErrno | eperm},
		// clone3 passes its flags in memory, out of a filter's reach:
		// ENOSYS makes the C library fall back to clone, checked below.
		{bpfJeqK, 0, 1, sysClone3AMD64},
		{bpfRetK, 0, 0, retErrno | enosys},
		{bpfJeqK, 0, 4, sysCloneAMD64},
		{bpfLdWAbs, 0, 0, offArg0Lo},
		{bpfJsetK, 0, 1, cloneNamespaceFlags},
		{bpfRetK, 0, 0, retErrno | eperm},
		{bpfRetK, 0, 0, retAllow},
	}
	for _, nr := range slices.Sorted(maps.Values(seccompDeniedAMD64)) {
		prog = append(prog,
			sockFilter{bpfJeqK, 0, 1, nr},
			sockFilter{bpfRetK, 0, 0, retErrno | eperm})
	}
	prog = append(prog, sockFilter{bpfRetK, 0, 0, retAllow})
	out := make([]byte, 0, 8*len(prog))
	for _, f := range prog {
		out = binary.NativeEndian.AppendUint16(out, f.code)
		out = append(out, f.jt, f.jf)
		out = binary.NativeEndian.AppendUint32(out, f.k)
	}
	return out
}
