package lifttest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// Credentials the run knows (the Modal key, the URL's password and token)
// reach neither the returned error, the journal, the results file nor the
// reports, even when the endpoint echoes them in an error body.
func TestSecretsNeverReachTheOutputs(t *testing.T) {
	const key, pass, token = "mk-SECRETKEY-1234", "pa55word-SECRET", "tok-SECRET-5678"
	srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple"})
	u, err := url.Parse(srv.GenerateURL())
	require.NoError(t, err)
	u.User = url.UserPassword("me", pass)
	u.RawQuery = "token=" + token
	// Every generate call fails, with the key and the URL in the body.
	srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Status: 500, Times: 100,
		Body: `{"error": "bad key ` + key + ` for ` + u.String() + `"}`})

	dir := t.TempDir()
	opts := Options{Mode: ModeLive, Endpoint: u.String(), Key: key, Results: dir, HTTPAttempts: 1,
		Validator: stubValidator{}, Progress: io.Discard, CassetteDir: t.TempDir()}
	bounded(&opts)
	s, err := NewSession(opts, Suite{Name: "simple", Cases: []Case{addNumbers}})
	require.NoError(t, err)
	defer s.Close()
	r, err := s.runner.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err, "an endpoint failure is the record's, not the run's")
	require.NotEmpty(t, r.Error)
	require.Contains(t, r.Error, "HTTP 500", "the failure itself is kept")
	require.NoError(t, s.add(r))
	var out bytes.Buffer
	require.NoError(t, s.Finish(&out))

	texts := map[string]string{"record error": r.Error, "finish output": out.String()}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 4, "journal, results file, Markdown and HTML: %v", files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		texts[filepath.Base(f)] = string(b)
	}
	for where, text := range texts {
		for _, secret := range []string{key, pass, token} {
			assert.NotContains(t, text, secret, "%s leaks a credential", where)
		}
	}
}

// A retry's feedback quotes each value up to valueBound bytes and the
// whole note up to 1 KiB, however much the program printed or returned.
func TestRetryFeedbackIsBounded(t *testing.T) {
	var sent [][]byte
	rec := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		sent = append(sent, b)
		req.Body = io.NopCloser(bytes.NewReader(b))
		return http.DefaultTransport.RoundTrip(req)
	})
	huge := strings.Repeat("A", 100_000)
	r, _, _ := runner(t, ModeLive, nil, Options{Transport: rec, MaxAttempts: 2, Validator: wrongValidator{actual: huge}})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	require.Len(t, sent, 3, "stage 1 and two code attempts")
	first, second := len(sent[1]), len(sent[2])
	assert.Less(t, second-first, 1500, "the retry's prompt grew by %d bytes for a 100 kB value", second-first)
	assert.Contains(t, string(sent[2]), "truncated", "the excerpt says it was cut")
}

type wrongValidator struct{ actual string }

func (w wrongValidator) Validate(_ context.Context, p Program) (record.Validation, error) {
	v := record.Validation{Compiled: true, Class: "wrong_answer"}
	for range p.Tests {
		v.Tests = append(v.Tests, record.Test{Args: "[2, 3]", Class: "wrong_answer", Expected: "5", Actual: w.actual})
	}
	return v, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The isolation the sandbox actually had is in the benchmark config lines,
// the journal's header, both reports and Finish's output.
func TestIsolationIsReported(t *testing.T) {
	dir := t.TempDir()
	r, _, _ := runner(t, ModeLive, nil, Options{Results: dir, Validator: nil})
	// runner's default is the shared sandbox: this session starts its own.
	s, err := NewSession(Options{Mode: ModeLive, Endpoint: r.opts.Endpoint, Results: dir, Progress: io.Discard, CassetteDir: t.TempDir()},
		Suite{Name: "simple", Cases: []Case{addNumbers}})
	require.NoError(t, err)
	defer s.Close()
	iso := s.runner.isolation()
	require.True(t, iso == "full" || strings.HasPrefix(iso, "missing: "), "isolation %q", iso)

	var config bytes.Buffer
	s.writeBenchConfig(&config)
	assert.Contains(t, config.String(), "isolation: "+strings.Join(strings.Fields(iso), "-")+"\n")

	res, err := s.runner.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.NoError(t, s.add(res))
	var out bytes.Buffer
	require.NoError(t, s.Finish(&out))
	assert.Contains(t, out.String(), "sandbox isolation: "+iso)
	for _, pattern := range []string{"journal-*.jsonl", "report-*.md", "report-*.html"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		require.Len(t, files, 1, pattern)
		b, err := os.ReadFile(files[0])
		require.NoError(t, err)
		assert.Contains(t, string(b), iso, "%s does not say the isolation", pattern)
	}
}
