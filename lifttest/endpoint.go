package lifttest

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/modal"
	"github.com/lift-sys/lifttest/internal/openai"
)

// EndpointInfo describes the deployment a run talks (or talked) to.
type EndpointInfo struct {
	Host    string // the generate URL's host; in replay, the recording's
	Model   string
	GPU     string
	Backend string
	// Warmup is how long the warmup call took: the cold start when the
	// model was not loaded. Zero when warmup was not called.
	Warmup time.Duration
}

// Prepare checks the endpoint before a run. Live and record call health
// (failing fast with the URL and status) and then warmup, which waits out a
// cold start; record also saves both answers in cassettes/endpoint.yaml.
// Replay reads them back from that cassette; without it the fields are
// "unknown" and no error is returned, since the case cassettes suffice.
func (h *Harness) Prepare(ctx context.Context) (EndpointInfo, error) {
	path := filepath.Join(h.opts.CassetteDir, "endpoint.yaml")
	sess, err := cassette.Open(cassette.Options{Path: path, Mode: h.opts.Mode.cassette(), Real: h.real, Rerecord: "make record ENDPOINT=<generate-url>"})
	if err != nil {
		if h.opts.Mode == ModeReplay {
			h.info = EndpointInfo{Host: "unknown", Model: "unknown", GPU: "unknown", Backend: "unknown"}
			return h.info, nil
		}
		return EndpointInfo{}, err
	}
	var info EndpointInfo
	if h.opts.Provider == ProviderOpenAI {
		info, err = h.prepareOpenAI(ctx, h.openaiClient(sess.Client()))
	} else {
		info, err = h.prepare(ctx, h.client(sess.Client()))
	}
	if h.opts.Mode == ModeReplay {
		// The request carried only a placeholder host: report the recording's.
		info.Host = cmp.Or(cassette.Host(path), "unknown")
	}
	if ferr := sess.Finish(err == nil); err == nil {
		err = ferr
	}
	h.info = info
	return info, err
}

func (h *Harness) prepare(ctx context.Context, cl *modal.Client) (EndpointInfo, error) {
	var info EndpointInfo
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	health, err := cl.Health(hctx)
	if err != nil {
		return info, fmt.Errorf("lifttest: health check failed, so the run stops before its first case: %w", err)
	}
	info.Model, info.GPU, info.Backend = health.Model, health.GPU, health.Backend

	wctx, tm := cassette.WithTiming(ctx)
	cl.Timeout = h.opts.WarmupTimeout
	start := time.Now()
	if _, err := cl.Warmup(wctx); err != nil {
		return info, fmt.Errorf("lifttest: warmup failed: %w", err)
	}
	info.Warmup = time.Since(start)
	if tm.Replayed {
		info.Warmup = tm.Recorded
	}
	h.warm.Store(true)
	info.Host = hostOf(h.opts.Endpoint)
	return info, nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "unknown"
	}
	return u.Host
}

// prepareOpenAI checks that the server is up and serves the model. vLLM's
// OpenAI server has no warmup route: it answers once the model is loaded.
func (h *Harness) prepareOpenAI(ctx context.Context, cl *openai.Client) (EndpointInfo, error) {
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cl.Health(hctx); err != nil {
		return EndpointInfo{}, fmt.Errorf("lifttest: health check failed, so the run stops before its first case: %w", err)
	}
	h.warm.Store(true)
	return EndpointInfo{Host: hostOf(h.opts.Endpoint), Model: cl.Model, GPU: "unknown", Backend: "vllm-openai"}, nil
}
