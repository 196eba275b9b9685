package lifttest

import (
	"errors"
	"flag"
	"os"
	"strconv"
	"strings"
	"time"
)

// RegisterFlags defines lifttest's flags on fs and returns the Options they
// fill when fs is parsed. Each flag's default comes from its environment
// variable (in brackets in the usage), read here and nowhere else, so a CI
// job can configure a run either way. A test binary calls it once, before
// flag.Parse:
//
//	var opts = lifttest.RegisterFlags(flag.CommandLine)
//
// Importing the package defines no flag; a binary that has its own -model
// flag registers lifttest's on a FlagSet of its own instead.
func RegisterFlags(fs *flag.FlagSet) *Options {
	o := &Options{}
	env := func(names ...string) string {
		o.env = append(o.env, names...)
		for _, n := range names {
			if v := os.Getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	str := func(p *string, name, usage string, vars ...string) {
		fs.StringVar(p, name, env(vars...), usage+" ["+strings.Join(vars, ", ")+"]")
	}
	boolean := func(p *bool, name, usage, v string) {
		def, _ := strconv.ParseBool(env(v))
		fs.BoolVar(p, name, def, usage+" ["+v+"]")
	}
	integer := func(p *int, name, usage, v string) {
		def, _ := strconv.Atoi(env(v))
		fs.IntVar(p, name, def, usage+" ["+v+"]")
	}
	mode := env("LIFTTEST_MODE")
	o.Mode = map[string]Mode{"record": ModeRecord, "live": ModeLive}[strings.ToLower(mode)]
	chosen := new(Mode) // the mode a flag chose: -record and -live exclude each other
	fs.Var(&modeFlag{o, ModeRecord, chosen}, "record", "lifttest: call the endpoint and rewrite the cassettes [LIFTTEST_MODE=record]")
	fs.Var(&modeFlag{o, ModeLive, chosen}, "live", "lifttest: call the endpoint and write no cassette [LIFTTEST_MODE=live]")
	str(&o.Endpoint, "endpoint", "lifttest: generate URL (Modal) or /v1 base URL (OpenAI)", "LIFTTEST_ENDPOINT", "MODAL_ENDPOINT_URL")
	str(&o.CassetteDir, "cassettes", "lifttest: cassette directory (default cassettes)", "LIFTTEST_CASSETTES")
	fs.Func("provider", "lifttest: modal (default) or openai [LIFTTEST_PROVIDER]", func(s string) error { o.Provider = Provider(s); return nil })
	o.Provider = Provider(env("LIFTTEST_PROVIDER"))
	str(&o.Model, "model", "lifttest: served model name (openai)", "LIFTTEST_MODEL")
	str(&o.API, "api", "lifttest: chat (default) or completions (openai)", "LIFTTEST_API")
	str(&o.Structured, "structured", "lifttest: auto (default: what the detected server honours), structured_outputs, guided_json, response_format, json_schema (llama.cpp), json_schema_string (SGLang completions) or response_format_value (TGI) (openai)", "LIFTTEST_STRUCTURED")
	boolean(&o.Stream, "stream", "lifttest: stream answers and report TTFT and TPOT (openai)", "LIFTTEST_STREAM")
	boolean(&o.ServerMetrics, "server-metrics", "lifttest: server time from vLLM's /metrics, scraped around each call; none with -concurrency > 1 (openai)", "LIFTTEST_SERVER_METRICS")
	o.Key, o.Secret, o.APIKey = env("MODAL_KEY"), env("MODAL_SECRET"), env("OPENAI_API_KEY", "VLLM_API_KEY")
	str(&o.GPU, "gpu", "lifttest: price: A10G, A100-80GB, H100, original (0.60 USD/h), USD per hour, or tokens:IN/OUT (USD per million input/output tokens)", "LIFTTEST_GPU")
	fs.Func("temperature", "lifttest: first temperature of both stages; 0 is greedy (default lift-sys's 0.3) [LIFTTEST_TEMPERATURE]", func(s string) error {
		t, err := strconv.ParseFloat(s, 64)
		o.Temperature = &t
		return err
	})
	if v := env("LIFTTEST_TEMPERATURE"); v != "" {
		if t, err := strconv.ParseFloat(v, 64); err == nil {
			o.Temperature = &t
		}
	}
	fs.Func("timeout", "lifttest: per-call limit once warm (default 120s) [LIFTTEST_TIMEOUT]", durationVar(&o.Timeout))
	if d, err := time.ParseDuration(env("LIFTTEST_TIMEOUT")); err == nil {
		o.Timeout = d
	}
	str(&o.Suite, "suite", "lifttest: run only this suite, or suite/subset", "LIFTTEST_SUITE")
	str(&o.Shard, "shard", "lifttest: run shard k/n of the cases, or auto (from the CI engine)", "LIFTTEST_SHARD")
	integer(&o.Samples, "samples", "lifttest: runs per case, for pass@k", "LIFTTEST_SAMPLES")
	integer(&o.Concurrency, "concurrency", "lifttest: cases in flight at once (default 1 live and in record, GOMAXPROCS in replay)", "LIFTTEST_CONCURRENCY")
	str(&o.HumanEval, "humaneval", "lifttest: a HumanEval-format .jsonl[.gz] to run as suite humaneval", "LIFTTEST_HUMANEVAL")
	str(&o.Results, "results", "lifttest: write the journal, results files and reports into this directory", "LIFTTEST_RESULTS")
	boolean(&o.StrictIsolation, "strict-isolation", "lifttest: fail unless the sandbox has every isolation step", "LIFTTEST_STRICT_ISOLATION")
	boolean(&o.Gate, "gate", "lifttest: compare each suite with its baseline; fail on a crossed threshold", "LIFTTEST_GATE")
	boolean(&o.WriteBaseline, "write-baseline", "lifttest: write baselines/<suite>.json from this run", "LIFTTEST_WRITE_BASELINE")
	str(&o.Baselines, "baselines", "lifttest: baseline directory (default baselines)", "LIFTTEST_BASELINES")
	return o
}

// modeFlag is -record or -live: a bool flag that sets Options.Mode.
type modeFlag struct {
	o      *Options
	mode   Mode
	chosen *Mode
}

func (f *modeFlag) String() string   { return "false" }
func (f *modeFlag) IsBoolFlag() bool { return true }

func (f *modeFlag) Set(s string) error {
	on, err := strconv.ParseBool(s)
	switch {
	case err != nil:
		return err
	case !on:
		return nil
	case *f.chosen != ModeReplay && *f.chosen != f.mode:
		return errors.New("-record and -live exclude each other: choose one")
	}
	*f.chosen, f.o.Mode = f.mode, f.mode
	return nil
}

func durationVar(p *time.Duration) func(string) error {
	return func(s string) error {
		d, err := time.ParseDuration(s)
		*p = d
		return err
	}
}
