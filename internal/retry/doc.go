// Package retry retries the HTTP calls of live and record runs: HTTP 408,
// 429 and 5xx answers and connection resets, with capped exponential
// backoff and full jitter, honouring Retry-After, with a bounded number of
// attempts and sleeps that end when the context does.
//
// # Why a RoundTripper
//
// [Transport] is an http.RoundTripper rather than a helper each client
// calls, because both providers (internal/modal and internal/openai) already
// take an *http.Client and decide nothing about the mode: the harness puts
// the Transport under the cassette recorder, as cassette.Options.Real. There
//
//   - a recording keeps only the answer that finally came, so a replay never
//     meets a 429 and never sleeps a backoff;
//   - the recorded duration (go-vcr's time to the response headers) covers
//     the retries, as the stage latency of DESIGN.md says ("retries
//     included");
//   - a streamed answer is not buffered: only failures that come before the
//     response (a status, or a transport error from RoundTrip) are retried,
//     so once a response is handed up its body is the caller's.
//
// # Why our POSTs may be retried
//
// A generate call (Modal /generate, OpenAI /chat/completions and
// /completions) is a pure function of its body: it keeps no server-side
// state and has no side effect, so sending it twice cannot do anything
// twice; the only cost is GPU time, which is bounded by MaxAttempts. The
// answer the failed attempt would have given was never received, so a
// sampled retry is not a "second opinion" either. [New] therefore retries
// POST; a Transport built by hand retries POST only with RetryPOST, and
// always retries the methods HTTP calls idempotent, and requests carrying
// an Idempotency-Key header.
//
// # Retries are reported, never silent
//
// [WithCounter] puts a [Counter] in the request context; the Transport adds
// every attempt, retry, wait and the last status to it, so the harness can
// print them next to the latencies. OnRetry, when set, is told of each
// retry as it happens (for t.Logf).
package retry
