// Package runflags registers lifttest's command-line flags once, for every
// test binary that imports it, so `go test ./... -live` never fails with
// "flag provided but not defined" in a package that does not use them.
//
// Each flag has an environment fallback, read when the flag is not given.
package runflags

import (
	"flag"
	"os"
	"strconv"
	"strings"
)

// Values holds what the command line and environment asked for.
type Values struct {
	Record   bool   // -record, or LIFTTEST_MODE=record
	Live     bool   // -live, or LIFTTEST_MODE=live
	Endpoint string // -endpoint, LIFTTEST_ENDPOINT, then MODAL_ENDPOINT_URL
	GPU      string // -gpu, LIFTTEST_GPU

	Suite         string  // -suite name[/subset], LIFTTEST_SUITE
	Shard         string  // -shard k/n, LIFTTEST_SHARD
	Samples       int     // -samples n, LIFTTEST_SAMPLES
	Temperature   float64 // -temperature t for stage 2 when sampling; 0 = the schedule
	Results       string  // -results dir, LIFTTEST_RESULTS
	Gate          bool    // -gate
	WriteBaseline bool    // -write-baseline
	HumanEval     string  // -humaneval file, LIFTTEST_HUMANEVAL
	Concurrency   int     // -concurrency n: cases in flight at once (default 1, as the original)

	Provider   string // -provider modal|openai, LIFTTEST_PROVIDER
	Model      string // -model, LIFTTEST_MODEL (openai)
	API        string // -api chat|completions (openai)
	Structured string // -structured structured_outputs|guided_json|response_format (openai)
	Stream     bool   // -stream (openai)
}

var (
	record   = flag.Bool("record", false, "lifttest: call the endpoint and (re)write the cassettes (env LIFTTEST_MODE=record)")
	live     = flag.Bool("live", false, "lifttest: call the endpoint, write no cassette (env LIFTTEST_MODE=live)")
	endpoint = flag.String("endpoint", "", "lifttest: generate URL of the endpoint (env LIFTTEST_ENDPOINT or MODAL_ENDPOINT_URL)")
	gpu      = flag.String("gpu", "", "lifttest: GPU price: A10G, A100-80GB, H100, original (0.60 USD/h) or USD per hour (env LIFTTEST_GPU; default original)")

	suite         = flag.String("suite", "", "lifttest: run only this suite, or suite/subset, e.g. nontrivial/phase1 (env LIFTTEST_SUITE)")
	shard         = flag.String("shard", "", "lifttest: run the k-th of n deterministic shards of the cases, e.g. 2/4 (env LIFTTEST_SHARD)")
	samples       = flag.Int("samples", 0, "lifttest: draw n answers per case and report pass@k (env LIFTTEST_SAMPLES)")
	temperature   = flag.Float64("temperature", 0, "lifttest: stage-2 temperature for -samples (0 keeps the retry schedule)")
	results       = flag.String("results", "", "lifttest: write a journal, a results file and reports into this directory (env LIFTTEST_RESULTS)")
	gate          = flag.Bool("gate", false, "lifttest: compare each suite with its baseline in baselines/ and fail on a crossed threshold")
	writeBaseline = flag.Bool("write-baseline", false, "lifttest: write baselines/<suite>.json from this run")
	concurrency   = flag.Int("concurrency", 0, "lifttest: run up to n cases at once (default 1: one after another, as lift-sys's harness did)")
	provider      = flag.String("provider", "", "lifttest: modal (lift-sys's app, default) or openai (a vLLM OpenAI-compatible server; -endpoint is its /v1 base URL) (env LIFTTEST_PROVIDER)")
	model         = flag.String("model", "", "lifttest: model name for -provider openai (env LIFTTEST_MODEL)")
	api           = flag.String("api", "chat", "lifttest: -provider openai endpoint: chat or completions")
	structured    = flag.String("structured", "structured_outputs", "lifttest: -provider openai schema field: structured_outputs (vLLM >= 0.12), guided_json or response_format")
	stream        = flag.Bool("stream", false, "lifttest: -provider openai: stream answers and report TTFT, ITL and TPOT")
	humaneval     = flag.String("humaneval", "", "lifttest: a HumanEval-format .jsonl or .jsonl.gz file to run as suite humaneval (env LIFTTEST_HUMANEVAL)")
)

// Get returns the flags as parsed, with environment fallbacks. Call it after
// flag.Parse (in a test, from TestMain after m.Run starts or from a test).
func Get() Values {
	v := Values{
		Record: *record, Live: *live, Endpoint: *endpoint, GPU: *gpu,
		Suite: *suite, Shard: *shard, Samples: *samples, Temperature: *temperature,
		Results: *results, Gate: *gate, WriteBaseline: *writeBaseline, HumanEval: *humaneval, Concurrency: *concurrency,
		Provider: *provider, Model: *model, API: *api, Structured: *structured, Stream: *stream,
	}
	if !v.Record && !v.Live {
		switch strings.ToLower(os.Getenv("LIFTTEST_MODE")) {
		case "record":
			v.Record = true
		case "live":
			v.Live = true
		}
	}
	v.Endpoint = first(v.Endpoint, os.Getenv("LIFTTEST_ENDPOINT"), os.Getenv("MODAL_ENDPOINT_URL"))
	v.GPU = first(v.GPU, os.Getenv("LIFTTEST_GPU"))
	v.Suite = first(v.Suite, os.Getenv("LIFTTEST_SUITE"))
	v.Shard = first(v.Shard, os.Getenv("LIFTTEST_SHARD"))
	v.Results = first(v.Results, os.Getenv("LIFTTEST_RESULTS"))
	v.HumanEval = first(v.HumanEval, os.Getenv("LIFTTEST_HUMANEVAL"))
	v.Provider = first(v.Provider, os.Getenv("LIFTTEST_PROVIDER"), "modal")
	v.Model = first(v.Model, os.Getenv("LIFTTEST_MODEL"))
	if v.Samples == 0 {
		v.Samples, _ = strconv.Atoi(os.Getenv("LIFTTEST_SAMPLES"))
	}
	return v
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
