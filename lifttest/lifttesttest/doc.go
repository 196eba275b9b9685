// Package lifttesttest is a fake lift-sys model endpoint for tests, in the
// spirit of net/http/httptest: a [Server] on 127.0.0.1 answers scripted
// prompts, with latency and faults on demand, so that code calling
// lift-sys can be tested without a GPU, a network or credentials.
//
// A Server speaks both contracts lift-sys is deployed behind, from the
// same answers: the Modal app's POST /generate ([Server.GenerateURL]), GET
// /health and GET /warmup, where every answer of the app is HTTP 200 with
// ir_json, tokens_used, generation_time_ms and finish_reason; and vLLM's
// OpenAI-compatible API under [Server.OpenAIURL]: POST /chat/completions
// (the prompt is the last user message), POST /completions, GET /models,
// and server-sent events for "stream": true.
//
// An [Answer] scripts one case of the two-stage pipeline. A prompt equal to
// Answer.Prompt gets Answer.IR (stage 1). Another prompt that contains
// "def NAME(", NAME being the signature.name of a scripted IR, is that
// case's code prompt and gets Answer.Code[k], k being the number of
// "Previous attempt (#K) failed: " lines the client added for its retries.
// Matching keeps no per-client state, so parallel tests may share a Server.
//
// The answers are built by lifttest's own reference endpoint, the one its
// cassettes are recorded against, so this fake and lifttest agree on the
// contract by construction.
package lifttesttest
