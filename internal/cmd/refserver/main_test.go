package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is an io.Writer that the test reads while run writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listening = regexp.MustCompile(`^refserver: listening on (http://127\.0\.0\.1:\d+/generate) \((\d+) scripts, timescale ([0-9.e-]+)\)\n$`)

// start runs the command until the test ends and returns its generate URL,
// the parts of its listening line, and a function that stops it and
// returns run's error.
func start(t *testing.T, args ...string) (url string, line []string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, &stdout, &stderr, append([]string{"-addr", "127.0.0.1:0"}, args...)) }()

	require.Eventually(t, func() bool {
		select {
		case err := <-done:
			done <- err
			return true
		default:
			return stdout.String() != ""
		}
	}, 10*time.Second, 5*time.Millisecond, "no listening line")
	line = listening.FindStringSubmatch(stdout.String())
	require.NotNil(t, line, "stdout %q, stderr %q, want the listening line", stdout.String(), stderr.String())

	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("run did not return 10 s after its context was cancelled")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return line[1], line, stop
}

func get(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return m
}

func post(ctx context.Context, url, prompt string) (map[string]any, error) {
	body, _ := json.Marshal(map[string]string{"prompt": prompt})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func TestRunServesBundledScripts(t *testing.T) {
	t.Parallel()
	url, line, stop := start(t, "-timescale", "0", "-model", "m-7b", "-gpu", "A10G")
	assert.Equal(t, "5", line[2], "bundled scripts")
	assert.Equal(t, "0", line[3])

	h := get(t, strings.Replace(url, "/generate", "/health", 1))
	assert.Equal(t, map[string]any{"status": "healthy", "model": "m-7b", "gpu": "A10G", "backend": "vllm"}, h)
	w := get(t, strings.Replace(url, "/generate", "/warmup", 1))
	assert.Equal(t, "warm", w["status"])

	got, err := post(t.Context(), url, "Create a function that adds two numbers")
	require.NoError(t, err)
	assert.Equal(t, "stop", got["finish_reason"])

	require.NoError(t, stop())
	_, err = http.Get(strings.Replace(url, "/generate", "/health", 1))
	assert.Error(t, err, "still listening after ctx cancel")
}

func TestRunServesBundledSuite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		suite, scripts, prompt string
	}{
		{"simple", "5", "Create a function that adds two numbers"},
		{"phase2", "10", "Create a function that reverses a string"},
		{"nontrivial", "18", "Create a function that returns the first element of a list, or None if the list is empty"},
		{"expanded", "25", "Create a function that adds two numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.suite, func(t *testing.T) {
			t.Parallel()
			url, line, _ := start(t, "-suite", tt.suite, "-timescale", "0")
			assert.Equal(t, tt.scripts, line[2], "scripts of suite %s", tt.suite)
			got, err := post(t.Context(), url, tt.prompt)
			require.NoError(t, err)
			assert.Equal(t, "stop", got["finish_reason"])
		})
	}
}

func TestRunScriptsDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := `{"prompt": "say hi", "stage1": {"delay_ms": 20, "body": {"intent": {"summary": "says hi!!!"}, "signature": {"name": "hi", "parameters": []}}}}`
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "mine"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine", "hi.json"), []byte(script), 0o644))

	url, line, _ := start(t, "-scripts", dir, "-timescale", "0.5")
	assert.Equal(t, "1", line[2])
	assert.Equal(t, "0.5", line[3])
	got, err := post(t.Context(), url, "say hi")
	require.NoError(t, err)
	assert.Equal(t, "stop", got["finish_reason"])
	assert.GreaterOrEqual(t, got["generation_time_ms"], 10.0, "20 ms at timescale 0.5")
}

// TestRunGracefulShutdown checks both ends of the grace period: an answer
// in progress finishes, one that would outlast -grace is cut off.
func TestRunGracefulShutdown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, prompt string, delayMS int) {
		s := `{"prompt": "` + prompt + `", "stage1": {"delay_ms": ` + jsonInt(delayMS) +
			`, "body": {"intent": {"summary": "a summary"}, "signature": {"name": "f", "parameters": []}}}}`
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644))
	}
	write("quick.json", "quick", 200)
	write("slow.json", "slow", 60_000)

	tests := []struct {
		name, prompt string
		wantAnswer   bool
	}{
		{"answer in progress finishes", "quick", true},
		{"answer past the grace period is cut off", "slow", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, _, stop := start(t, "-scripts", dir, "-grace", "1s")
			type result struct {
				m   map[string]any
				err error
			}
			res := make(chan result, 1)
			go func() {
				m, err := post(context.Background(), url, tt.prompt)
				res <- result{m, err}
			}()
			time.Sleep(50 * time.Millisecond) // let the request arrive
			began := time.Now()
			require.NoError(t, stop())
			assert.Less(t, time.Since(began), 5*time.Second)
			r := <-res
			if tt.wantAnswer {
				require.NoError(t, r.err)
				assert.Equal(t, "stop", r.m["finish_reason"])
			} else {
				assert.Error(t, r.err)
			}
		})
	}
}

func jsonInt(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestRunRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
		{"extra argument", []string{"serve"}, "unexpected arguments"},
		{"negative timescale", []string{"-timescale", "-1"}, "TimeScale"},
		{"missing scripts dir", []string{"-scripts", filepath.Join(t.TempDir(), "none")}, "no such file"},
		{"unknown suite", []string{"-suite", "nope"}, `no bundled suite "nope" (available: `},
		{"suite and scripts", []string{"-suite", "simple", "-scripts", t.TempDir()}, "exclude each other"},
		{"bad address", []string{"-addr", "127.0.0.1:99999"}, "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), &stdout, &stderr, tt.args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, stdout.String(), "nothing printed on stdout when not listening")
		})
	}
}

func TestRunHelp(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(t.Context(), io.Discard, &stderr, []string{"-h"})
	assert.True(t, errors.Is(err, flag.ErrHelp), "got %v, want flag.ErrHelp", err)
	assert.Contains(t, stderr.String(), "-timescale")
}
