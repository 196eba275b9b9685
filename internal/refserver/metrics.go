package refserver

// GET /metrics, as vLLM's OpenAI server exports it in the Prometheus text
// format (docs/design/metrics.md; vllm/v1/metrics/loggers.py), in brief:
// the request histograms' _sum and _count with the labels engine and
// model_name, and a gauge. Only vllm:request_inference_time_seconds
// carries the emulation's figures: each successful generation adds its
// pacing (the time from the first token's start to the last token, the
// queue left out, as vLLM's RUNNING phase) before its answer is sent, so
// that a client that scrapes after the answer sees it. The other
// histograms stay at zero. With Config.LlamaCpp the route is a 404, as a
// llama-server started without --metrics.

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// finished adds g to the inference-time histogram.
func (s *Server) finished(g generation) {
	st := s.openAIState()
	st.mu.Lock()
	st.inference += g.total()
	st.finished++
	if st.buckets == nil {
		st.buckets = make([]int, len(latencyBuckets))
	}
	for i, le := range latencyBuckets {
		if g.total().Seconds() <= le {
			st.buckets[i]++
		}
	}
	st.mu.Unlock()
}

// InferenceTime is the sum and count of the emulated
// vllm:request_inference_time_seconds so far.
func (s *Server) InferenceTime() (time.Duration, int) {
	sum, n, _ := s.inferenceTime()
	return sum, n
}

func (s *Server) inferenceTime() (time.Duration, int, []int) {
	st := s.openAIState()
	st.mu.Lock()
	defer st.mu.Unlock()
	buckets := append([]int(nil), st.buckets...)
	if buckets == nil {
		buckets = make([]int, len(latencyBuckets))
	}
	return st.inference, st.finished, buckets
}

// latencyBuckets are upper bounds in seconds (vLLM's request_latency_buckets
// are longer; a few suffice here).
var latencyBuckets = []float64{0.3, 1, 5, 20, 60, 300}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.cfg.LlamaCpp {
		s.write(w, oaError(http.StatusNotFound, "not_found_error", "File Not Found"), Fault{})
		return
	}
	if r.Method != http.MethodGet {
		s.write(w, methodNotAllowed(http.MethodGet), Fault{})
		return
	}
	sum, n, buckets := s.inferenceTime()
	model := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s.cfg.Model)
	labels := fmt.Sprintf(`engine="0",model_name="%s"`, model)
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP vllm:num_requests_running Number of requests in model execution batches.\n# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{%s} 0.0\n", labels)
	hist := func(name, help string, sum float64, n int, buckets []int) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
		fmt.Fprintf(&b, "%s_sum{%s} %g\n", name, labels, sum)
		for i, le := range latencyBuckets {
			fmt.Fprintf(&b, "%s_bucket{%s,le=\"%g\"} %d\n", name, labels, le, buckets[i])
		}
		fmt.Fprintf(&b, "%s_bucket{%s,le=\"+Inf\"} %d\n%s_count{%s} %d\n", name, labels, n, name, labels, n)
	}
	hist("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", 0, 0, make([]int, len(latencyBuckets)))
	hist("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", 0, 0, make([]int, len(latencyBuckets)))
	hist("vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.", sum.Seconds(), n, buckets)
	s.write(w, response{status: http.StatusOK, contentType: "text/plain; version=0.0.4; charset=utf-8", body: []byte(b.String())}, Fault{})
}
