package lifttest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/cost"
	"github.com/lift-sys/lifttest/internal/runflags"
)

// Mode says where the endpoint's answers come from.
type Mode int

const (
	// ModeAuto, the zero value, takes the mode from the command line
	// (-record, -live) or LIFTTEST_MODE, and replays when neither says.
	ModeAuto Mode = iota
	// ModeReplay answers from cassettes only and never uses the network.
	ModeReplay
	// ModeRecord calls the endpoint and rewrites the cassettes.
	ModeRecord
	// ModeLive calls the endpoint and writes no cassette.
	ModeLive
)

func (m Mode) String() string {
	switch m {
	case ModeAuto:
		return "auto"
	case ModeReplay:
		return "replay"
	case ModeRecord:
		return "record"
	case ModeLive:
		return "live"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

func (m Mode) cassette() cassette.Mode {
	switch m {
	case ModeRecord:
		return cassette.Record
	case ModeLive:
		return cassette.Live
	}
	return cassette.Replay
}

// Options configures a Harness. The zero value replays the bundled
// cassettes from ./cassettes, unless the command line asks otherwise.
type Options struct {
	// Mode; ModeAuto follows -record / -live / LIFTTEST_MODE.
	Mode Mode
	// CassetteDir holds cassettes/<suite>/<case>.yaml; "" is "cassettes".
	CassetteDir string
	// Endpoint is the generate URL, e.g. https://<workspace>--generate.modal.run
	// or http://127.0.0.1:8787/generate. "" takes -endpoint,
	// LIFTTEST_ENDPOINT, then MODAL_ENDPOINT_URL. Replay does not need it.
	Endpoint string
	// HealthURL and WarmupURL default to siblings derived from Endpoint.
	HealthURL, WarmupURL string
	// Key and Secret are Modal proxy credentials, sent as the Modal-Key and
	// Modal-Secret headers; "" reads MODAL_KEY and MODAL_SECRET. They are
	// never written to a cassette, a log or a report.
	Key, Secret string
	// Provider is the endpoint's contract: ProviderModal (lift-sys's app)
	// or ProviderOpenAI (vLLM's OpenAI-compatible server, Endpoint being
	// its /v1 base URL). "" takes -provider, else modal.
	Provider Provider
	// OpenAI configures ProviderOpenAI; zero fields take -model, -api,
	// -structured and -stream.
	OpenAI OpenAIOptions
	// Timeout bounds each generate call once the endpoint is warm; 0 is
	// 120 s. ColdTimeout bounds calls before a successful warmup (Prepare),
	// when the first one may pay a cold start; 0 is 600 s.
	Timeout, ColdTimeout time.Duration
	// WarmupTimeout bounds the warmup call, which waits out a cold start;
	// 0 is 600 s.
	WarmupTimeout time.Duration
	// GPU names the price (see cost.Table: A10G, A100-80GB, H100, original)
	// or gives USD per hour as a number; "" takes -gpu, LIFTTEST_GPU, then
	// "original", the flat 0.60 USD/h of the original harness.
	GPU string
	// MaxAttempts bounds stage 2; 0 is 5.
	MaxAttempts int
	// Temperature, when set, replaces the first temperature of both stages
	// (stage 2 still adds 0.15 per retry, up to 0.9 or Temperature if
	// higher), for repeated sampling; 0 takes -temperature, else lift-sys's
	// 0.3.
	Temperature float64
	// CodeTemplate replaces the stage-2 prompt: a text/template over
	// PromptData. "" uses the default prompt.
	CodeTemplate string
	// Validator runs generated code; nil starts the sandboxed Python pool.
	Validator Validator
	// Results is a directory for the run's journal (appended after each
	// case), results files and reports; "" takes -results, else none.
	Results string
	// Progress receives a line per finished run of a live or record run
	// (done/total, failures, elapsed, ETA; see Harness.ExpectRuns); nil
	// means os.Stderr. Replay prints none: it takes a second.
	Progress io.Writer
	// Gate makes Finish compare each suite with its baseline in Baselines
	// and fail the run on a crossed fail threshold; false takes -gate.
	Gate bool
	// WriteBaseline makes Finish write each suite's baseline into
	// Baselines; false takes -write-baseline.
	WriteBaseline bool
	// Baselines is the directory of baselines and thresholds.json; ""
	// means BaselineDir.
	Baselines string
	// Retry bounds the retries of live and record calls.
	Retry RetryOptions
	// Transport carries live and record calls; nil uses a clone of
	// http.DefaultTransport. Replay never uses it.
	Transport http.RoundTripper
}

// RetryOptions bound the retries of live and record calls after a 408,
// 429, 5xx or a connection reset: MaxAttempts counts the first (0 means 4,
// 1 disables retries) and the backoff starts at BaseDelay (0 means
// 500 ms), doubles up to a cap, with full jitter, honouring Retry-After.
type RetryOptions struct {
	MaxAttempts int
	BaseDelay   time.Duration
}

// Provider names an endpoint contract.
type Provider string

// The providers.
const (
	ProviderModal  Provider = "modal"
	ProviderOpenAI Provider = "openai"
)

// OpenAIOptions configures the OpenAI-compatible provider.
type OpenAIOptions struct {
	Model      string // the served model name (required)
	API        string // "chat" (default) or "completions"
	Structured string // "structured_outputs" (default, vLLM >= 0.12), "guided_json" or "response_format"
	Stream     bool   // stream answers: TTFT, ITL and TPOT are reported
}

// ErrNoEndpoint is returned by New for a live or record run without an
// endpoint.
var ErrNoEndpoint = errors.New("lifttest: no endpoint")

// resolve fills defaults from the command line and environment.
func (o Options) resolve() (Options, cost.Price, error) {
	flags := runflags.Get()
	if o.Mode == ModeAuto {
		switch {
		case flags.Record && flags.Live:
			return o, cost.Price{}, errors.New("lifttest: -record and -live exclude each other: choose one")
		case flags.Record:
			o.Mode = ModeRecord
		case flags.Live:
			o.Mode = ModeLive
		default:
			o.Mode = ModeReplay
		}
	}
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
	if o.CassetteDir == "" {
		o.CassetteDir = "cassettes"
	}
	if o.Endpoint == "" {
		o.Endpoint = flags.Endpoint
	}
	if o.Key == "" {
		o.Key = os.Getenv("MODAL_KEY")
	}
	if o.Secret == "" {
		o.Secret = os.Getenv("MODAL_SECRET")
	}
	if o.Timeout <= 0 {
		o.Timeout = 120 * time.Second
	}
	if o.ColdTimeout <= 0 {
		o.ColdTimeout = 600 * time.Second
	}
	if o.Provider == "" {
		o.Provider = Provider(flags.Provider)
	}
	if o.OpenAI == (OpenAIOptions{}) {
		o.OpenAI = OpenAIOptions{Model: flags.Model, API: flags.API, Structured: flags.Structured, Stream: flags.Stream}
	}
	switch o.Provider {
	case ProviderModal:
	case ProviderOpenAI:
		// The model is part of each request body, so replay needs the
		// recording's to match its cassettes.
		if o.OpenAI.Model == "" {
			return o, cost.Price{}, errors.New("lifttest: -provider openai needs the served model's name (in replay, the one the cassettes were recorded with): pass -model NAME or set LIFTTEST_MODEL")
		}
	default:
		return o, cost.Price{}, fmt.Errorf("lifttest: -provider %q: use modal or openai", o.Provider)
	}
	if o.WarmupTimeout <= 0 {
		o.WarmupTimeout = 600 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.GPU == "" {
		o.GPU = flags.GPU
	}
	if o.Results == "" {
		o.Results = flags.Results
	}
	o.Gate = o.Gate || flags.Gate
	o.WriteBaseline = o.WriteBaseline || flags.WriteBaseline
	if o.Baselines == "" {
		o.Baselines = BaselineDir
	}
	if o.Temperature == 0 {
		o.Temperature = flags.Temperature
	}
	if o.Temperature < 0 || o.Temperature > 2 {
		return o, cost.Price{}, fmt.Errorf("lifttest: temperature %v is outside [0, 2]", o.Temperature)
	}
	if o.GPU == "" {
		o.GPU = "original"
	}
	price, err := cost.Lookup(o.GPU)
	if err != nil {
		return o, price, fmt.Errorf("lifttest: -gpu: %w", err)
	}
	if o.Mode != ModeReplay && o.Endpoint == "" {
		return o, price, fmt.Errorf("%w: %s mode calls the endpoint: pass -endpoint URL or set LIFTTEST_ENDPOINT (e.g. https://<workspace>--generate.modal.run, or http://127.0.0.1:8787/generate for `go run ./internal/cmd/refserver`)", ErrNoEndpoint, o.Mode)
	}
	return o, price, nil
}

// cassettePath is where a case's recording lives: <case>.yaml for the
// first sample, <case>.sample-<k>.yaml for sample k >= 1.
func (o Options) cassettePath(suite, name string, sample int) string {
	if sample > 0 {
		name += ".sample-" + strconv.Itoa(sample)
	}
	return filepath.Join(o.CassetteDir, suite, name+".yaml")
}

// rerecord is the command a stale or missing cassette's error suggests.
func rerecord(suite, name string) string {
	return fmt.Sprintf("make record ENDPOINT=<generate-url> CASE=%s/%s (or `make record-reference` for the bundled reference recordings)", suite, name)
}
