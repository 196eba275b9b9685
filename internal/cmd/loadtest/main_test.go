package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The whole command, tiny: it builds and starts cmd/refserver on 127.0.0.1,
// drives it for a fraction of a second with 4 in flight, then with the
// load tool when one is installed (wrk runs at least 1 s).
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts cmd/refserver")
	}
	tool := "none"
	for _, name := range []string{"wrk", "hey"} {
		if _, err := exec.LookPath(name); err == nil {
			tool = name
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, &stdout, &stderr, []string{"-duration", "300ms", "-paced", "300ms", "-rate", "200", "-concurrency", "4", "-tool", tool, "-progress", "0"})
	require.NoError(t, err, "stderr:\n%s", stderr.String())
	out := stdout.String()
	assert.Regexp(t, `(?m)^lifttest: \d+ requests, 0 failed \(every answer decoded and checked\)`, out)
	assert.Regexp(t, `(?m)^lifttest: CPU per request: client [0-9.]+ µs, server [0-9.]+ µs$`, out)
	assert.Regexp(t, `(?m)^net/http floor: \d+ requests, 0 errors, \d+ req/s, CPU per request: client [0-9.]+ µs, server [0-9.]+ µs$`, out)
	if tool != "none" {
		assert.Regexp(t, `(?m)^net/http floor: [0-9.]+ µs/request, ratio \d+\.\d\d \(lifttest [0-9.]+ µs/request, `+tool+` [0-9.]+ µs/request\)$`, out)
	}
	last := regexp.MustCompile(`loadtest: lifttest \d+ req/s, ` + tool + ` \d+ req/s, ratio \d+\.\d\d, p99 added -?\d+\.\d\d ms\n$`)
	if tool == "none" {
		last = regexp.MustCompile(`loadtest: lifttest \d+ req/s \(no load tool run\)\n$`)
	}
	assert.Regexp(t, last, out)
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-concurrency", "0", "-tool", "none"}, "must be positive"},
		{[]string{"-tool", "ab"}, `-tool "ab"`},
		{[]string{"-tool", "none", "extra"}, "unexpected arguments"},
		{[]string{"-nope"}, "flag provided but not defined"},
		// Nothing listens on port 1: the first request fails at once.
		{[]string{"-tool", "none", "-endpoint", "http://127.0.0.1:1/generate"}, "first request to http://127.0.0.1:1/generate"},
	}
	for _, tt := range tests {
		err := run(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, tt.args)
		assert.ErrorContains(t, err, tt.want, tt.args)
	}
	assert.ErrorIs(t, run(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, []string{"-h"}), flag.ErrHelp)
}

func TestStage1Request(t *testing.T) {
	req, want, err := stage1Request()
	require.NoError(t, err)
	assert.Equal(t, "Create a function that adds two numbers", req.Prompt)
	assert.Equal(t, 2048, req.MaxTokens)
	assert.True(t, json.Valid(req.Schema))
	assert.Contains(t, string(want), `"name":"add_two_numbers"`)

	ok := provider.Response{Output: want, Key: "ir_json", FinishReason: "stop"}
	assert.NoError(t, verify(ok, want))
	bad := ok
	bad.Output = []byte(`{}`)
	assert.ErrorContains(t, verify(bad, want), "differs from the scripted IR")
	bad = ok
	bad.Key = "text"
	assert.ErrorContains(t, verify(bad, want), `key "text"`)
}

func TestParseTools(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		return b
	}
	w, err := parseWrk(read("wrk.txt"))
	require.NoError(t, err)
	assert.Equal(t, toolResult{Requests: 27339, RPS: 24851.51, P50: 66 * time.Microsecond, P90: 131 * time.Microsecond, P99: 790 * time.Microsecond}, w)

	h, err := parseHey(read("hey.txt"))
	require.NoError(t, err)
	assert.Equal(t, toolResult{Requests: 10847, RPS: 10842.4771, P50: 200 * time.Microsecond, P90: 300 * time.Microsecond, P99: 600 * time.Microsecond}, h)

	_, err = parseHey(read("hey-refused.txt"))
	assert.ErrorContains(t, err, "no 99% latency line")
	_, err = parseWrk([]byte("Requests/sec: 1\n"))
	assert.ErrorContains(t, err, "--latency")

	withErrs, err := parseWrk([]byte("  100 requests in 1.00s, 1MB read\n  Socket errors: connect 0, read 3, write 0, timeout 2\n" +
		"  Non-2xx or 3xx responses: 5\nRequests/sec:    100.00\n     99%    1.50ms\n"))
	require.NoError(t, err)
	assert.Equal(t, 10, withErrs.Errors)
	assert.InDelta(t, 90, withErrs.okRPS(), 1e-9)
}

func Example_summary() {
	fmt.Println(summary(12345.6, "wrk", 20000, 1200*time.Microsecond))
	fmt.Println(summary(9000, "hey", 10000, -500*time.Microsecond))
	// Output:
	// loadtest: lifttest 12346 req/s, wrk 20000 req/s, ratio 0.62, p99 added 1.20 ms
	// loadtest: lifttest 9000 req/s, hey 10000 req/s, ratio 0.90, p99 added -0.50 ms
}
