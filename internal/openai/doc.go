// Package openai is a provider for vLLM's OpenAI-compatible server (and
// other servers of that contract). Client.Generate speaks the pipeline's
// vocabulary (package provider: Request, Response and the answer errors), so
// the harness drives it as it drives the Modal endpoint; Client.Health
// checks the server and lists the models it serves.
//
// # Streaming and its timings
//
// With Stream set the client asks for server-sent events (with
// stream_options.include_usage, so that the last chunk carries usage) and
// fills Response.Stream with vLLM's definitions: TTFT is the arrival of the
// first chunk with non-empty content minus the send; ITL the gaps between
// content chunks; TPOT (E2E - TTFT) / (output tokens - 1), E2E being the
// last event before [DONE] and output tokens usage.completion_tokens (the
// number of content chunks when the server sends no usage); Chunks counts
// the content chunks. E2E itself is TTFT + TPOT × (OutputTokens - 1).
//
// go-vcr hands a recorded or replayed body up whole, so under a cassette
// the client's own clock would see every chunk at once. The arrivals are
// therefore taken below the recorder by cassette.StreamTimer and travel in
// the cassette.StreamOffsetsHeader response header; when that header is
// there (record, replay, and live under the timer) the client uses it
// event by event instead of its clock, so a replay reports exactly the
// TTFT and ITL that were recorded.
//
// # Own SSE reader, not github.com/openai/openai-go
//
// The stream is read by a small SSE reader here rather than by the
// official client, on these measurements (openai-go v3.96.0, 2 cores of an
// AMD EPYC, Go 1.26; testdata/compare_openai_go_test.go.txt is the
// benchmark, to re-run in a scratch copy of the module after
// `go get github.com/openai/openai-go/v3`):
//
//	                                         own reader      openai-go
//	TTFT error, 20 ms pacing (median)        0.35-0.44 ms    0.58-0.82 ms
//	ITL error, 5 ms pacing (median)          0.5-6 µs        0.1-4 µs
//	per ~500-chunk answer: time              1.5-1.6 ms      6.4-7.9 ms
//	                       allocations       4,856           26,220
//	                       bytes             232 KB          3.47 MB
//	request bytes stable across calls        yes             yes
//	headers that change with Go/SDK version  none            X-Stainless-Runtime-Version,
//	                                                         -Package-Version, User-Agent
//
// Timing precision is a tie (both read the body as it arrives; the TTFT
// error is mostly the loopback request itself, and openai-go's building of
// the request counts against it). The own reader costs a fifth of the time
// and allocations; it sends only the headers the contract needs, so
// recordings do not change when Go or the SDK is upgraded; it keeps the
// schema's bytes as given; and openai-go would bring its own retry loop
// (2 retries by default) to switch off beside internal/retry, and a
// dependency tree for the two endpoints used here.
//
// Those figures are from before stream chunks were decoded on package
// provider/jsonscan: json.Unmarshal was 80 % of the reader's CPU (a
// checkValid scan, then a decode by reflection, per chunk). Chunks are now
// read in one validating pass, ASCII strings with one-letter escapes
// (\" and \n are most of a model's code) decoded there, and json.Unmarshal
// takes any chunk the pass does not decide exactly as it would
// (FuzzDecodeChunk checks the two agree). BenchmarkStreamDecode, per
// ~500-chunk answer, same machine, busy: 1.3-2.6 ms, 4,857 allocations,
// 232 KB before; 0.37-0.55 ms, 582 allocations, 44 KB after (what is left
// is one string per chunk's content, the events and the document).
//
// Measured on this package's own benchmark (go test -bench Stream), on the
// reference endpoint paced at 20 ms to the first token and 5 ms per token:
// TTFT 20.4 ms (0.3-0.45 ms over the pacing: the loopback request), ITL
// median 5.000 ms (within 2 µs), TPOT 5.00 ms; TestStreamTimingPrecision
// asserts both within 1 ms.
package openai
