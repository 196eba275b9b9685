// Package conformance is lifttest's conformance tier: its test runs the
// OpenAI provider against a real OpenAI-compatible server that nobody on
// the project wrote, and checks what the reference server (internal/
// refserver) can only emulate. It is skipped unless -e2e.endpoint is set;
// `make e2e ENDPOINT=http://127.0.0.1:8080/v1 MODEL=name` runs it.
//
// For every -api × -stream combination it records a case through the
// harness (detection, the canary, the pipeline), then replays the
// recording with every network call refused (the server might as well be
// stopped); it checks that a deliberately wrong -structured stops at the
// canary, that a wrong API key stops once (with -e2e.key, the key the
// server was started with), that max_tokens and the context window are
// told apart (the latter with -e2e.small-ctx-endpoint, the same server
// started with a small -c), and compares lifttest's TPOT with the
// server's own where it reports one (llama.cpp's timings).
//
// -e2e.save DIR keeps the recorded cassettes (one directory per
// combination) as test data: internal/openai's and lifttest's tests
// replay those under testdata offline.
package conformance
