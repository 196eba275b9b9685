// Package load drives a request function at a chosen load and reports
// throughput, goodput and latency distributions, without becoming the
// bottleneck itself: workers keep their samples in their own buffers (no
// lock on the hot path) and the report is merged once the run is over.
//
// # Modes
//
//   - Sequential: one request at a time, as the original harness runs.
//   - Concurrent: a closed loop with exactly Concurrency requests in flight;
//     a worker sends its next request as soon as its previous one returned.
//   - OpenLoop: requests arrive as a Poisson process at Rate per second,
//     from a seeded generator, whatever the responses do. The scheduler never
//     waits for a response; Concurrency bounds the requests in flight, and an
//     arrival that finds no free slot is counted in Report.Dropped instead
//     of being delayed silently.
//
// # Metrics (DESIGN.md "Metric definitions")
//
// Latency is what the request function measured (client wall time around
// its call; the time from the send to the return when it leaves it zero).
// TTFT and TPOT use vLLM's definitions (TTFT = first content chunk − send;
// TPOT = (E2E − TTFT) / (output tokens − 1)) and come from streamed
// requests only: their distributions count the samples that report them.
// Throughput is completed requests / wall time; goodput is requests that
// meet every SLO / wall time. Wall time runs from the start of the run to
// the return of the last request.
//
// Send lag is Sample.Sent − Sample.Start: how late the client fired a
// request relative to its intended time (the Poisson schedule in open
// loop, the moment a slot freed in a closed loop, the previous return in
// sequential mode). A load generator that falls behind its schedule hides
// the server's queueing (coordinated omission); the lag shows it.
//
// Percentiles use the nearest-rank method: the p-th percentile of n sorted
// values is the value at rank ⌈p/100 × n⌉ (1-based). Mean and Max are exact;
// past about 10^6 samples per metric the percentiles come from a uniform
// reservoir sample of each worker's values, which bounds the memory.

package load
