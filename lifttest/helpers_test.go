package lifttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/lifttest/record"
)

var addNumbers = Case{
	Name: "add_numbers", Prompt: "Create a function that adds two numbers", Function: "add_two_numbers",
	Tests: []Test{{Args: []any{2, 3}, Want: 5}, {Args: []any{-5, 5}, Want: 0}, {Args: []any{1.5, 1}, Want: 2.5}},
}

// sandbox is the default validator, started once for the package's tests
// that need real Python and closed by TestMain.
var shared struct {
	once  sync.Once
	v     Validator
	close func() error
	err   error
}

func sharedValidator(t testing.TB) Validator {
	t.Helper()
	shared.once.Do(func() { shared.v, shared.close, shared.err = newSandboxValidator(false) })
	require.NoError(t, shared.err)
	return shared.v
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.close != nil {
		if err := shared.close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing the shared sandbox:", err)
		}
	}
	os.Exit(code)
}

// stubValidator passes every program that defines a function, with one
// passed test per test of the case, without starting Python: for tests
// about the endpoint, the cassettes or the session, not the sandbox.
type stubValidator struct{}

func (stubValidator) Validate(_ context.Context, p Program) (record.Validation, error) {
	v := record.Validation{Compiled: true, Class: "passed"}
	if p.Function == "" {
		v.Class = "function_missing"
	}
	for range p.Tests {
		v.Tests = append(v.Tests, record.Test{Args: "[]", Passed: true, Class: "passed", Expected: "True", Actual: "True"})
	}
	return v, nil
}

// nopValidator is for tests that never validate.
type nopValidator struct{}

func (nopValidator) Validate(context.Context, Program) (record.Validation, error) {
	return record.Validation{}, errors.New("nopValidator: not for validation")
}

// failTransport fails the test if replay ever reaches the network.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("replay reached the network: %s %s", r.Method, r.URL)
	return nil, errors.New("network is off")
}

// runner builds a runner over a reference endpoint serving scripts (nil:
// the bundled simple suite), at a 0.002 time scale, validated by the shared
// sandbox unless opts has a Validator.
func runner(t *testing.T, mode Mode, scripts []refserver.Script, opts Options) (*Runner, *refserver.Server, string) {
	t.Helper()
	if scripts == nil {
		var err error
		scripts, err = refserver.BundledSuite("simple")
		require.NoError(t, err)
	}
	srv, url := refserver.Start(t, refserver.Config{Scripts: scripts, TimeScale: 0.002})
	opts.Mode = mode
	if opts.Endpoint == "" {
		opts.Endpoint = url
	}
	if opts.CassetteDir == "" {
		opts.CassetteDir = t.TempDir()
	}
	if opts.Validator == nil {
		opts.Validator = sharedValidator(t)
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	bounded(&opts)
	r, err := NewRunner(opts)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r, srv, url
}

// script is the bundled script of a simple case, for tests that alter it.
func script(t *testing.T, name string) refserver.Script {
	t.Helper()
	all, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	for _, s := range all {
		if s.Case == name {
			return s
		}
	}
	t.Fatalf("no bundled script %s", name)
	return refserver.Script{}
}

// bounded keeps a test's calls short: no retry backoff to speak of, and a
// hung endpoint fails the call in 30 s rather than the 600 s of a cold start.
func bounded(o *Options) {
	o.RetryDelay = time.Millisecond
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.ColdTimeout == 0 {
		o.ColdTimeout = 30 * time.Second
	}
}
