package lifttest

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/cost"
	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/shard"
)

// Mode says where the endpoint's answers come from.
type Mode int

const (
	// ModeReplay, the zero value, answers from cassettes only and never
	// uses the network: a missing recording fails instead of calling out.
	ModeReplay Mode = iota
	// ModeRecord calls the endpoint and rewrites the cassettes.
	ModeRecord
	// ModeLive calls the endpoint and writes no cassette.
	ModeLive
)

func (m Mode) String() string {
	switch m {
	case ModeReplay:
		return "replay"
	case ModeRecord:
		return "record"
	case ModeLive:
		return "live"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Provider names an endpoint contract.
type Provider string

// The providers.
const (
	// ProviderModal is lift-sys's Modal app: POST /generate, /health, /warmup.
	ProviderModal Provider = "modal"
	// ProviderOpenAI is an OpenAI-compatible server such as vLLM's; the
	// endpoint is its /v1 base URL.
	ProviderOpenAI Provider = "openai"
)

// Options configures a Runner and a Session. It is plain data: nothing is
// read from flags or the environment unless the caller asks, through
// RegisterFlags. The zero value replays ./cassettes with lift-sys's Modal
// contract, priced as the original harness did (0.60 USD/h).
type Options struct {
	// Mode: replay (the zero value), record or live.
	Mode Mode
	// CassetteDir holds <suite>/<case>.yaml; "" is "cassettes".
	CassetteDir string
	// Endpoint is the generate URL (Modal) or the /v1 base URL (OpenAI).
	Endpoint string
	// Provider is the endpoint's contract; "" is ProviderModal.
	Provider Provider
	// Key and Secret are Modal's proxy credentials, APIKey the OpenAI
	// bearer token: none reaches a cassette, a log or a report.
	Key, Secret, APIKey string
	// Model, API ("chat" or "completions"), Structured (""/"auto": what the
	// detected server honours, or a field name such as response_format) and
	// Stream configure ProviderOpenAI; replay needs the recording's model.
	// ServerMetrics takes a call's server time from vLLM's /metrics (exact
	// with one request in flight: none at Concurrency > 1; see the README).
	Model, API, Structured string
	Stream, ServerMetrics  bool
	// Timeout bounds a generate call once warm (0 is 120 s); ColdTimeout
	// before that and for the warmup (0 is 600 s, a cold start's worst).
	Timeout, ColdTimeout time.Duration
	// HTTPAttempts bounds the tries of a call after a 408, 429, 5xx or a
	// reset (0 is 4; 1, none); RetryDelay starts the backoff (0 is 500 ms).
	HTTPAttempts int
	RetryDelay   time.Duration
	// Transport carries live and record calls; nil is a clone of
	// http.DefaultTransport. Replay never uses it.
	Transport http.RoundTripper

	// GPU names the price (A10G, A100-80GB, H100, original), USD per hour,
	// or tokens:IN/OUT per million tokens; "" is "original", 0.60 USD/h.
	GPU string
	// MaxAttempts bounds stage 2's attempts; 0 is 5.
	MaxAttempts int
	// Temperature, when set, replaces the first temperature of both stages
	// (stage 2 still adds 0.15 per retry, up to 0.9 or Temperature if
	// higher); nil keeps lift-sys's 0.3. A pointer because 0 is meaningful:
	// greedy decoding.
	Temperature *float64
	// CodeTemplate replaces the stage-2 prompt: a text/template that sees
	// .IR (the stage-1 answer), .Attempt, .MaxAttempts and .Previous (each
	// failed attempt's .Attempt and .Error). "" is lift-sys's prompt.
	CodeTemplate string
	// Validator runs generated code; nil starts the sandboxed Python pool.
	Validator Validator
	// StrictIsolation makes NewRunner fail, naming each missing sandbox
	// isolation step and its fix; without it a run reports what it lacked.
	StrictIsolation bool

	// Suite selects one suite, or suite/subset; "" runs every suite.
	Suite string
	// Shard selects this job's cases: "k/n", or "auto" to read the CI
	// engine's parallel-job variables; "" runs every case.
	Shard string
	// Samples runs each case n times (pass@k); 0 is 1.
	Samples int
	// Concurrency runs up to n test cases at once (benchmarks: one); 0 is 1
	// live and in record, as lift-sys, and GOMAXPROCS in replay.
	Concurrency int
	// HumanEval adds a HumanEval-format .jsonl[.gz] file as suite "humaneval".
	HumanEval string
	// Results is the directory of the journal, results files and reports ("": none).
	Results string
	// Gate compares each suite with its baseline and fails the session on
	// a crossed fail threshold; WriteBaseline writes the baselines instead.
	Gate, WriteBaseline bool
	// Baselines holds <suite>.json and thresholds.json; "" is "baselines".
	Baselines string
	// Progress receives a line per finished run of a live or record
	// session; nil is os.Stderr. Replay prints none.
	Progress io.Writer

	env []string // the variables RegisterFlags read, for go test's cache key
}

// withDefaults fills the documented defaults and checks the options.
func (o Options) withDefaults() (Options, cost.Price, shard.Spec, error) {
	o.CassetteDir = cmp.Or(o.CassetteDir, "cassettes")
	o.Provider = cmp.Or(o.Provider, ProviderModal)
	o.Timeout = cmp.Or(o.Timeout, 120*time.Second)
	o.ColdTimeout = cmp.Or(o.ColdTimeout, 600*time.Second)
	o.MaxAttempts = cmp.Or(o.MaxAttempts, 5)
	o.GPU = cmp.Or(o.GPU, "original")
	o.Baselines = cmp.Or(o.Baselines, "baselines")
	o.Samples = max(o.Samples, 1)
	if o.Concurrency == 0 && o.Mode == ModeReplay {
		o.Concurrency = runtime.GOMAXPROCS(0)
	}
	o.Concurrency = max(o.Concurrency, 1)
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
	fail := func(format string, a ...any) (Options, cost.Price, shard.Spec, error) {
		return o, cost.Price{}, shard.Spec{}, fmt.Errorf("lifttest: "+format, a...)
	}
	if o.Mode < ModeReplay || o.Mode > ModeLive {
		return fail("mode %v: use ModeReplay, ModeRecord or ModeLive", o.Mode)
	}
	switch o.Provider {
	case ProviderModal:
	case ProviderOpenAI:
		if o.Model == "" {
			return fail("-provider openai needs the served model's name (in replay, the one the cassettes were recorded with): pass -model NAME or set LIFTTEST_MODEL")
		}
		if o.API != "" && o.API != "chat" && o.API != "completions" {
			return fail("-api %q: use chat or completions", o.API)
		}
		if o.Structured != "" && o.Structured != "auto" {
			if _, err := openai.ParseStructured(o.Structured); err != nil {
				return fail("-structured %q: use auto (the default) or one of %s", o.Structured, strings.Join(openai.StructuredNames, ", "))
			}
		}
	default:
		return fail("-provider %q: use modal or openai", o.Provider)
	}
	if t := o.Temperature; t != nil && (*t < 0 || *t > 2) {
		return fail("temperature %v is outside [0, 2]", *t)
	}
	price, err := cost.Lookup(o.GPU)
	if err != nil {
		return fail("-gpu: %w", err)
	}
	sh, err := shard.Parse(o.Shard, os.Getenv)
	if err != nil {
		return fail("-%w", err)
	}
	if o.Mode != ModeReplay && o.Endpoint == "" {
		return o, price, sh, fmt.Errorf("%w: %s mode calls the endpoint: pass -endpoint URL or set LIFTTEST_ENDPOINT (e.g. https://<workspace>--generate.modal.run)", ErrNoEndpoint, o.Mode)
	}
	return o, price, sh, nil
}
