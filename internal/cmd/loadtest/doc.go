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
//     1b. drives it with a bare net/http client loop, the net/http floor:
//     same Transport settings, body, concurrency and duration, no package
//     load, no modal.Client, no timeout, the answer read and dropped
//     (-floor=false skips it);
//
//  2. drives it with wrk or hey at the same concurrency and duration, with
//     the same request body;
//
//  3. runs both again, paced: each connection waits concurrency/rate
//     between its requests (-rate, 1000 req/s by default; wrk through its
//     delay() hook, hey through -q), so that latency is the clients' and
//     the server's own work rather than queueing;
//
//  4. prints the reports and ends with two lines:
//
//     net/http floor: F µs/request, ratio Z (lifttest L µs/request, <tool> T µs/request)
//     loadtest: lifttest R1 req/s, <tool> R2 req/s, ratio X, p99 added Y ms
//
// where X = R1/R2 at saturation and Y = lifttest's p99 latency − the
// tool's in the paced runs. At saturation the p99s do not compare: a
// closed loop's latency is its concurrency over its throughput (Little's
// law), so the slower client shows the higher latency by construction.
// CPU per request is the process's user + system time over the requests
// of its run (getrusage for lifttest and the floor, which share this
// process, one after the other; the child's rusage for the tool). Z is the
// floor's throughput over the tool's: what part of the gap is the HTTP
// library rather than lifttest.
//
// # Where the time goes (issue 13)
//
// On 2 cores (AMD EPYC) shared with the reference endpoint, a CPU profile
// of lifttest's run (-cpuprofile; pprof's samples, which see less than
// getrusage: 67 of 76 µs per request before, 33 of 42 after) said per
// request, before:
//
//	                                                before    after
//	syscalls (write of the 3.9 KB request 10,      13.5      9.1
//	  read 3.5; loopback TCP, the kernel's)
//	encoding/json.Unmarshal of the answer           9.7      0.8 (modal.decodeAnswer)
//	request encoding (json.Marshal, schema copy)    3.0      0   (body reused)
//	malloc                                          7.7      3.3
//	GC (mark workers + assists)                     5.7      1.5
//	scheduler (schedule, findRunnable)              3.5      3.3
//	context.WithTimeout (the per-call timeout)      0.5      0.9
//	net/http's readLoop + writeLoop goroutines     28.0     17.3 (syscalls included)
//	load.(*run).do, all of a request's own path    29.7     10.1
//
// What was done (commits on perf-client): modal.Client decodes the answer
// in one validating pass on package provider/jsonscan and keeps the last
// request body while the request is the same (see modal's doc:
// BenchmarkGenerate 18 µs, 43 allocations, 9.9 KB -> 3.5-3.9 µs, 28, 3.4
// KB); the answer is read into one buffer sized by its Content-Length;
// the Transport asks for no compression (the endpoint never compresses,
// wrk does not ask either), caps connections at the concurrency and stays
// on HTTP/1.1. Package load costs 0.14 µs per request
// (BenchmarkRunOverhead) and was left alone. The stream reader of package
// openai got the same one-pass decoder (see its doc).
//
// make loadtest (DURATION=10s, c=64), main and this branch alternating, 3
// runs each, load average 3.1-4.8 (other work on the 2 cores throughout):
//
//	                         main              this branch       target
//	client CPU/request       48.2-58.1 µs      40.0-45.3 µs      <= 20 µs
//	net/http floor           -                 36.6-40.3 µs
//	wrk CPU/request          14.4-15.5 µs      14.4-15.2 µs
//	ratio (lifttest / wrk)   0.58-0.88         0.50-0.80         >= 0.9
//	ratio (floor / wrk)      -                 0.69-0.81
//	lifttest / floor req/s   -                 0.73-0.98
//	p99 added                0.67-3.42 ms      0.08-1.03 ms      <= 0.3 ms
//
// The ratios move with what else runs on the 2 cores (wrk's own rate went
// from 16.6k to 28.4k req/s between runs); CPU per request hardly does.
// lifttest now costs the floor plus 3-7 µs: the targets of 20 µs and a
// ratio of 0.9 are below what net/http itself costs here (36-40 µs, a
// ratio of 0.69-0.81), so they are out of reach while lifttest stays on
// net/http. The floor is net/http's design: two goroutines per
// connection (readLoop, writeLoop) and a channel hand-off each way per
// request, where wrk runs one epoll loop per thread. About 9 µs of a
// request (in the profile after) is the kernel's loopback TCP, which wrk
// pays too.
//
// Tried and not kept: GOGC=400 or off (with GOMEMLIMIT) in the load
// generator, GOMAXPROCS=1: no change of CPU per request beyond the noise
// (GC is 1.5 µs per request now); a pooled answer buffer (the ir_json
// output aliases it, so it would need a copy of its own).
//
// Usage:
//
//	loadtest [-concurrency 64] [-duration 10s] [-rate 1000] [-paced 5s] [-tool auto|wrk|hey|none]
//	         [-endpoint URL | -refserver BIN] [-threads N] [-cpuprofile FILE] [-floor=false]
//
// -tool auto takes wrk, else hey, whichever is on PATH (`make loadtest`
// installs wrk when missing).
package main
