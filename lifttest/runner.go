package lifttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lift-sys/lifttest/internal/assemble"
	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/cost"
	"github.com/lift-sys/lifttest/internal/ir"
	"github.com/lift-sys/lifttest/internal/modal"
	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/prompt"
	"github.com/lift-sys/lifttest/internal/provider"
	"github.com/lift-sys/lifttest/internal/redact"
	"github.com/lift-sys/lifttest/internal/retry"
	"github.com/lift-sys/lifttest/internal/schema"
	"github.com/lift-sys/lifttest/internal/shard"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// Stage parameters of the original benchmark (LIFTSYS.md §3).
const (
	stage1MaxTokens = 2048
	stage2MaxTokens = 2000
	temperature     = 0.3
	topP            = 0.95
)

// A Runner runs one case through the pipeline and returns its record:
// stage 1 (prompt -> IR), stage 2 (IR -> code, retried with the failure fed
// back), assembly and validation. It is safe for concurrent use.
type Runner struct {
	opts      Options
	price     cost.Price
	shard     shard.Spec
	tmpl      *prompt.Template
	validator Validator
	closeVal  func() error
	real      http.RoundTripper
	scrub     *redact.Scrubber // the credentials this run knows, out of every output
	warm      atomic.Bool      // a warmup succeeded: calls get the warm timeout
	info      Endpoint         // set by Prepare
	// structured is the parameter -structured auto resolved to in
	// Prepare; nil before, or when -structured names one.
	structured atomic.Pointer[openai.Structured]
	// test is the go test -run pattern prefix of the session's cases, for
	// the re-record command of a stale cassette.
	test atomic.Pointer[string]
}

// NewRunner checks the options and starts the validator.
func NewRunner(opts Options) (*Runner, error) {
	o, price, sh, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Runner{opts: o, price: price, shard: sh, tmpl: prompt.Default(), validator: o.Validator,
		scrub: redact.New(o.Endpoint, o.Key, o.Secret, o.APIKey)}
	r.real = r.realTransport()
	if o.CodeTemplate != "" {
		if r.tmpl, err = prompt.Parse(o.CodeTemplate); err != nil {
			return nil, fmt.Errorf("lifttest: CodeTemplate: %w", err)
		}
	}
	if r.validator == nil {
		if r.validator, r.closeVal, err = newSandboxValidator(o.StrictIsolation); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Close stops the validator the runner started.
func (r *Runner) Close() error {
	if r.closeVal != nil {
		return r.closeVal()
	}
	return nil
}

// timeout is the per-call limit: long until a warmup has loaded the model.
func (r *Runner) timeout() time.Duration {
	if r.warm.Load() {
		return r.opts.Timeout
	}
	return r.opts.ColdTimeout
}

func (r *Runner) modalClient(hc *http.Client) *modal.Client {
	url := r.opts.Endpoint
	if url == "" {
		url = "http://replay.invalid/generate" // replay matches the path, not the host
	}
	return &modal.Client{GenerateURL: url, Key: r.opts.Key, Secret: r.opts.Secret, HTTP: hc, Timeout: r.timeout()}
}

func (r *Runner) openaiClient(hc *http.Client) *openai.Client {
	o := r.opts
	c := &openai.Client{BaseURL: o.Endpoint, Model: o.Model, APIKey: o.APIKey, Stream: o.Stream, HTTP: hc, Timeout: r.timeout()}
	if c.BaseURL == "" {
		c.BaseURL = "http://replay.invalid/v1"
	}
	if o.API == "completions" {
		c.API = openai.Completions
	}
	if st, err := openai.ParseStructured(o.Structured); err == nil {
		c.Structured = st
	} else if st := r.structured.Load(); st != nil {
		c.Structured = *st // auto, resolved by Prepare
	}
	return c
}

func (r *Runner) generator(hc *http.Client) provider.Generator {
	if r.opts.Provider == ProviderOpenAI {
		return r.openaiClient(hc)
	}
	return r.modalClient(hc)
}

// realTransport carries live and record calls: retries for 408, 429, 5xx
// and resets under the stream timer, so TTFT counts from the first send.
func (r *Runner) realTransport() http.RoundTripper {
	base := r.opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64 // concurrent cases reuse their connections
		base = t
	}
	rt := retry.New(base)
	rt.MaxAttempts, rt.BaseDelay = r.opts.HTTPAttempts, r.opts.RetryDelay
	return cassette.StreamTimer(rt)
}

func (r *Runner) cassettePath(suite, name string, sample int) string {
	return cassettePath(r.opts.CassetteDir, suite, name, sample)
}

func cassettePath(dir, suite, name string, sample int) string {
	if sample > 0 {
		name += ".sample-" + strconv.Itoa(sample)
	}
	return dir + "/" + suite + "/" + name + ".yaml"
}

// Run runs sample k (0-based; every sample is a full run of the pipeline
// with its own cassette, and samples after the first send seed k so that
// each is a request of its own). The error is for a run that could not be
// evaluated: a missing or stale cassette (ErrMissingCassette,
// ErrStaleCassette), a cancelled context, a bad case. The model's and the
// endpoint's failures are in the record's Error.
func (r *Runner) Run(ctx context.Context, suite string, c Case, k int) (*record.Result, error) {
	if err := c.check(suite); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("lifttest: sample %d of %s/%s: samples count from 0", k, suite, c.Name)
	}
	test := ""
	if p := r.test.Load(); p != nil {
		test = casePattern(*p, suite, c.Name)
	}
	sess, err := cassette.Open(cassette.Options{
		Path:     r.cassettePath(suite, c.Name, k),
		Mode:     r.opts.Mode.cassette(),
		Real:     r.real,
		Rerecord: r.opts.rerecord(test),
		Scrub:    r.scrub,
	})
	if err != nil {
		return nil, r.scrub.Error(classify(err))
	}
	res := &record.Result{
		Suite: suite, Case: c.Name, Sample: k, Mode: r.opts.Mode.String(), Prompt: c.Prompt,
		Category: c.Category, Complexity: c.Complexity, CompileOnly: c.compileOnly(), Started: time.Now(),
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err = r.pipeline(ctx, r.generator(sess.Client()), c, res)
	runtime.ReadMemStats(&after)
	res.HarnessBytes, res.HarnessAllocs = after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs
	r.scrubRecord(res)
	infra := infrastructure(err)
	if ferr := sess.Finish(!infra && ctx.Err() == nil); ferr != nil {
		return res, r.scrub.Error(ferr)
	}
	switch {
	case infra && r.opts.Mode == ModeReplay:
		// A stale or invalid cassette: its own error names the file, not
		// the placeholder URL the client wraps it in.
		var inv *cassette.InvalidError
		var mis *cassette.MismatchError
		switch {
		case errors.As(err, &inv):
			err = inv
		case errors.As(err, &mis):
			err = mis
		}
		return res, r.scrub.Error(classify(err))
	case ctx.Err() != nil:
		return res, ctx.Err()
	}
	return res, nil
}

// scrubRecord removes the run's credentials from every text of the record
// (errors, notes, the model's output), which the journal, the reports and
// the logs print: an endpoint can echo a key, and a URL can carry a token.
func (r *Runner) scrubRecord(res *record.Result) {
	sc := r.scrub
	res.Error = sc.String(res.Error)
	res.Source = sc.String(res.Source)
	res.IR, res.Code = sc.Bytes(res.IR), sc.Bytes(res.Code)
	for _, st := range []*record.Stage{&res.Stage1, &res.Stage2} {
		for i, e := range st.Errors {
			st.Errors[i] = sc.String(e)
		}
	}
	for i := range res.Failures {
		res.Failures[i].Error = sc.String(res.Failures[i].Error)
	}
	v := &res.Validation
	v.Error = sc.String(v.Error)
	for i, t := range v.Tests {
		v.Tests[i].Actual, v.Tests[i].Error = sc.String(t.Actual), sc.String(t.Error)
	}
}

// infrastructure reports errors that are not the model's doing: the cassette
// could not answer, the transport failed, the endpoint answered non-2xx or
// not the contract. A recording run with such an error is not saved.
func infrastructure(err error) bool {
	var ae *provider.AnswerError
	return err != nil && !errors.As(err, &ae) && !errors.Is(err, errModel)
}

// errModel marks failures of the generated content itself.
var errModel = errors.New("model")

func (r *Runner) firstTemperature() float64 {
	if t := r.opts.Temperature; t != nil {
		return *t
	}
	return temperature
}

// schedule is stage 2's temperature: the first, plus 0.15 per retry, up
// to 0.9 (or the first, when a sampling run starts above it).
func schedule(first float64, attempt int) float64 {
	t := first + 0.15*float64(attempt-1)
	return math.Round(math.Min(t, math.Max(0.9, first))*100) / 100
}

// seed is nil for the first sample, so its requests stay those of a plain run.
func seed(sample int) *int {
	if sample == 0 {
		return nil
	}
	return &sample
}

// call makes one generate call and adds it to the stage.
func (r *Runner) call(ctx context.Context, g provider.Generator, st *record.Stage, req provider.Request) (provider.Response, error) {
	outer := ctx
	m := r.meter(outer, g)
	ctx, tm := cassette.WithTiming(ctx)
	ctx, retries := retry.WithCounter(ctx)
	start := time.Now()
	resp, err := g.Generate(ctx, req)
	wall := time.Since(start)
	m.fill(outer, &resp, err)
	st.Calls++
	st.Retries += retries.Retries
	stream := resp.Stream
	if ae, ok := errors.AsType[*provider.AnswerError](err); ok && ae.Stream != nil {
		stream = ae.Stream // a truncated stream was timed all the same
	}
	if tm.Replayed {
		lat := tm.Recorded
		// A recording's duration ends at the response headers; a stream's
		// answer ends with its last chunk, whose offset was recorded too.
		if s := stream; s != nil {
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
	if s := stream; s != nil {
		st.TTFT += s.TTFT
		st.TPOT += s.TPOT
		st.Streamed++
		mean, p99 := record.ITLStats(s.ITL)
		st.ITLMean += mean
		st.ITLP99 += p99
	}
	serverTPOT := resp.ServerTPOT
	if ae, ok := errors.AsType[*provider.AnswerError](err); ok {
		serverTPOT = ae.ServerTPOT
	}
	if serverTPOT > 0 {
		st.ServerTimed++
		st.ServerTPOT += serverTPOT
	}
	var ae *provider.AnswerError
	switch {
	case err == nil:
		st.Server += resp.ServerTime
		st.Tokens += resp.Tokens
		st.InputTokens += resp.InputTokens
	case errors.As(err, &ae):
		st.Server += ae.ServerTime
		st.Tokens += ae.Tokens
	}
	if err != nil {
		st.Errors = append(st.Errors, err.Error())
	}
	return resp, err
}

// pipeline runs both stages into res. The error is what res.Error says,
// with its chain, so that Run can tell the model's failures from the
// infrastructure's.
func (r *Runner) pipeline(ctx context.Context, g provider.Generator, c Case, res *record.Result) (err error) {
	defer func() {
		res.E2E = res.Stage1.Latency + res.Stage2.Latency
		res.Tokens = res.Stage1.Tokens + res.Stage2.Tokens
		r.attribute(res)
		res.Success = err == nil && res.Compiled && res.Validation.Passed()
		if err != nil {
			res.Error = err.Error()
		}
	}()

	// Stage 1: prompt -> IR, one attempt.
	resp, err := r.call(ctx, g, &res.Stage1, provider.Request{
		Prompt: c.Prompt, Schema: schema.IR().JSON(),
		MaxTokens: stage1MaxTokens, Temperature: r.firstTemperature(), TopP: topP, Seed: seed(res.Sample),
	})
	if err != nil {
		return fmt.Errorf("stage 1 (prompt -> IR): %w", err)
	}
	res.Stage1.SchemaChecked++
	if err := schema.IR().Validate(resp.Output); err == nil {
		res.Stage1.SchemaValid++
	} else {
		res.Stage1.Errors = append(res.Stage1.Errors, err.Error())
	}
	fn, err := ir.ParseIR(resp.Output)
	if err != nil {
		return fmt.Errorf("stage 1 (prompt -> IR): %w: %w", errModel, err)
	}
	res.Stage1.OK = true
	res.IR, _ = json.Marshal(fn)

	// Stage 2: IR -> code, retried with the failure fed back.
	var notes []prompt.Failure
	for attempt := 1; attempt <= r.opts.MaxAttempts; attempt++ {
		res.Attempts = attempt
		lat, tok, in := res.Stage2.Latency, res.Stage2.Tokens, res.Stage2.InputTokens
		note, err := r.attempt(ctx, g, c, fn, res, attempt, notes)
		res.Tries = append(res.Tries, record.Try{Attempt: attempt, Latency: res.Stage2.Latency - lat,
			Tokens: res.Stage2.Tokens - tok, InputTokens: res.Stage2.InputTokens - in, OK: err == nil})
		if err == nil || note == "" {
			return err
		}
		// What goes back to the endpoint is bounded and clean: a value a
		// job printed can be long, and can hold anything it could read.
		note = r.scrub.Excerpt(note, redact.DefaultExcerpt)
		notes = append(notes, prompt.Failure{Attempt: attempt, Error: note})
		res.Failures = append(res.Failures, record.Attempt{Attempt: attempt, Error: note})
		if attempt == r.opts.MaxAttempts {
			return err
		}
	}
	return nil
}

// attribute prices the run and each stage and stage-2 attempt: GPU time
// (stage 1 carries the per-request overhead, so the stages sum to the
// run's cost), or tokens at a token price.
func (r *Runner) attribute(res *record.Result) {
	p := r.price
	if p.TokenPriced() {
		res.Stage1.CostUSD = p.Tokens(res.Stage1.InputTokens, res.Stage1.Tokens)
		res.Stage2.CostUSD = p.Tokens(res.Stage2.InputTokens, res.Stage2.Tokens)
		res.CostUSD = res.Stage1.CostUSD + res.Stage2.CostUSD
		for i := range res.Tries {
			res.Tries[i].CostUSD = p.Tokens(res.Tries[i].InputTokens, res.Tries[i].Tokens)
		}
		return
	}
	res.CostUSD = p.Of(res.E2E)
	res.Stage1.CostUSD = p.Time(res.Stage1.Latency) + p.PerRequest
	res.Stage2.CostUSD = p.Time(res.Stage2.Latency)
	for i := range res.Tries {
		res.Tries[i].CostUSD = p.Time(res.Tries[i].Latency)
	}
}

// attempt runs one stage-2 attempt. It returns the attempt's failure and
// the note for the next attempt ("" when retrying cannot help: the
// endpoint or the sandbox failed, not the model).
func (r *Runner) attempt(ctx context.Context, g provider.Generator, c Case, fn ir.IR, res *record.Result, attempt int, notes []prompt.Failure) (string, error) {
	text, err := r.tmpl.Render(prompt.Data{IR: fn, Attempt: attempt, MaxAttempts: r.opts.MaxAttempts, Previous: notes})
	if err != nil {
		return "", fmt.Errorf("stage 2: code prompt: %w", err)
	}
	resp, err := r.call(ctx, g, &res.Stage2, provider.Request{
		Prompt: text, Schema: schema.Code().JSON(),
		MaxTokens: stage2MaxTokens, Temperature: schedule(r.firstTemperature(), attempt), TopP: topP, Seed: seed(res.Sample),
	})
	if err != nil {
		err = fmt.Errorf("stage 2 (IR -> code), attempt %d: %w", attempt, err)
		var ae *provider.AnswerError
		if errors.As(err, &ae) {
			return ae.Error(), err // the model's failure: retry with it
		}
		return "", err // the endpoint's failure: no point retrying the model
	}
	res.Stage2.SchemaChecked++
	if err := schema.Code().Validate(resp.Output); err == nil {
		res.Stage2.SchemaValid++
	} else {
		res.Stage2.Errors = append(res.Stage2.Errors, err.Error())
	}
	res.Code = resp.Output
	code, err := ir.ParseCode(resp.Output)
	if err != nil {
		return err.Error(), fmt.Errorf("stage 2, attempt %d: %w: %w", attempt, errModel, err)
	}
	src, err := assemble.Assemble(fn, code)
	if err != nil {
		return "the code could not be assembled: " + err.Error(), fmt.Errorf("stage 2, attempt %d: assemble: %w: %w", attempt, errModel, err)
	}
	res.Source = src
	res.Stage2.OK = true

	start := time.Now()
	defer func() { res.Validate = time.Since(start) }()
	name, how, lookErr := assemble.Lookup(assemble.DefinedFunctions(src), c.Function)
	prog := Program{Source: src}
	if lookErr == nil {
		prog.Function, prog.Tests, prog.Check = name, c.Tests, c.Check
		res.Function, res.Match = name, string(how)
	}
	v, err := r.validator.Validate(ctx, prog)
	if err != nil {
		return "", fmt.Errorf("stage 2, attempt %d: validate: %w", attempt, err)
	}
	res.Validation, res.Compiled = v, v.Compiled
	switch {
	case v.Class == "sandbox_error":
		// The sandbox's failure, not the model's: never fed back.
		return "", fmt.Errorf("stage 2, attempt %d: sandbox_error: %s", attempt, v.Error)
	case !v.Compiled:
		return v.Error, fmt.Errorf("stage 2, attempt %d: %w: the code does not compile: %s", attempt, errModel, v.Error)
	case lookErr != nil:
		return "the function is missing: " + lookErr.Error(), fmt.Errorf("stage 2, attempt %d: %w: %w", attempt, errModel, lookErr)
	case !v.Passed():
		f := failingTests(name, v)
		return f, fmt.Errorf("stage 2, attempt %d: %w: %s", attempt, errModel, f)
	}
	return "", nil
}

// valueBound is the most bytes of one value (an argument list, a returned
// or expected value, an exception) that a retry's feedback quotes; the
// whole note is bounded by redact.DefaultExcerpt (1 KiB).
const valueBound = 200

// failingTests describes the failing tests in the words fed back to the model.
func failingTests(fn string, v record.Validation) string {
	var parts []string
	q := func(s string) string { return redact.Excerpt(s, valueBound) }
	for _, t := range v.Tests {
		if t.Passed {
			continue
		}
		if t.Error != "" {
			parts = append(parts, fmt.Sprintf("%s raised %s, want %s", q(call(fn, t)), q(t.Error), q(t.Expected)))
		} else {
			parts = append(parts, fmt.Sprintf("%s returned %s, want %s", q(call(fn, t)), q(t.Actual), q(t.Expected)))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%s: %s", v.Class, q(v.Error))
	}
	return "failing inputs: " + strings.Join(parts, "; ")
}

// call writes the test as the call it made: fn(2, 3), or check(fn) for a
// HumanEval-style check program.
func call(fn string, t record.Test) string {
	if strings.HasPrefix(t.Args, "check(") {
		return t.Args
	}
	return fn + "(" + strings.TrimSuffix(strings.TrimPrefix(t.Args, "["), "]") + ")"
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

// isolation is what the default sandbox reports of its isolation ("full",
// or the steps missing); "" for a caller's own Validator.
func (r *Runner) isolation() string {
	if v, ok := r.validator.(interface{ isolation() string }); ok {
		return v.isolation()
	}
	return ""
}
