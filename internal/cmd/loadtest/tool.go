package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// toolResult is what a load tool's report says.
type toolResult struct {
	Command       string
	Requests      int
	Errors        int // non-2xx answers and socket errors
	RPS           float64
	P50, P90, P99 time.Duration
	CPU           time.Duration // the tool's user + system time
}

// okRPS is the rate of successful answers: both tools count failures in
// their Requests/sec, lifttest's throughput does not.
func (r toolResult) okRPS() float64 {
	if r.Requests <= 0 || r.Errors <= 0 {
		return r.RPS
	}
	return r.RPS * float64(max(0, r.Requests-r.Errors)) / float64(r.Requests)
}

type toolArgs struct {
	url         string
	body        []byte
	concurrency int
	duration    time.Duration
	threads     int
	// pace, when positive, is how long each connection waits between its
	// requests: concurrency/pace requests per second, below saturation.
	pace time.Duration
}

var errNoTool = errors.New("no load tool on PATH: install wrk (apt-get install wrk) or hey, or pass -tool none")

// pickTool resolves -tool: "" means none.
func pickTool(name string) (string, error) {
	switch name {
	case "none":
		return "", nil
	case "wrk", "hey":
		if _, err := exec.LookPath(name); err != nil {
			return "", fmt.Errorf("-tool %s: %w", name, err)
		}
		return name, nil
	case "auto":
		for _, t := range []string{"wrk", "hey"} {
			if _, err := exec.LookPath(t); err == nil {
				return t, nil
			}
		}
		return "", errNoTool
	}
	return "", fmt.Errorf("-tool %q: want wrk, hey, none or auto", name)
}

// runTool runs the tool against a.url and parses its report.
func runTool(ctx context.Context, name string, a toolArgs, stderr io.Writer) (toolResult, error) {
	dir, err := os.MkdirTemp("", "loadtest-tool-")
	if err != nil {
		return toolResult{}, err
	}
	defer os.RemoveAll(dir)
	bodyFile := filepath.Join(dir, "body.json")
	if err := os.WriteFile(bodyFile, a.body, 0o600); err != nil {
		return toolResult{}, err
	}
	var args []string
	var parse func([]byte) (toolResult, error)
	switch name {
	case "wrk":
		// A POST body needs a script; it reads the body file, so no quoting
		// of the JSON in Lua is involved.
		script := filepath.Join(dir, "post.lua")
		lua := fmt.Sprintf("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"+
			"wrk.headers[\"Accept\"] = \"application/json\"\nlocal f = assert(io.open(%q, \"rb\"))\nwrk.body = f:read(\"*a\")\nf:close()\n", bodyFile)
		if a.pace > 0 {
			// wrk calls delay() before each request of a connection, in
			// ms; jittered by ±50 % as lifttest's paced run is, so that the
			// connections do not stay in step.
			p := a.pace.Milliseconds()
			lua += fmt.Sprintf("function delay()\n  return math.random(%d, %d)\nend\n", p-p/2, p+p/2)
		}
		if err := os.WriteFile(script, []byte(lua), 0o600); err != nil {
			return toolResult{}, err
		}
		// wrk takes whole seconds, and needs a connection per thread at least.
		secs := max(1, int((a.duration+time.Second-1)/time.Second))
		threads := min(max(1, a.threads), a.concurrency)
		args = []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(a.concurrency), "-d", strconv.Itoa(secs) + "s",
			"--latency", "-s", script, a.url}
		parse = parseWrk
	case "hey":
		args = []string{"-z", a.duration.String(), "-c", strconv.Itoa(a.concurrency), "-m", "POST",
			"-T", "application/json", "-A", "application/json", "-D", bodyFile}
		if a.pace > 0 {
			// -q is the rate limit of each worker, in requests per second.
			args = append(args, "-q", strconv.FormatFloat(float64(time.Second)/float64(a.pace), 'f', 3, 64))
		}
		args = append(args, a.url)
		parse = parseHey
	default:
		return toolResult{}, fmt.Errorf("unknown tool %q", name)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return toolResult{}, fmt.Errorf("%s: %w\n%s", name, err, out.Bytes())
	}
	res, err := parse(out.Bytes())
	if err != nil {
		return toolResult{}, fmt.Errorf("%s: %w; its output:\n%s", name, err, out.Bytes())
	}
	res.Command = name + " " + strings.Join(args, " ")
	res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return res, nil
}

var (
	wrkRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkTotal    = regexp.MustCompile(`(?m)^\s*(\d+) requests in `)
	wrkNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkPercent  = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s|m)\s*$`)
	heyRPS      = regexp.MustCompile(`(?m)^\s*Requests/sec:\s+([0-9.]+)`)
	heyPercent  = regexp.MustCompile(`(?m)^\s+(50|90|99)% in ([0-9.]+) secs`)
	heyStatus   = regexp.MustCompile(`(?m)^\s+\[(\d+)\]\s+(\d+) responses`)
	heyErrorSec = regexp.MustCompile(`(?m)^Error distribution:`)
	heyErrLine  = regexp.MustCompile(`(?m)^\s+\[(\d+)\]\s+\S`)
)

// parseWrk reads wrk's report (run with --latency).
func parseWrk(out []byte) (toolResult, error) {
	var r toolResult
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec line")
	}
	r.RPS, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := wrkTotal.FindSubmatch(out); m != nil {
		r.Requests, _ = strconv.Atoi(string(m[1]))
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		n, _ := strconv.Atoi(string(m[1]))
		r.Errors += n
	}
	if m := wrkSocket.FindSubmatch(out); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.Atoi(string(g))
			r.Errors += n
		}
	}
	units := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}
	for _, m := range wrkPercent.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		setPercentile(&r, string(m[1]), time.Duration(v*float64(units[string(m[3])])))
	}
	if r.P99 == 0 {
		return r, fmt.Errorf("no 99%% latency line (run wrk with --latency)")
	}
	return r, nil
}

// parseHey reads hey's summary.
func parseHey(out []byte) (toolResult, error) {
	var r toolResult
	m := heyRPS.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec line")
	}
	r.RPS, _ = strconv.ParseFloat(string(m[1]), 64)
	for _, m := range heyPercent.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		setPercentile(&r, string(m[1]), time.Duration(v*float64(time.Second)))
	}
	if r.P99 == 0 {
		return r, fmt.Errorf("no 99%% latency line")
	}
	// Status codes, then (when any) the error distribution: "[N] error".
	status, errs := out, []byte(nil)
	if loc := heyErrorSec.FindIndex(out); loc != nil {
		status, errs = out[:loc[0]], out[loc[1]:]
	}
	for _, m := range heyStatus.FindAllSubmatch(status, -1) {
		code, _ := strconv.Atoi(string(m[1]))
		n, _ := strconv.Atoi(string(m[2]))
		r.Requests += n
		if code < 200 || code > 299 {
			r.Errors += n
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(errs))
	for sc.Scan() {
		if m := heyErrLine.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[1])
			r.Requests += n
			r.Errors += n
		}
	}
	return r, nil
}

func setPercentile(r *toolResult, p string, d time.Duration) {
	switch p {
	case "50":
		r.P50 = d
	case "90":
		r.P90 = d
	case "99":
		r.P99 = d
	}
}
