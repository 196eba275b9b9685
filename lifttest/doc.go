// Package lifttest evaluates and benchmarks the lift-sys code-generation
// pipeline from `go test`: prompt -> IR (stage 1, schema-constrained JSON)
// -> code JSON (stage 2, retried with the failure fed back) -> Python
// assembled locally -> its tests run in a sandbox.
//
// A Suite is a named table of Cases. A Runner runs one case and returns its
// record.Result; a Session runs a test binary's suites as table-driven tests
// (Session.Test) or sub-benchmarks (Session.Bench) and sends every record to
// one journal, the summaries, the reports and the regression gate.
//
// Every HTTP call goes through one transport chosen by Options.Mode: replay
// (the zero value) answers from go-vcr cassettes and never touches the
// network, so replayed figures are those of the recording exactly; record
// calls the endpoint and rewrites the cassettes, credentials redacted; live
// calls it and writes none.
//
// Metrics: stage latency is client wall time around the stage's HTTP calls,
// retries included; E2E is stage 1 + stage 2, validation apart; server time
// is the endpoint's own generation time; cost is E2E seconds x the GPU's
// USD per hour / 3600 + a per-request overhead, the original harness's
// formula.
package lifttest
