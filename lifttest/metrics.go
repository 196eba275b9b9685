package lifttest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/provider"
)

// Server time from vLLM's Prometheus /metrics (Options.ServerMetrics): the
// inference-time histogram is scraped before and after each generate
// call, and the growth of its sum is the call's server time when the
// server did not send one itself (see internal/openai/metrics.go for the
// metric and why). The scrapes go through the case's cassette session, so
// a recording keeps them (two or more GET /metrics per call, replayed in
// order: go-vcr hands out each recorded interaction once) and a replay
// with ServerMetrics gets the same figures offline; a replay without it
// leaves them unused.

// metricsRetries is how many more times the after-scrape is taken, metricsWait
// apart, while the histogram has not yet counted the call: vLLM logs a
// finished request's stats in its output loop, which may run just after
// the answer is sent.
const (
	metricsRetries = 3
	metricsWait    = 25 * time.Millisecond
)

// meter is one call's before-scrape; the zero meter does nothing.
type meter struct {
	r      *Runner
	cl     *openai.Client
	before openai.Histogram
}

// serverMetrics says whether the run scrapes, and if not why (for the
// configuration line): the delta is one call's only with one request in
// flight, so a live or record run with Concurrency above 1 reports no
// server time from it rather than a mix of requests (a replay reads the
// recorded deltas).
func (r *Runner) serverMetrics() (bool, string) {
	switch {
	case !r.opts.ServerMetrics:
		return false, ""
	case r.opts.Provider != ProviderOpenAI:
		return false, "off (openai only)"
	case r.opts.Concurrency > 1 && r.opts.Mode != ModeReplay:
		return false, fmt.Sprintf("unavailable: -concurrency %d mixes requests in one delta", r.opts.Concurrency)
	}
	return true, openai.InferenceTimeMetric
}

func (r *Runner) meter(ctx context.Context, g provider.Generator) meter {
	on, _ := r.serverMetrics()
	cl, ok := g.(*openai.Client)
	if !on || !ok {
		return meter{}
	}
	h, err := cl.Scrape(ctx)
	if err != nil || h.Series == 0 {
		return meter{} // no metric: no server time, the call goes on
	}
	return meter{r: r, cl: cl, before: h}
}

// fill scrapes again after the call and sets its server time from the
// delta, unless the server sent its own or the delta is not one request's.
func (m meter) fill(ctx context.Context, resp *provider.Response, err error) {
	if m.cl == nil {
		return
	}
	target := &resp.ServerTime
	if err != nil {
		ae, ok := errors.AsType[*provider.AnswerError](err)
		if !ok {
			return // no generation, or not a finished one
		}
		target = &ae.ServerTime
	}
	if *target > 0 {
		return
	}
	for try := 0; try <= metricsRetries; try++ {
		if try > 0 && m.r.opts.Mode != ModeReplay {
			select {
			case <-ctx.Done():
				return
			case <-time.After(metricsWait):
			}
		}
		after, err := m.cl.Scrape(ctx)
		if err != nil {
			return
		}
		if after.Count > m.before.Count {
			if d, ok := openai.Delta(m.before, after); ok {
				*target = d
			}
			return
		}
	}
}
