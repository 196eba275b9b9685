package lifttest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// Test runs c under t: it fails t when the cassette is missing or stale, or
// when the case does not succeed, with the stage, the error and every
// failing test, and logs the timings. It returns the result for further
// assertions.
func (h *Harness) Test(t testing.TB, suite string, c Case) *Result {
	t.Helper()
	return h.TestSample(t, suite, c, 0)
}

// TestSample is Test for sample k of the case (see RunSample). With
// samples, an XFail case may succeed in some samples: that is not an error.
func (h *Harness) TestSample(t testing.TB, suite string, c Case, k int) *Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := h.RunSample(ctx, suite, c, k)
	if err != nil {
		t.Fatalf("%s/%s: %v", suite, c.Name, err)
	}
	t.Logf("%s", r.Summary())
	if err := h.collect(r); err != nil {
		t.Errorf("%s/%s: %v", suite, c.Name, err)
	}
	switch {
	case c.XFail != "" && r.Success && k == 0:
		t.Errorf("%s/%s succeeded, but it is marked as an expected failure (%s): remove XFail if the change that fixed it is intended", suite, c.Name, c.XFail)
	case c.XFail != "":
		t.Logf("expected failure (%s): %v", c.XFail, r.Err)
	case !r.Success:
		t.Errorf("%s/%s failed: %v%s", suite, c.Name, r.Err, r.testReport())
	}
	return r
}

// Summary is a one-line account of the result.
func (r *Result) Summary() string {
	src := "measured"
	if r.Stage1.Recorded {
		src = "recorded"
	}
	return fmt.Sprintf("%s/%s: success=%v e2e=%.2fs (stage1 %.2fs, stage2 %.2fs, %s) attempts=%d tokens=%d cost=$%.6f tests %d/%d fn=%s(%s)",
		r.Suite, r.Case, r.Success, r.E2E.Seconds(), r.Stage1.Latency.Seconds(), r.Stage2.Latency.Seconds(), src,
		r.Attempts, r.Tokens, r.Cost, r.PassedTests(), len(r.Validation.Tests), r.Function, r.Match)
}

func (r *Result) testReport() string {
	var b strings.Builder
	for _, t := range r.Validation.Tests {
		if t.Passed {
			continue
		}
		got := t.Actual
		if t.Error != "" {
			got = "raised " + t.Error
		}
		fmt.Fprintf(&b, "\n  %s: got %s, want %s", t.call(r.Function), got, t.Expected)
	}
	if r.Source != "" && !r.Success {
		fmt.Fprintf(&b, "\n--- assembled source ---\n%s", r.Source)
	}
	return b.String()
}

// Bench runs c under b with b.Loop and reports the pipeline's metrics per
// op (one op is one request: the whole pipeline for the case):
//
//	stage1-ns/op, stage2-ns/op, e2e-ns/op  stage latencies (benchstat shows sec/op)
//	server-ns/op                           the endpoint's generation_time_ms
//	validate-ns/op                         validation wall time (always measured)
//	USD/op                                 cost of the request at the run's GPU price
//	tokens/op, attempts/op                 tokens used, stage-2 attempts
//	compiled/op, tests-passed/op, success/op  fractions in [0, 1] (no tests-passed/op
//	                                       for a compile-only case)
//	ir-valid/op, code-valid/op             fraction of answers matching their schema
//	retries/op                             HTTP requests sent again (408, 429, 5xx, resets)
//	ttft-ns/op, tpot-ns/op                 mean TTFT and TPOT of streamed calls (-stream only)
//
// In replay the latencies are the recorded ones and ns/op is the harness's
// own cost (cassette, assembly, validation); in live, ns/op includes the
// endpoint. A run that cannot be evaluated fails b.
func (h *Harness) Bench(b *testing.B, suite string, c Case) {
	b.Helper()
	var sum metrics
	var last *Result
	n := 0
	for b.Loop() {
		r, err := h.Run(context.Background(), suite, c)
		if err != nil {
			b.Fatalf("%s/%s: %v", suite, c.Name, err)
		}
		sum.add(r)
		last = r
		n++
	}
	if n > 0 {
		sum.report(b, float64(n))
		h.mu.Lock()
		if h.benched == nil {
			h.benched = make(map[string][]*Result)
		}
		h.benched[suite] = append(h.benched[suite], last)
		h.mu.Unlock()
	}
}

type metrics struct {
	stage1, stage2, e2e, server, validate time.Duration
	cost                                  float64
	tokens, attempts                      int
	compiled, testsPassed, success        float64
	irValid, codeValid                    float64
	retries, streamed, tested             int
	ttft, tpot                            time.Duration
}

func (m *metrics) add(r *Result) {
	m.stage1 += r.Stage1.Latency
	m.stage2 += r.Stage2.Latency
	m.e2e += r.E2E
	m.server += r.Stage1.Server + r.Stage2.Server
	m.validate += r.Validate
	m.cost += r.Cost
	m.tokens += r.Tokens
	m.attempts += r.Attempts
	if r.Compiled {
		m.compiled++
	}
	if !r.CompileOnly {
		if len(r.Validation.Tests) > 0 {
			m.testsPassed += float64(r.PassedTests()) / float64(len(r.Validation.Tests))
		}
		m.tested++ // a run that never reached validation passed none
	}
	if r.Success {
		m.success++
	}
	m.irValid += fraction(r.Stage1.SchemaValid, r.Stage1.SchemaChecked)
	m.codeValid += fraction(r.Stage2.SchemaValid, r.Stage2.SchemaChecked)
	for _, st := range []*Stage{&r.Stage1, &r.Stage2} {
		m.retries += st.Retries
		m.streamed += st.Streamed
		m.ttft += st.TTFT
		m.tpot += st.TPOT
	}
}

func fraction(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (m *metrics) report(b *testing.B, n float64) {
	b.ReportMetric(float64(m.stage1.Nanoseconds())/n, "stage1-ns/op")
	b.ReportMetric(float64(m.stage2.Nanoseconds())/n, "stage2-ns/op")
	b.ReportMetric(float64(m.e2e.Nanoseconds())/n, "e2e-ns/op")
	b.ReportMetric(float64(m.server.Nanoseconds())/n, "server-ns/op")
	b.ReportMetric(float64(m.validate.Nanoseconds())/n, "validate-ns/op")
	b.ReportMetric(m.cost/n, "USD/op")
	b.ReportMetric(float64(m.tokens)/n, "tokens/op")
	b.ReportMetric(float64(m.attempts)/n, "attempts/op")
	b.ReportMetric(m.compiled/n, "compiled/op")
	if m.tested > 0 {
		// Per validated op: a compile-only case has no tests to pass.
		b.ReportMetric(m.testsPassed/float64(m.tested), "tests-passed/op")
	}
	b.ReportMetric(m.success/n, "success/op")
	b.ReportMetric(m.irValid/n, "ir-valid/op")
	b.ReportMetric(m.codeValid/n, "code-valid/op")
	b.ReportMetric(float64(m.retries)/n, "retries/op")
	if m.streamed > 0 {
		// Per streamed call, not per op: an op makes two or more calls.
		b.ReportMetric(float64(m.ttft.Nanoseconds())/float64(m.streamed), "ttft-ns/op")
		b.ReportMetric(float64(m.tpot.Nanoseconds())/float64(m.streamed), "tpot-ns/op")
	}
}

// units are the benchmark's metric units with the direction that is better.
var units = []struct{ unit, better string }{
	{"stage1-ns/op", "lower"}, {"stage2-ns/op", "lower"}, {"e2e-ns/op", "lower"},
	{"server-ns/op", "lower"}, {"USD/op", "lower"}, {"tokens/op", "lower"},
	{"attempts/op", "lower"}, {"compiled/op", "higher"}, {"tests-passed/op", "higher"},
	{"success/op", "higher"}, {"ir-valid/op", "higher"}, {"code-valid/op", "higher"},
	{"validate-ns/op", "lower"}, {"retries/op", "lower"}, {"ttft-ns/op", "lower"}, {"tpot-ns/op", "lower"},
	{"warmup-ns", "lower"},
	{"e2e-median-ns", "lower"}, {"e2e-mean-ns", "lower"}, {"e2e-std-ns", "lower"},
	{"stage1-mean-ns", "lower"}, {"stage2-mean-ns", "lower"},
	{"USD-mean/req", "lower"}, {"USD-total", "lower"}, {"success-rate", "higher"},
}

// WriteBenchConfig writes, once before the benchmarks, the benchfmt
// configuration lines that describe the run (mode, endpoint, model, GPU,
// price) and a Unit line per metric saying which direction is better; in
// replay, where every metric but ns/op and validate-ns/op is the same on
// each run, assume=exact tells benchstat not to expect noise.
func (h *Harness) WriteBenchConfig(w io.Writer, info EndpointInfo) {
	timing := "measured"
	if h.opts.Mode == ModeReplay {
		timing = "recorded"
		fmt.Fprintln(w, "# lifttest replay: latency, cost and success metrics are the recorded run's; ns/op is lifttest's own cost per request (cassette load, assembly, sandboxed validation), not the endpoint's.")
	}
	fmt.Fprintf(w, "lifttest-mode: %s\n", h.opts.Mode)
	fmt.Fprintf(w, "lifttest-timing: %s\n", timing)
	fmt.Fprintf(w, "endpoint: %s\n", info.Host)
	fmt.Fprintf(w, "model: %s\n", info.Model)
	fmt.Fprintf(w, "gpu: %s\n", info.GPU)
	fmt.Fprintf(w, "price: %s %.2f-USD/h %.4f-USD/request\n", h.price.Name, h.price.PerHour, h.price.PerRequest)
	for _, u := range units {
		line := fmt.Sprintf("Unit %s better=%s", u.unit, u.better)
		if h.opts.Mode == ModeReplay && u.unit != "validate-ns/op" {
			line += " assume=exact"
		}
		fmt.Fprintln(w, line)
	}
}

// BenchWarmup reports the warmup call that Prepare made (or, in replay,
// recorded) as warmup-ns: the endpoint's cold start when the model was not
// loaded, a few seconds when it was. One warmup serves the whole process,
// so every -count repeats the same figure. It skips b when the run had no
// warmup (no endpoint cassette in replay, or the OpenAI provider, whose
// server has no warmup route).
func (h *Harness) BenchWarmup(b *testing.B) {
	if h.info.Warmup <= 0 {
		b.Skip("no warmup in this run: call Prepare first (the OpenAI provider and a replay without cassettes/endpoint.yaml have none)")
	}
	for b.Loop() {
	}
	b.ReportMetric(float64(h.info.Warmup.Nanoseconds()), "warmup-ns")
}
