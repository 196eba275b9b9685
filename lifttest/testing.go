package lifttest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/redact"
	"github.com/lift-sys/lifttest/lifttest/record"
)

// Test runs every selected case as a row of a table-driven test, named
// suite=<suite>/case=<case> (and /sample=<k> with Samples > 1), Concurrency
// at a time. A row fails when its cassette is missing or stale, or when
// the case does not succeed, with the stage, the error and every failing
// test; a case marked XFail fails instead when it succeeds.
func (s *Session) Test(t *testing.T) {
	s.inputs.Do(s.cacheInputs)
	if iso := s.runner.isolation(); iso != "" {
		t.Logf("sandbox isolation: %s", iso)
	}
	name := t.Name()
	s.runner.test.Store(&name)
	for _, su := range s.suites {
		t.Run("suite="+su.Name, func(t *testing.T) {
			for _, c := range su.Cases {
				t.Run("case="+c.Name, func(t *testing.T) {
					if s.opts.Concurrency > 1 {
						t.Parallel()
					}
					if s.opts.Samples == 1 {
						s.testCase(t, su.Name, c, 0)
						return
					}
					for k := range s.opts.Samples {
						t.Run("sample="+strconv.Itoa(k), func(t *testing.T) { s.testCase(t, su.Name, c, k) })
					}
				})
			}
		})
	}
}

func (s *Session) testCase(t *testing.T, suite string, c Case, k int) {
	t.Helper()
	s.progress.begin()
	r, err := s.runner.Run(context.Background(), suite, c, k)
	if err != nil {
		t.Fatalf("%s/%s: %s", suite, c.Name, redact.Terminal(err.Error()))
	}
	t.Log(redact.Terminal(oneLine(r)))
	// In a process that runs benchmarks, they make the records: a case run
	// as a test too would count twice.
	if !s.benching {
		if err := s.add(r); err != nil {
			t.Errorf("%s/%s: %v", suite, c.Name, err)
		}
	}
	switch {
	case c.XFail != "" && r.Success && k == 0:
		t.Errorf("%s/%s succeeded, but it is marked as an expected failure (%s): remove XFail if the change that fixed it is intended", suite, c.Name, c.XFail)
	case c.XFail != "":
		t.Logf("expected failure (%s): %s", c.XFail, redact.Terminal(r.Error))
	case !r.Success:
		// The model's output never reaches the terminal raw.
		t.Errorf("%s/%s failed: %s", suite, c.Name, redact.Terminal(r.Error+failureDetail(r)))
	}
}

// oneLine is a run's account in the test log.
func oneLine(r *record.Result) string {
	return fmt.Sprintf("%s/%s: success=%v e2e=%.2fs (stage1 %.2fs, stage2 %.2fs, %s) attempts=%d tokens=%d cost=$%.6f tests %d/%d fn=%s(%s)",
		r.Suite, r.Case, r.Success, r.E2E.Seconds(), r.Stage1.Latency.Seconds(), r.Stage2.Latency.Seconds(), r.Timing(),
		r.Attempts, r.Tokens, r.CostUSD, r.Validation.PassedTests(), len(r.Validation.Tests), r.Function, r.Match)
}

func failureDetail(r *record.Result) string {
	var b strings.Builder
	for _, t := range r.Validation.Tests {
		if t.Passed {
			continue
		}
		got := t.Actual
		if t.Error != "" {
			got = "raised " + t.Error
		}
		fmt.Fprintf(&b, "\n  %s: got %s, want %s", call(r.Function, t), got, t.Expected)
	}
	if r.Source != "" && !r.Success {
		fmt.Fprintf(&b, "\n--- assembled source ---\n%s", r.Source)
	}
	return b.String()
}

// Bench runs every selected case as a sub-benchmark named
// suite=<suite>/case=<case> and reports the pipeline's metrics per op (one
// op is one request: the whole pipeline for the case):
//
//	stage1-ns/op, stage2-ns/op, e2e-ns/op  stage latencies (benchstat shows sec/op)
//	server-ns/op                           the endpoint's own generation time
//	validate-ns/op                         validation wall time (always measured)
//	USD/op                                 cost of the request at the run's price
//	tokens/op, attempts/op, retries/op     tokens, stage-2 attempts, HTTP retries
//	compiled/op, tests-passed/op, success/op  fractions in [0, 1]
//	ir-valid/op, code-valid/op             answers matching their schema
//	ttft-ns/op, tpot-ns/op                 per streamed call (Stream only)
//	itl-ns/op, itl-p99-ns/op               mean and p99 inter-token latency, per streamed call
//	server-tpot-ns/op                      the server's own TPOT, per call that reports it (llama.cpp)
//
// In replay the latencies are the recorded ones, ns/op is lifttest's own
// cost, and outcomes (attempts to code-valid) are suite rates in the
// Summary lines that Main writes after the benchmarks. A live or record
// benchmark records every run; a replay each case once.
func (s *Session) Bench(b *testing.B) {
	s.inputs.Do(s.cacheInputs)
	for _, su := range s.suites {
		b.Run("suite="+su.Name, func(b *testing.B) {
			for _, c := range su.Cases {
				b.Run("case="+c.Name, func(b *testing.B) { s.benchCase(b, su.Name, c) })
			}
		})
	}
}

func (s *Session) benchCase(b *testing.B, suite string, c Case) {
	var sum metrics
	s.progress.begin()
	for b.Loop() {
		r, err := s.runner.Run(context.Background(), suite, c, 0)
		if err != nil {
			b.Fatalf("%s/%s: %v", suite, c.Name, err)
		}
		sum.add(r)
		if s.opts.Mode != ModeReplay || (sum.n == 1 && s.once(suite+"/"+c.Name)) {
			if err := s.add(r); err != nil {
				b.Fatalf("%s/%s: %v", suite, c.Name, err)
			}
		}
	}
	sum.report(b, s.opts.Mode != ModeReplay)
}

type metrics struct {
	n                                     int
	stage2Calls, validated                int // ops that reached stage 2, validation
	stage1, stage2, e2e, server, validate time.Duration
	cost                                  float64
	tokens, attempts                      int
	compiled, testsPassed, success        float64
	irValid, codeValid                    float64
	retries, streamed, tested             int
	ttft, tpot                            time.Duration
	itl, itlP99, serverTPOT               time.Duration
	serverTimed                           int
}

func (m *metrics) add(r *record.Result) {
	m.n++
	m.stage2Calls += r.Stage2.Calls
	if r.Validate > 0 {
		m.validated++
	}
	m.stage1 += r.Stage1.Latency
	m.stage2 += r.Stage2.Latency
	m.e2e += r.E2E
	m.server += r.Stage1.Server + r.Stage2.Server
	m.validate += r.Validate
	m.cost += r.CostUSD
	m.tokens += r.Tokens
	m.attempts += r.Attempts
	if r.Compiled {
		m.compiled++
	}
	if !r.CompileOnly {
		if n := len(r.Validation.Tests); n > 0 {
			m.testsPassed += float64(r.Validation.PassedTests()) / float64(n)
		}
		m.tested++ // a run that never reached validation passed none
	}
	if r.Success {
		m.success++
	}
	m.irValid += fraction(r.Stage1.SchemaValid, r.Stage1.SchemaChecked)
	m.codeValid += fraction(r.Stage2.SchemaValid, r.Stage2.SchemaChecked)
	for _, st := range []*record.Stage{&r.Stage1, &r.Stage2} {
		m.retries += st.Retries
		m.streamed += st.Streamed
		m.ttft += st.TTFT
		m.tpot += st.TPOT
		m.itl += st.ITLMean
		m.itlP99 += st.ITLP99
		m.serverTimed += st.ServerTimed
		m.serverTPOT += st.ServerTPOT
	}
}

func fraction(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// report reports the metrics. A replay reports no per-case outcomes
// (attempts, compiled, tests passed, success, schema validity) and no
// retries: they are the recording's, the same on every run, and a failing
// case's real 0 leaves benchstat no geomean; the suite's rates are in the
// Summary lines, and each case's outcome in the test log, the journal and
// `make compare-runs`. Live and record runs report them all.
func (m *metrics) report(b *testing.B, live bool) {
	if m.n == 0 {
		return
	}
	n := float64(m.n)
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / n }
	// A stage that never ran, a validation that never happened, tokens
	// the endpoint did not count: absent, not 0 (which benchstat would
	// take for a measurement, and which leaves it no geomean).
	b.ReportMetric(per(m.stage1), "stage1-ns/op")
	if m.stage2Calls > 0 {
		b.ReportMetric(per(m.stage2), "stage2-ns/op")
	}
	b.ReportMetric(per(m.e2e), "e2e-ns/op")
	if m.server > 0 {
		b.ReportMetric(per(m.server), "server-ns/op")
	}
	if m.validated > 0 {
		b.ReportMetric(per(m.validate), "validate-ns/op")
	}
	b.ReportMetric(m.cost/n, "USD/op")
	if m.tokens > 0 {
		b.ReportMetric(float64(m.tokens)/n, "tokens/op")
	}
	if live {
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
	}
	if m.streamed > 0 {
		// Per streamed call, not per op: an op makes two or more calls.
		b.ReportMetric(float64(m.ttft.Nanoseconds())/float64(m.streamed), "ttft-ns/op")
		b.ReportMetric(float64(m.tpot.Nanoseconds())/float64(m.streamed), "tpot-ns/op")
		b.ReportMetric(float64(m.itl.Nanoseconds())/float64(m.streamed), "itl-ns/op")
		b.ReportMetric(float64(m.itlP99.Nanoseconds())/float64(m.streamed), "itl-p99-ns/op")
	}
	if m.serverTimed > 0 {
		b.ReportMetric(float64(m.serverTPOT.Nanoseconds())/float64(m.serverTimed), "server-tpot-ns/op")
	}
}
