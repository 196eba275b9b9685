package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU time is what a load generator's cost per request is made of on a
// small machine, where the generator and the server share the cores; unlike
// throughput it hardly depends on what else runs at the same time.

// selfCPU returns this process's user + system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU returns the user + system CPU time of process pid from
// /proc/PID/stat (Linux), or -1 where it cannot be read.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count the fields after its closing parenthesis (field 3 onwards).
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return -1
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// perRequest formats cpu / n in microseconds, or "?" when unknown.
func perRequest(cpu time.Duration, n int) string {
	if cpu < 0 || n <= 0 {
		return "?"
	}
	return strconv.FormatFloat(float64(cpu)/float64(n)/float64(time.Microsecond), 'f', 1, 64)
}
