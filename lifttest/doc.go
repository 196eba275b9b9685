// Package lifttest evaluates and benchmarks the lift-sys code-generation
// pipeline from `go test`.
//
// lift-sys turns a natural-language request into Python in two model calls
// served by vLLM with XGrammar guided decoding behind a Modal endpoint:
//
//	prompt -> IR (schema-constrained JSON)         stage 1
//	IR -> code JSON (schema-constrained, retried)  stage 2
//	code JSON -> Python assembled locally -> syntax check -> run the tests
//
// A Case is one prompt with the function name it expects and its test
// cases; a Suite is a named list of cases. A Harness runs a case through the
// pipeline and returns a Result with per-stage timings, tokens, attempts,
// cost, schema validity and the outcome of every test. Test and Bench run a
// case under testing.T and testing.B, so every prompt is a row of a
// table-driven test and a sub-benchmark whose metrics benchstat reads.
//
// # Modes
//
// Every HTTP call goes through one transport chosen by the mode:
//
//   - replay (the default): answers come from go-vcr cassettes,
//     cassettes/<suite>/<case>.yaml; nothing touches the network. Stage
//     latencies are the durations recorded with the answers, so replayed
//     figures are those of the recording run, exactly.
//   - record (-record): calls the endpoint and rewrites the cassettes, with
//     credentials redacted; a case that fails for an infrastructure reason
//     (HTTP error, timeout) leaves its old cassette untouched.
//   - live (-live): calls the endpoint and writes nothing; latencies are
//     measured.
//
// Options' zero value follows the command line: -record and -live select
// those modes, -endpoint names the generate URL (or LIFTTEST_ENDPOINT,
// MODAL_ENDPOINT_URL), -gpu the price; with none of them it replays from
// ./cassettes.
//
// # Metric definitions
//
// Stage latency is client wall time around the HTTP calls of that stage,
// retries included; E2E is stage 1 + stage 2, with validation reported
// separately. Server time is generation_time_ms from the answer. Cost is
// E2E seconds x GPU price per hour / 3600 + a per-request overhead, the
// original harness's formula, with the price from a table (-gpu).
//
// # Stages one by one
//
// ParseIR, ParseCode, CheckSchema, CodePrompt, Assemble, LookupFunction and
// Harness.Validate are the pipeline's stages as functions, so a user can
// compose a pipeline of their own; Harness.Run composes them.
package lifttest
