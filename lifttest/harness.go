package lifttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lift-sys/lifttest/internal/assemble"
	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/cost"
	"github.com/lift-sys/lifttest/internal/ir"
	"github.com/lift-sys/lifttest/internal/modal"
	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/prompt"
	"github.com/lift-sys/lifttest/internal/report"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/internal/retry"
	"github.com/lift-sys/lifttest/internal/schema"
)

// Stage parameters of the original benchmark (LIFTSYS.md §3).
const (
	stage1MaxTokens = 2048
	stage2MaxTokens = 2000
	temperature     = 0.3
	topP            = 0.95
)

// Temperature is stage 2's schedule: 0.3 on the first attempt, 0.15 more on
// each retry, at most 0.9.
func Temperature(attempt int) float64 { return schedule(temperature, attempt) }

// schedule starts at first and adds 0.15 per retry, up to 0.9 (or first,
// when a sampling run starts above it).
func schedule(first float64, attempt int) float64 {
	t := first + 0.15*float64(attempt-1)
	return math.Round(math.Min(t, math.Max(0.9, first))*100) / 100
}

// Harness runs cases through the pipeline. It is safe for concurrent use.
type Harness struct {
	opts      Options
	price     cost.Price
	tmpl      *prompt.Template
	validator Validator
	closeVal  func() error

	started time.Time
	info    EndpointInfo // set by Prepare
	real    http.RoundTripper
	warm    atomic.Bool // a warmup succeeded: calls get the warm timeout

	mu      sync.Mutex
	benched map[string][]*Result // suite -> the last result of each Bench call
	tested  []results.Case       // every Test run, for Finish
	journal *report.Journal      // with Options.Results, opened at the first case

	progress progress // live and record runs: a line per finished run
}

// New checks the options and starts the validator.
func New(opts Options) (*Harness, error) {
	o, price, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	h := &Harness{opts: o, price: price, tmpl: prompt.Default(), validator: o.Validator, started: time.Now()}
	if o.Mode != ModeReplay {
		h.progress.w = o.Progress
	}
	h.real = h.realTransport()
	if o.CodeTemplate != "" {
		if h.tmpl, err = prompt.Parse(o.CodeTemplate); err != nil {
			return nil, fmt.Errorf("lifttest: CodeTemplate: %w", err)
		}
	}
	if h.validator == nil {
		if h.validator, h.closeVal, err = NewSandboxValidator(); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Close stops the validator the harness started.
func (h *Harness) Close() error {
	if h.closeVal != nil {
		return h.closeVal()
	}
	return nil
}

// Mode is the resolved mode: replay, record or live.
func (h *Harness) Mode() Mode { return h.opts.Mode }

// Price is the GPU price costs are computed with.
func (h *Harness) Price() cost.Price { return h.price }

// Endpoint is the generate URL ("" in a replay that was given none).
func (h *Harness) Endpoint() string { return h.opts.Endpoint }

// generator is what the pipeline needs from a provider.
type generator interface {
	Generate(ctx context.Context, req modal.Request) (modal.Response, error)
}

// timeout is the per-call limit: long until a warmup has loaded the model.
func (h *Harness) timeout() time.Duration {
	if h.warm.Load() {
		return h.opts.Timeout
	}
	return h.opts.ColdTimeout
}

func (h *Harness) client(hc *http.Client) *modal.Client {
	url := h.opts.Endpoint
	if url == "" {
		url = "http://replay.invalid/generate" // replay matches the path, not the host
	}
	return &modal.Client{
		GenerateURL: url,
		HealthURL:   h.opts.HealthURL,
		WarmupURL:   h.opts.WarmupURL,
		Key:         h.opts.Key,
		Secret:      h.opts.Secret,
		HTTP:        hc,
		Timeout:     h.timeout(),
	}
}

func (h *Harness) openaiClient(hc *http.Client) *openai.Client {
	o := h.opts.OpenAI
	c := &openai.Client{BaseURL: h.opts.Endpoint, Model: o.Model, Stream: o.Stream, HTTP: hc, Timeout: h.timeout()}
	if c.BaseURL == "" {
		c.BaseURL = "http://replay.invalid/v1"
	}
	if o.API == "completions" {
		c.API = openai.Completions
	}
	switch o.Structured {
	case "guided_json":
		c.Structured = openai.GuidedJSON
	case "response_format":
		c.Structured = openai.ResponseFormat
	}
	return c
}

func (h *Harness) generator(hc *http.Client) generator {
	if h.opts.Provider == ProviderOpenAI {
		return h.openaiClient(hc)
	}
	return h.client(hc)
}

// realTransport carries live and record calls: retries for 408, 429, 5xx
// and resets under the stream timer, so TTFT counts from the first send.
func (h *Harness) realTransport() http.RoundTripper {
	base := h.opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64 // concurrent cases reuse their connections
		base = t
	}
	rt := retry.New(base)
	rt.MaxAttempts, rt.BaseDelay = h.opts.Retry.MaxAttempts, h.opts.Retry.BaseDelay
	return cassette.StreamTimer(rt)
}

// Run runs one case. The error is for a run that could not be evaluated
// (a missing or stale cassette, a cancelled context, a bad case); the
// model's and the endpoint's failures are in Result.Err.
func (h *Harness) Run(ctx context.Context, suite string, c Case) (*Result, error) {
	return h.RunSample(ctx, suite, c, 0)
}

// RunSample runs sample k (0-based) of a case: every sample is a full run
// of the pipeline with its own cassette, and samples after the first send
// seed k so that each is a request of its own.
func (h *Harness) RunSample(ctx context.Context, suite string, c Case, k int) (*Result, error) {
	if err := c.check(suite); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("lifttest: sample %d of %s/%s: samples count from 0", k, suite, c.Name)
	}
	sess, err := cassette.Open(cassette.Options{
		Path:     h.opts.cassettePath(suite, c.Name, k),
		Mode:     h.opts.Mode.cassette(),
		Real:     h.real,
		Rerecord: rerecord(suite, c.Name),
	})
	if err != nil {
		return nil, err
	}
	cl := h.generator(sess.Client())
	r := &Result{
		Suite: suite, Case: c.Name, Sample: k, Mode: h.opts.Mode, Prompt: c.Prompt, Category: c.Category,
		Complexity: c.Complexity, CompileOnly: c.CompileOnly(), Started: time.Now(),
	}
	h.progress.begin()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h.pipeline(ctx, cl, c, r)
	runtime.ReadMemStats(&after)
	r.HarnessBytes, r.HarnessAllocs = after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs
	h.progress.add(r.Success)
	infra := infrastructure(r.Err)
	if ferr := sess.Finish(!infra && ctx.Err() == nil); ferr != nil {
		return r, ferr
	}
	if infra && h.opts.Mode == ModeReplay {
		return r, r.Err // a stale cassette or a replay that left the cassette
	}
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	return r, nil
}

func (h *Harness) firstTemperature() float64 {
	if h.opts.Temperature > 0 {
		return h.opts.Temperature
	}
	return temperature
}

// seed is nil for the first sample, so its requests stay those of a plain run.
func seed(sample int) *int {
	if sample == 0 {
		return nil
	}
	return &sample
}

// infrastructure reports errors that are not the model's doing: the cassette
// could not answer, the transport failed, the endpoint answered non-2xx or
// not the contract. A recording run with such an error is not saved.
func infrastructure(err error) bool {
	if err == nil {
		return false
	}
	var ae *modal.AnswerError
	if errors.As(err, &ae) {
		return false
	}
	var ve *schemaError
	if errors.As(err, &ve) {
		return false
	}
	return !errors.Is(err, errModel)
}

// errModel marks failures of the generated content itself.
var errModel = errors.New("model")

// schemaError is a stage answer that does not match its schema and cannot
// be used.
type schemaError struct{ err error }

func (e *schemaError) Error() string { return e.err.Error() }
func (e *schemaError) Unwrap() error { return e.err }

// call makes one generate call and adds it to the stage.
func (h *Harness) call(ctx context.Context, cl generator, st *Stage, req modal.Request) (modal.Response, error) {
	ctx, tm := cassette.WithTiming(ctx)
	ctx, retries := retry.WithCounter(ctx)
	start := time.Now()
	resp, err := cl.Generate(ctx, req)
	wall := time.Since(start)
	st.Calls++
	st.Retries += retries.Retries
	if tm.Replayed {
		lat := tm.Recorded
		// A recording's duration ends at the response headers; a stream's
		// answer ends with its last chunk, whose offset was recorded too.
		if s := resp.Stream; s != nil {
			end := s.TTFT
			for _, d := range s.ITL {
				end += d
			}
			lat = max(lat, end)
		}
		st.Latency += lat
		st.Recorded = true
	} else {
		st.Latency += wall
	}
	if s := resp.Stream; s != nil {
		st.TTFT += s.TTFT
		st.TPOT += s.TPOT
		st.Streamed++
	}
	var ae *modal.AnswerError
	switch {
	case err == nil:
		st.Server += resp.ServerTime
		st.Tokens += resp.Tokens
	case errors.As(err, &ae):
		st.Server += ae.ServerTime
		st.Tokens += ae.Tokens
	}
	if err != nil {
		st.Errs = append(st.Errs, err.Error())
	}
	return resp, err
}

func (h *Harness) pipeline(ctx context.Context, cl generator, c Case, r *Result) {
	defer func() {
		r.E2E = r.Stage1.Latency + r.Stage2.Latency
		r.Tokens = r.Stage1.Tokens + r.Stage2.Tokens
		r.Cost = h.price.Of(r.E2E)
		r.Success = r.Err == nil && r.Compiled && r.Validation.Passed()
	}()

	// Stage 1: prompt -> IR, one attempt.
	resp, err := h.call(ctx, cl, &r.Stage1, modal.Request{
		Prompt: c.Prompt, Schema: schema.IR().JSON(),
		MaxTokens: stage1MaxTokens, Temperature: h.firstTemperature(), TopP: topP, Seed: seed(r.Sample),
	})
	if err != nil {
		r.Err = fmt.Errorf("stage 1 (prompt -> IR): %w", err)
		return
	}
	r.Stage1.SchemaChecked++
	if err := schema.IR().Validate(resp.Output); err == nil {
		r.Stage1.SchemaValid++
	} else {
		r.Stage1.Errs = append(r.Stage1.Errs, err.Error())
	}
	fn, err := ParseIR(resp.Output)
	if err != nil {
		r.Err = fmt.Errorf("stage 1 (prompt -> IR): %w", &schemaError{err})
		return
	}
	r.IR = &fn

	// Stage 2: IR -> code, retried with the failure fed back.
	var notes []prompt.Failure
	for attempt := 1; attempt <= h.opts.MaxAttempts; attempt++ {
		r.Attempts = attempt
		note, stop := h.attempt(ctx, cl, c, r, attempt, notes)
		if note == "" || stop {
			return
		}
		notes = append(notes, prompt.Failure{Attempt: attempt, Error: note})
		r.Failures = append(r.Failures, AttemptNote{Attempt: attempt, Error: note})
	}
}

// attempt runs one stage-2 attempt. It returns the note for the next attempt
// ("" when this one succeeded) and whether to stop retrying; r.Err holds the
// attempt's failure.
func (h *Harness) attempt(ctx context.Context, cl generator, c Case, r *Result, attempt int, notes []prompt.Failure) (string, bool) {
	text, err := h.tmpl.Render(prompt.Data{IR: *r.IR, Attempt: attempt, MaxAttempts: h.opts.MaxAttempts, Previous: notes})
	if err != nil {
		r.Err = fmt.Errorf("stage 2: code prompt: %w", err)
		return "", true
	}
	resp, err := h.call(ctx, cl, &r.Stage2, modal.Request{
		Prompt: text, Schema: schema.Code().JSON(),
		MaxTokens: stage2MaxTokens, Temperature: schedule(h.firstTemperature(), attempt), TopP: topP, Seed: seed(r.Sample),
	})
	if err != nil {
		r.Err = fmt.Errorf("stage 2 (IR -> code), attempt %d: %w", attempt, err)
		var ae *modal.AnswerError
		if errors.As(err, &ae) {
			return ae.Error(), false // the model's failure: retry with it
		}
		return "", true // the endpoint's failure: no point retrying the model
	}
	r.Stage2.SchemaChecked++
	if err := schema.Code().Validate(resp.Output); err == nil {
		r.Stage2.SchemaValid++
	} else {
		r.Stage2.Errs = append(r.Stage2.Errs, err.Error())
	}
	code, err := ParseCode(resp.Output)
	if err != nil {
		r.Err = fmt.Errorf("stage 2, attempt %d: %w", attempt, &schemaError{err})
		return err.Error(), false
	}
	r.Code = &code
	src, err := Assemble(*r.IR, code)
	if err != nil {
		r.Err = fmt.Errorf("stage 2, attempt %d: assemble: %w: %w", attempt, errModel, err)
		return "the code could not be assembled: " + err.Error(), false
	}
	r.Source = src

	start := time.Now()
	defer func() { r.Validate = time.Since(start) }()
	name, how, lookErr := assemble.Lookup(assemble.DefinedFunctions(src), c.Function)
	prog := Program{Source: src}
	if lookErr == nil {
		prog.Function, prog.Tests, prog.Check = name, c.Tests, c.Check
		r.Function, r.Match = name, string(how)
	}
	v, err := h.validator.Validate(ctx, prog)
	if err != nil {
		r.Err = fmt.Errorf("stage 2, attempt %d: validate: %w", attempt, err)
		return "", true
	}
	r.Validation, r.Compiled = v, v.Compiled
	switch {
	case !v.Compiled:
		r.Err = fmt.Errorf("stage 2, attempt %d: %w: the code does not compile: %s", attempt, errModel, v.Error)
		return v.Error, false
	case lookErr != nil:
		r.Err = fmt.Errorf("stage 2, attempt %d: %w: %w", attempt, errModel, lookErr)
		return "the function is missing: " + lookErr.Error(), false
	case !v.Passed():
		r.Err = fmt.Errorf("stage 2, attempt %d: %w: %s", attempt, errModel, failingTests(name, v))
		return failingTests(name, v), false
	}
	r.Err = nil
	return "", true
}

// failingTests describes the failing tests in the words fed back to the model.
func failingTests(fn string, v Validation) string {
	var parts []string
	for _, t := range v.Tests {
		if t.Passed {
			continue
		}
		call := t.call(fn)
		if t.Error != "" {
			parts = append(parts, fmt.Sprintf("%s raised %s, want %s", call, t.Error, t.Expected))
		} else {
			parts = append(parts, fmt.Sprintf("%s returned %s, want %s", call, t.Actual, t.Expected))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%s: %s", v.Class, v.Error)
	}
	return "failing inputs: " + strings.Join(parts, "; ")
}

// call writes the test as the call it made: fn(2, 3), or check(fn) for a
// HumanEval-style check program.
func (t TestOutcome) call(fn string) string {
	if strings.HasPrefix(t.Args, "check(") {
		return t.Args
	}
	return fn + "(" + strings.TrimSuffix(strings.TrimPrefix(t.Args, "["), "]") + ")"
}

// ParseIR decodes a stage-1 answer. It does not check the schema: see
// CheckSchema.
func ParseIR(data []byte) (IR, error) { return ir.ParseIR(data) }

// ParseCode decodes a stage-2 answer, wrapped ({"implementation": ...}) or
// not ({"body_statements": ...}).
func ParseCode(data []byte) (Code, error) { return ir.ParseCode(data) }

// StageName names a model stage for CheckSchema.
type StageName string

// The two model stages.
const (
	StageIR   StageName = "ir"
	StageCode StageName = "code"
)

// CheckSchema validates an answer against the JSON Schema its stage was
// constrained by; the error lists every violation.
func CheckSchema(stage StageName, answer json.RawMessage) error {
	switch stage {
	case StageIR:
		return schema.IR().Validate(answer)
	case StageCode:
		return schema.Code().Validate(answer)
	}
	return fmt.Errorf("lifttest: unknown stage %q", stage)
}

// PromptData is what a stage-2 prompt template sees: the IR, the attempt
// (1-based) of MaxAttempts, and the failures of the previous attempts.
type PromptData = prompt.Data

// CodePrompt renders the default stage-2 prompt.
func CodePrompt(fn IR, attempt int, previous []AttemptNote) (string, error) {
	var fs []prompt.Failure
	for _, p := range previous {
		fs = append(fs, prompt.Failure{Attempt: p.Attempt, Error: p.Error})
	}
	return prompt.Default().Render(prompt.Data{IR: fn, Attempt: attempt, MaxAttempts: 5, Previous: fs})
}

// Assemble builds the Python module from the IR and the code answer.
func Assemble(fn IR, code Code) (string, error) { return assemble.Assemble(fn, code) }

// LookupFunction picks the function to test in src: the exact name; else
// the only function defined; else the first whose name contains want; else
// an error saying "missing" or "ambiguous" with the names available.
func LookupFunction(src, want string) (string, error) {
	name, _, err := assemble.Lookup(assemble.DefinedFunctions(src), want)
	return name, err
}

// Validate runs src's function on the case's tests with the harness's
// validator.
func (h *Harness) Validate(ctx context.Context, src string, c Case) (Validation, error) {
	name, err := LookupFunction(src, c.Function)
	if err != nil {
		v, verr := h.validator.Validate(ctx, Program{Source: src})
		if verr != nil {
			return v, verr
		}
		v.Class, v.Error = "function_missing", err.Error()
		if errors.Is(err, assemble.ErrAmbiguous) {
			v.Class = "function_ambiguous"
		}
		return v, nil
	}
	return h.validator.Validate(ctx, Program{Source: src, Function: name, Tests: c.Tests, Check: c.Check})
}

// Validator is the validator the harness runs code with.
func (h *Harness) Validator() Validator { return h.validator }
