package lifttest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
)

// TestRerecordHint: a missing or stale cassette's error is matched with
// errors.Is and says how to record it with this run's provider settings.
func TestRerecordHint(t *testing.T) {
	openai := Options{
		Provider: ProviderOpenAI, Model: "m", API: "completions", Structured: "guided_json", Stream: true,
		Validator: stubValidator{},
	}

	t.Run("missing", func(t *testing.T) {
		o := openai
		o.CassetteDir = t.TempDir()
		r, err := NewRunner(o)
		require.NoError(t, err)
		_, err = r.Run(context.Background(), "simple", addNumbers, 0)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrMissingCassette)
		assert.NotErrorIs(t, err, ErrStaleCassette)
		assert.Contains(t, err.Error(), "-provider openai -model m -api completions -structured guided_json -stream")
		assert.Contains(t, err.Error(), "-record")

		// Run by Session.Test, the command runs that case alone.
		name := "TestSuites"
		r.test.Store(&name)
		_, err = r.Run(context.Background(), "simple", addNumbers, 0)
		assert.ErrorIs(t, err, ErrMissingCassette)
		assert.Contains(t, err.Error(), "go test -count=1 -run '^TestSuites$/^suite=simple$/^case=add_numbers$' -record")
	})

	t.Run("stale", func(t *testing.T) {
		srv := lifttesttest.Start(t, lifttesttest.Config{Suite: "simple", Model: "m"})
		o := openai
		o.CassetteDir = t.TempDir()
		rec := o
		rec.Mode, rec.Endpoint = ModeRecord, srv.OpenAIURL()
		r, err := NewRunner(rec)
		require.NoError(t, err)
		res, err := r.Run(context.Background(), "simple", addNumbers, 0)
		require.NoError(t, err)
		require.True(t, res.Success, "%v", res.Error)

		rr, err := NewRunner(o)
		require.NoError(t, err)
		res, err = rr.Run(context.Background(), "simple", addNumbers, 0)
		require.NoError(t, err, "the recording replays")
		require.True(t, res.Success, "%v", res.Error)

		changed := addNumbers
		changed.Prompt = "Create a function that adds three numbers"
		_, err = rr.Run(context.Background(), "simple", changed, 0)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrStaleCassette)
		assert.NotErrorIs(t, err, ErrMissingCassette)
		assert.Contains(t, err.Error(), "-provider openai -model m -api completions -structured guided_json -stream")
	})
}

func TestRerecordCommand(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		test string
		want string
	}{
		{"modal", Options{CassetteDir: "cassettes"}, "",
			`go test -count=1 -record -endpoint "$LIFTTEST_ENDPOINT" .`},
		{"a case of a session", Options{CassetteDir: "cassettes"}, casePattern("TestSuites", "simple", "add_numbers"),
			`go test -count=1 -run '^TestSuites$/^suite=simple$/^case=add_numbers$' -record -endpoint "$LIFTTEST_ENDPOINT" .`},
		{"another directory", Options{CassetteDir: "my cassettes"}, "",
			`go test -count=1 -record -endpoint "$LIFTTEST_ENDPOINT" -cassettes 'my cassettes' .`},
		{"openai defaults", Options{CassetteDir: "cassettes", Provider: ProviderOpenAI, Model: "Qwen/Qwen2.5-Coder-32B-Instruct"}, "",
			`go test -count=1 -record -endpoint "$LIFTTEST_ENDPOINT" -provider openai -model Qwen/Qwen2.5-Coder-32B-Instruct .`},
		{"model quoted", Options{CassetteDir: "cassettes", Provider: ProviderOpenAI, Model: "it's"}, "",
			`go test -count=1 -record -endpoint "$LIFTTEST_ENDPOINT" -provider openai -model 'it'\''s' .`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.o.rerecord(tt.test))
		})
	}
	assert.Equal(t, "''", shellQuote(""))
	assert.Equal(t, "a-b_c.d/e:1", shellQuote("a-b_c.d/e:1"))
	assert.Equal(t, "'a b'", shellQuote("a b"))
	assert.Equal(t, "'$x'", shellQuote("$x"))
}
