package lifttesttest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest"
	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// fakeValidator passes a module that adds, without starting Python: these
// tests are about the endpoint, not the sandbox.
type fakeValidator struct{}

func (fakeValidator) Validate(_ context.Context, p lifttest.Program) (record.Validation, error) {
	if strings.Contains(p.Source, "a + b") {
		return record.Validation{Compiled: true, Class: "passed"}, nil
	}
	return record.Validation{Compiled: true, Class: "wrong_answer", Error: "add(2, 3) returned -1, want 5"}, nil
}

// TestRunnerAgainstFake runs lifttest's own clients, both providers,
// against the fake: the first code answer is wrong, so the retry must get
// the second, and an injected 503 must be retried at the HTTP level.
func TestRunnerAgainstFake(t *testing.T) {
	t.Parallel()
	ir := `{"intent": {"summary": "add two numbers"},
		"signature": {"name": "add", "parameters": [{"name": "a", "type_hint": "int"}, {"name": "b", "type_hint": "int"}], "returns": "int"}}`
	for _, provider := range []lifttest.Provider{lifttest.ProviderModal, lifttest.ProviderOpenAI} {
		t.Run(string(provider), func(t *testing.T) {
			t.Parallel()
			srv := lifttesttest.Start(t, lifttesttest.Config{Answers: []lifttesttest.Answer{{
				Prompt: prompt, IR: ir, Code: []string{code1, code2},
			}}})
			srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Status: http.StatusServiceUnavailable})
			opts := lifttest.Options{
				Mode: lifttest.ModeLive, Provider: provider, Endpoint: srv.GenerateURL(),
				Validator: fakeValidator{}, Progress: io.Discard,
				RetryDelay: time.Millisecond,
			}
			if provider == lifttest.ProviderOpenAI {
				opts.Endpoint = srv.OpenAIURL()
				opts.Model, opts.Stream = lifttesttest.DefaultModel, true
			}
			h, err := lifttest.NewRunner(opts)
			require.NoError(t, err)
			t.Cleanup(func() { _ = h.Close() })

			r, err := h.Run(t.Context(), "fake", lifttest.Case{Name: "add", Prompt: prompt, Function: "add"}, 0)
			require.NoError(t, err)
			require.True(t, r.Success, "result: %+v", r)
			require.Equal(t, 2, r.Attempts)
			require.Equal(t, 1, r.Stage1.Retries, "the 503 is retried")
			require.Equal(t, 4, srv.Requests(), "503, stage 1, two code attempts")
			if provider == lifttest.ProviderOpenAI {
				require.Equal(t, 1, r.Stage1.Streamed, "stage 1 was streamed")
			}
		})
	}
}
