// Package lifttesttest is a fake lift-sys model endpoint for tests, in the
// spirit of net/http/httptest: a [Server] on 127.0.0.1 answers scripted
// prompts, with latency and faults on demand, so that code calling
// lift-sys can be tested without a GPU, a network or credentials.
//
// A Server speaks both contracts lift-sys is deployed behind, from the
// same answers: the Modal app's POST /generate ([Server.GenerateURL]), GET
// /health and GET /warmup, answering HTTP 200 with ir_json, tokens_used,
// generation_time_ms and finish_reason; and vLLM's OpenAI-compatible API
// ([Server.OpenAIURL]): chat/completions (the prompt is the last user
// message), completions, models, and server-sent events for "stream".
//
// A prompt equal to [Answer].Prompt gets its IR (stage 1). A prompt that
// contains "def NAME(", NAME being the signature.name of a scripted IR, is
// a code prompt and gets Code[k], k being the number of "Previous attempt
// (#K) failed: " lines the client added for its retries. No per-client
// state is kept, so parallel tests may share a Server.
//
// The answers come from lifttest's own reference endpoint, the one its
// cassettes are recorded against, so this fake and lifttest agree on the
// contract by construction.
package lifttesttest
