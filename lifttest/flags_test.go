package lifttest_test

import (
	"flag"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest"
)

// lifttestEnv are the variables RegisterFlags reads; cleared for the test
// so that it holds whatever the environment of `go test` sets.
var lifttestEnv = []string{
	"LIFTTEST_MODE", "LIFTTEST_ENDPOINT", "MODAL_ENDPOINT_URL", "LIFTTEST_CASSETTES", "LIFTTEST_PROVIDER",
	"LIFTTEST_MODEL", "LIFTTEST_API", "LIFTTEST_STRUCTURED", "LIFTTEST_STREAM", "MODAL_KEY", "MODAL_SECRET",
	"OPENAI_API_KEY", "VLLM_API_KEY", "LIFTTEST_GPU", "LIFTTEST_TEMPERATURE", "LIFTTEST_TIMEOUT", "LIFTTEST_SUITE",
	"LIFTTEST_SHARD", "LIFTTEST_SAMPLES", "LIFTTEST_CONCURRENCY", "LIFTTEST_HUMANEVAL", "LIFTTEST_RESULTS",
	"LIFTTEST_GATE", "LIFTTEST_WRITE_BASELINE", "LIFTTEST_BASELINES",
}

func clearEnv(t *testing.T) {
	for _, v := range lifttestEnv {
		t.Setenv(v, "")
	}
	// And any other lifttest variable, such as CI's LIFTTEST_STRICT_ISOLATION.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "LIFTTEST_") {
			t.Setenv(k, "")
		}
	}
}

// parse registers lifttest's flags on a fresh FlagSet and parses args.
func parse(t *testing.T, args ...string) (*lifttest.Options, error) {
	t.Helper()
	fs := flag.NewFlagSet("lifttest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := lifttest.RegisterFlags(fs)
	return o, fs.Parse(args)
}

func TestRegisterFlags(t *testing.T) {
	clearEnv(t)

	t.Run("defaults", func(t *testing.T) {
		o, err := parse(t)
		require.NoError(t, err)
		// No flag, no environment: every field is its zero value.
		v := reflect.ValueOf(*o)
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				assert.True(t, v.Field(i).IsZero(), "Options.%s = %v", f.Name, v.Field(i))
			}
		}
		assert.Nil(t, o.Temperature, "absent -temperature keeps lift-sys's")
	})

	t.Run("flags", func(t *testing.T) {
		o, err := parse(t, "-model", "Qwen/Qwen2.5-Coder-32B-Instruct", "-api", "completions", "-structured", "guided_json",
			"-stream", "-provider", "openai", "-live", "-endpoint", "http://127.0.0.1:8000/v1", "-cassettes", "c",
			"-gpu", "H100", "-timeout", "90s", "-suite", "simple/quick", "-shard", "2/4", "-samples", "3",
			"-concurrency", "8", "-humaneval", "he.jsonl", "-results", "out", "-gate", "-baselines", "b")
		require.NoError(t, err)
		assert.Equal(t, "Qwen/Qwen2.5-Coder-32B-Instruct", o.Model)
		assert.Equal(t, "completions", o.API)
		assert.Equal(t, "guided_json", o.Structured)
		assert.True(t, o.Stream)
		assert.Equal(t, lifttest.ProviderOpenAI, o.Provider)
		assert.Equal(t, lifttest.ModeLive, o.Mode)
		assert.Equal(t, "http://127.0.0.1:8000/v1", o.Endpoint)
		assert.Equal(t, "c", o.CassetteDir)
		assert.Equal(t, "H100", o.GPU)
		assert.Equal(t, 90*time.Second, o.Timeout)
		assert.Equal(t, "simple/quick", o.Suite)
		assert.Equal(t, "2/4", o.Shard)
		assert.Equal(t, 3, o.Samples)
		assert.Equal(t, 8, o.Concurrency)
		assert.Equal(t, "he.jsonl", o.HumanEval)
		assert.Equal(t, "out", o.Results)
		assert.True(t, o.Gate)
		assert.False(t, o.WriteBaseline)
		assert.Equal(t, "b", o.Baselines)
		assert.Nil(t, o.Temperature)
	})

	t.Run("temperature", func(t *testing.T) {
		o, err := parse(t, "-temperature", "0")
		require.NoError(t, err)
		require.NotNil(t, o.Temperature, "-temperature 0 is greedy decoding, not the default")
		assert.Equal(t, 0.0, *o.Temperature)
		o, err = parse(t, "-temperature=0.7")
		require.NoError(t, err)
		require.NotNil(t, o.Temperature)
		assert.Equal(t, 0.7, *o.Temperature)
		_, err = parse(t, "-temperature", "warm")
		assert.Error(t, err)
	})

	t.Run("modes", func(t *testing.T) {
		o, err := parse(t, "-record")
		require.NoError(t, err)
		assert.Equal(t, lifttest.ModeRecord, o.Mode)
		o, err = parse(t, "-live", "-live")
		require.NoError(t, err, "the same mode twice is fine")
		assert.Equal(t, lifttest.ModeLive, o.Mode)
		o, err = parse(t, "-live=false")
		require.NoError(t, err)
		assert.Equal(t, lifttest.ModeReplay, o.Mode)

		_, err = parse(t, "-record", "-live")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "-record and -live exclude each other")
		_, err = parse(t, "-live", "-record")
		assert.Error(t, err)
		_, err = parse(t, "-timeout", "soon")
		assert.Error(t, err)
	})

	t.Run("environment", func(t *testing.T) {
		t.Setenv("LIFTTEST_MODEL", "env-model")
		t.Setenv("LIFTTEST_MODE", "live")
		t.Setenv("LIFTTEST_TEMPERATURE", "0")
		t.Setenv("LIFTTEST_ENDPOINT", "http://127.0.0.1:9/generate")
		t.Setenv("LIFTTEST_PROVIDER", "openai")
		t.Setenv("LIFTTEST_STREAM", "true")
		t.Setenv("LIFTTEST_SAMPLES", "5")
		t.Setenv("LIFTTEST_TIMEOUT", "45s")
		t.Setenv("MODAL_KEY", "wk-k")
		t.Setenv("MODAL_SECRET", "ws-s")
		t.Setenv("VLLM_API_KEY", "sk-v")
		o, err := parse(t)
		require.NoError(t, err)
		assert.Equal(t, "env-model", o.Model)
		assert.Equal(t, lifttest.ModeLive, o.Mode)
		require.NotNil(t, o.Temperature, "LIFTTEST_TEMPERATURE=0 sets greedy decoding")
		assert.Equal(t, 0.0, *o.Temperature)
		assert.Equal(t, "http://127.0.0.1:9/generate", o.Endpoint)
		assert.Equal(t, lifttest.ProviderOpenAI, o.Provider)
		assert.True(t, o.Stream)
		assert.Equal(t, 5, o.Samples)
		assert.Equal(t, 45*time.Second, o.Timeout)
		assert.Equal(t, "wk-k", o.Key)
		assert.Equal(t, "ws-s", o.Secret)
		assert.Equal(t, "sk-v", o.APIKey)

		// Flags override the environment's defaults.
		o, err = parse(t, "-model", "flag-model", "-temperature", "0.5", "-record", "-provider", "modal", "-stream=false")
		require.NoError(t, err)
		assert.Equal(t, "flag-model", o.Model)
		assert.Equal(t, 0.5, *o.Temperature)
		assert.Equal(t, lifttest.ModeRecord, o.Mode, "-record overrides LIFTTEST_MODE=live")
		assert.Equal(t, lifttest.ProviderModal, o.Provider)
		assert.False(t, o.Stream)

		t.Setenv("LIFTTEST_MODE", "record")
		o, err = parse(t)
		require.NoError(t, err)
		assert.Equal(t, lifttest.ModeRecord, o.Mode)
		t.Setenv("LIFTTEST_ENDPOINT", "")
		t.Setenv("MODAL_ENDPOINT_URL", "http://127.0.0.1:9/modal")
		o, err = parse(t)
		require.NoError(t, err)
		assert.Equal(t, "http://127.0.0.1:9/modal", o.Endpoint, "MODAL_ENDPOINT_URL is the fallback")
	})

	t.Run("usage names the variables", func(t *testing.T) {
		fs := flag.NewFlagSet("lifttest", flag.ContinueOnError)
		lifttest.RegisterFlags(fs)
		for name, env := range map[string]string{"model": "LIFTTEST_MODEL", "live": "LIFTTEST_MODE=live", "endpoint": "LIFTTEST_ENDPOINT", "temperature": "LIFTTEST_TEMPERATURE"} {
			f := fs.Lookup(name)
			require.NotNil(t, f, name)
			assert.Contains(t, f.Usage, env)
			assert.True(t, strings.HasPrefix(f.Usage, "lifttest: "), f.Usage)
		}
	})

	t.Run("importing defines no flag", func(t *testing.T) {
		fs := flag.NewFlagSet("lifttest", flag.ContinueOnError)
		lifttest.RegisterFlags(fs)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			assert.Nil(t, flag.CommandLine.Lookup(f.Name), "-%s is defined on flag.CommandLine", f.Name)
		})
		assert.Greater(t, n, 20)
		for _, name := range []string{"model", "record", "live", "endpoint", "temperature", "provider"} {
			assert.Nil(t, flag.CommandLine.Lookup(name), name)
		}
	})
}

// TestRegisterFlagsFeedNewRunner: parsed Options are checked by NewRunner,
// so a bad value fails there with the flag's name.
func TestRegisterFlagsFeedNewRunner(t *testing.T) {
	clearEnv(t)
	o, err := parse(t, "-live")
	require.NoError(t, err)
	_, err = lifttest.NewRunner(*o)
	assert.ErrorIs(t, err, lifttest.ErrNoEndpoint)

	o, err = parse(t, "-provider", "openai")
	require.NoError(t, err)
	_, err = lifttest.NewRunner(*o)
	assert.ErrorContains(t, err, "-model NAME")

	o, err = parse(t, "-temperature", "3")
	require.NoError(t, err)
	_, err = lifttest.NewRunner(*o)
	assert.ErrorContains(t, err, "outside [0, 2]")
}
