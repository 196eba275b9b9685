// Command loadtest measures how much load lifttest's own client path can
// put on an endpoint, next to an established load tool, in the same run.
//
// It starts the reference endpoint (cmd/refserver) with zero delay on
// 127.0.0.1 as a separate process (built with `go build`, or -refserver
// BIN), unless -endpoint names one. It then
//
//  1. drives it with a modal.Client through package load (Concurrent mode):
//     a realistic stage-1 request (the simple suite's add_numbers prompt
//     with the IR schema), every answer decoded and checked against the
//     scripted IR, failures counted;
//
//  2. drives it with wrk or hey at the same concurrency and duration, with
//     the same request body;
//
//  3. runs both again, paced: each connection waits concurrency/rate
//     between its requests (-rate, 1000 req/s by default; wrk through its
//     delay() hook, hey through -q), so that latency is the clients' and
//     the server's own work rather than queueing;
//
//  4. prints the reports and ends with one line:
//
//     loadtest: lifttest R1 req/s, <tool> R2 req/s, ratio X, p99 added Y ms
//
// where X = R1/R2 at saturation and Y = lifttest's p99 latency − the
// tool's in the paced runs. At saturation the p99s do not compare: a
// closed loop's latency is its concurrency over its throughput (Little's
// law), so the slower client shows the higher latency by construction.
//
// Usage:
//
//	loadtest [-concurrency 64] [-duration 10s] [-rate 1000] [-paced 5s] [-tool auto|wrk|hey|none]
//	         [-endpoint URL | -refserver BIN] [-threads N] [-cpuprofile FILE]
//
// -tool auto takes wrk, else hey, whichever is on PATH (`make loadtest`
// installs wrk when missing).
package main
