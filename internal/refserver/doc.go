// Package refserver is a reference endpoint for lift-sys's Modal contract
// and for vLLM's OpenAI-compatible API, answering from scripted answers
// instead of a GPU.
//
// A [Server] serves the Modal app's three routes on one host:
//
//	POST /generate  schema-constrained generation (here: a scripted answer)
//	GET  /health    CPU-only status: {"status":"healthy","model":...,"gpu":...,"backend":"vllm"}
//	GET  /warmup    waits out the cold start once, then {"status":"warm",...}
//
// and, from the same scripts, the OpenAI routes of vLLM's server
// (POST /v1/chat/completions, POST /v1/completions, GET /v1/models), with
// server-sent-event streams paced token by token, a concurrency limit with
// a queue and Modal's HTTP 408 for a request that waits too long (see
// openai.go).
//
// Bodies follow the real app in shape and field order (compact JSON): every
// answer of the app itself is HTTP 200, errors included, with the status
// only in the body ({"error":"Missing required field: prompt","status":400}),
// and a generate answer carries ir_json (or text), tokens_used,
// generation_time_ms and finish_reason (stop, json_error, error or length).
//
// # Choosing the answer
//
// Each [Script] holds one case of a suite: its stage-1 prompt, the stage-1
// answer (the IR) and the stage-2 answers (code JSON), one per attempt. A
// request is matched without any per-client state, so the server is safe for
// parallel runs:
//
//   - stage 1: the prompt equals a script's Prompt exactly;
//   - stage 2: otherwise, the prompt contains "def NAME(" where NAME is the
//     signature.name of a script's stage-1 IR. The attempt is 1 + the largest
//     K of the lines "Previous attempt (#K) failed: " that the client's code
//     prompt appends on a retry; the answer is Stage2[attempt-1], clamped to
//     the last one;
//   - anything else gets a finish_reason "error" body saying there is no
//     scripted answer for that prompt.
//
// # Latency model
//
// Every answer has a DelayMS, the server-side generation time. The server
// sleeps DelayMS × [Config.TimeScale] before it answers (0: no delay, 1: real
// time) and reports the time actually slept as generation_time_ms, so a
// client's "network + queue" time (client wall time minus server time) stays
// meaningful. A cancelled request stops its sleep. The first generate or
// warmup request pays [Config.ColdStart] once, as a cold container would.
//
// # Faults
//
// [Server.Inject] queues [Fault]s that replace or spoil the next answers:
// platform statuses such as Modal's 408, model failures (json_error, length,
// error), truncated and non-JSON bodies, extra latency and oversized bodies.
// [Server.Requests] returns what was received, headers included, so tests can
// check for example that the Modal-Key header was sent.
//
// The bundled scripts ([Bundled], [BundledSuite]) are one directory per
// suite. simple reproduces the five prompts as the 32B model answered them
// on 2025-10-22, with that run's per-case stage latencies as delays;
// phase2, nontrivial, expanded and humaneval_sample are written by us in
// the style of its recorded answers (realistic names, comments and
// statement types, some wrong answers and retries), so that suite figures
// are plausible rather than all 100 %. `make record-reference` records the
// bundled cassettes against cmd/refserver at TimeScale 1, one suite at a
// time (suites share prompts), so replaying simple reproduces that
// baseline.
package refserver
