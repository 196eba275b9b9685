package openai

// Server time from vLLM's Prometheus endpoint, for servers that do not
// send their timings in the answer (llama.cpp does: see timingsBody).
//
// vLLM serves its metrics in the Prometheus text format at /metrics
// beside /v1. The request-level histograms of its V1 engine are listed in
// https://docs.vllm.ai/en/stable/design/metrics/ (docs/design/metrics.md)
// and defined in vllm/v1/metrics/loggers.py (PrometheusStatLogger), with
// the labels model_name and engine:
//
//	vllm:e2e_request_latency_seconds     arrival to the last token, queue included
//	vllm:request_queue_time_seconds      WAITING: queued, not scheduled
//	vllm:request_inference_time_seconds  RUNNING: prefill + decode
//	vllm:request_prefill_time_seconds    RUNNING until the first token
//	vllm:request_decode_time_seconds     the first token to the last
//	vllm:time_per_output_token_seconds   per output token, not per request
//
// The server time taken here is the inference time: prefill plus decode,
// without the queue, the closest to llama.cpp's prompt_ms + predicted_ms
// and to the Modal app's generation_time_ms. A histogram's _sum only
// grows, so the sum after a call minus the sum before is the time of the
// requests that finished in between; _count says how many did. The delta
// is a call's own time only when exactly one request of the model
// finished in between: with other requests in flight (this run's
// -concurrency above 1, or another client) it mixes them, so Delta
// reports it only when the count grew by exactly one.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"
)

// InferenceTimeMetric is the histogram whose sum is the server time.
const InferenceTimeMetric = "vllm:request_inference_time_seconds"

// MaxMetricsBody caps a /metrics answer: vLLM's is tens of KiB.
const MaxMetricsBody = 4 << 20

// Histogram is a histogram's _sum and _count over the series of one model
// (all engines), as one scrape saw them.
type Histogram struct {
	Sum, Count float64
	// Series is how many series matched the model; 0 means the server
	// does not export the histogram for it (yet: vLLM creates the series
	// with the engine, so 0 is a server without the metric or another model).
	Series int
}

// Delta is the server time of the one request that finished between
// before and after: ok is false unless exactly one did (none: the server
// had not yet logged it; more: requests were mixed).
func Delta(before, after Histogram) (time.Duration, bool) {
	if before.Series == 0 || after.Series == 0 || after.Count-before.Count != 1 {
		return 0, false
	}
	d := after.Sum - before.Sum
	if d < 0 || math.IsNaN(d) || math.IsInf(d, 0) {
		return 0, false
	}
	// vLLM's timings are float seconds: a microsecond is their resolution
	// here, and rounding keeps the float subtraction's noise out.
	return time.Duration(math.Round(d*1e6)) * time.Microsecond, true
}

// MetricsURL is the server's Prometheus endpoint: /metrics at the root,
// the BaseURL without its /v1.
func (c *Client) MetricsURL() string {
	root := strings.TrimSuffix(c.BaseURL, "/")
	root = strings.TrimSuffix(root, "/v1")
	return root + "/metrics"
}

// Scrape reads InferenceTimeMetric for c.Model from the server's /metrics,
// through c.HTTP like every call (so that a recording keeps it). Errors
// name the URL; a server without the metric is Series 0, not an error.
func (c *Client) Scrape(ctx context.Context) (Histogram, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	url := c.MetricsURL()
	req, err := c.newRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Histogram{}, err
	}
	req.Header.Set("Accept", "text/plain") // the text format, not OpenMetrics
	resp, err := c.client().Do(req)
	if err != nil {
		return Histogram{}, c.transportError(ctx, http.MethodGet, url, err)
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp, MaxMetricsBody)
	if err != nil {
		return Histogram{}, fmt.Errorf("%w: GET %s: %v", provider.ErrMalformed, url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Histogram{}, &provider.StatusError{URL: url, Status: resp.StatusCode, Body: string(provider.Truncate(raw, 500))}
	}
	h, err := ParseHistogram(bytes.NewReader(raw), InferenceTimeMetric, c.Model)
	if err != nil {
		return Histogram{}, fmt.Errorf("%w: GET %s: %v", provider.ErrMalformed, url, err)
	}
	return h, nil
}

// ParseHistogram reads the Prometheus text exposition format and adds up
// the _sum and _count samples of histogram name whose model_name label is
// model. Comments, other metrics and timestamps are skipped; a sample line
// it cannot read is an error naming its line.
func ParseHistogram(r io.Reader, name, model string) (Histogram, error) {
	var h Histogram
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return Histogram{}, fmt.Errorf("line %d: %v: %.120q", n, err, line)
		}
		suffix, ok := strings.CutPrefix(s.name, name)
		if !ok || (suffix != "_sum" && suffix != "_count") || s.labels["model_name"] != model {
			continue
		}
		if suffix == "_sum" {
			h.Sum += s.value
			h.Series++
		} else {
			h.Count += s.value
		}
	}
	return h, sc.Err()
}

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseSample reads `name{label="value",...} value [timestamp]`.
func parseSample(line string) (sample, error) {
	var s sample
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return s, errors.New("no value")
	}
	s.name, line = line[:i], line[i:]
	if line[0] == '{' {
		var err error
		if s.labels, line, err = parseLabels(line[1:]); err != nil {
			return s, err
		}
	}
	f := strings.Fields(line)
	if len(f) < 1 || len(f) > 2 {
		return s, errors.New("want a value and at most a timestamp")
	}
	v, err := strconv.ParseFloat(f[0], 64) // NaN, +Inf and -Inf included
	if err != nil {
		return s, fmt.Errorf("value: %v", err)
	}
	s.value = v
	return s, nil
}

// parseLabels reads the labels after '{' up to '}', and returns the rest.
func parseLabels(in string) (map[string]string, string, error) {
	labels := map[string]string{}
	for {
		in = strings.TrimLeft(in, " \t")
		if strings.HasPrefix(in, "}") {
			return labels, in[1:], nil
		}
		eq := strings.IndexByte(in, '=')
		if eq <= 0 || len(in) < eq+2 || in[eq+1] != '"' {
			return nil, "", errors.New(`want label="value"`)
		}
		key := strings.TrimSpace(in[:eq])
		in = in[eq+2:]
		var val strings.Builder
		closed := false
		for j := 0; j < len(in); j++ {
			switch ch := in[j]; {
			case ch == '\\' && j+1 < len(in):
				j++
				switch in[j] {
				case 'n':
					val.WriteByte('\n')
				default: // \\ and \"
					val.WriteByte(in[j])
				}
			case ch == '"':
				in, closed = in[j+1:], true
			default:
				val.WriteByte(ch)
			}
			if closed {
				break
			}
		}
		if !closed {
			return nil, "", errors.New("unterminated label value")
		}
		labels[key] = val.String()
		in = strings.TrimLeft(in, " \t")
		if strings.HasPrefix(in, ",") {
			in = in[1:]
		}
	}
}
