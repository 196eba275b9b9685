package lifttest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/lift-sys/lifttest/internal/cassette"
	"github.com/lift-sys/lifttest/internal/modal"
	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/provider"
	"github.com/lift-sys/lifttest/internal/schema"
)

// Endpoint describes the deployment a run talks (or talked) to.
type Endpoint struct {
	Host    string // the endpoint URL's host; in replay, the recording's
	Model   string
	GPU     string
	Backend string
	// Version is the server's version, where its health answer says.
	Version string
	// Warmup is how long the warmup call took: the cold start when the
	// model was not loaded. Zero when there was none.
	Warmup time.Duration
	// Server is what an OpenAI-compatible server said it is ("vllm
	// 0.11.0"), Structured the field the run sends, Canary how the canary
	// went ("passed"; "not recorded" in a replay). Empty for Modal.
	Server, Structured, Canary string
}

// Prepare checks the endpoint before the first case. Live and record call
// health, failing fast with the URL and status, then (Modal) warmup, which
// waits out a cold start; record saves both answers in
// <CassetteDir>/endpoint.yaml, and replay reads them back from it (without
// it the fields are "unknown": the case cassettes suffice).
func (r *Runner) Prepare(ctx context.Context) (Endpoint, error) {
	path := filepath.Join(r.opts.CassetteDir, "endpoint.yaml")
	sess, err := cassette.Open(cassette.Options{Path: path, Mode: r.opts.Mode.cassette(), Real: r.real, Rerecord: r.opts.rerecord(""), Scrub: r.scrub})
	if err != nil {
		if r.opts.Mode == ModeReplay {
			r.info = Endpoint{Host: "unknown", Model: "unknown", GPU: "unknown", Backend: "unknown"}
			return r.info, nil
		}
		return Endpoint{}, r.scrub.Error(err)
	}
	var info Endpoint
	if r.opts.Provider == ProviderOpenAI {
		info, err = r.prepareOpenAI(ctx, r.openaiClient(sess.Client()))
	} else {
		info, err = r.prepareModal(ctx, r.modalClient(sess.Client()))
	}
	if r.opts.Mode == ModeReplay {
		// The request carried only a placeholder host: report the recording's.
		info.Host = cmp.Or(cassette.Host(path), "unknown")
	}
	if ferr := sess.Finish(err == nil); err == nil {
		err = ferr
	}
	r.info = info
	if err == nil && r.opts.Mode == ModeRecord {
		// The sidecar says what the cassettes were recorded against.
		err = cassette.WriteMeta(r.opts.CassetteDir, cassette.Meta{
			Recorded: time.Now().UTC(), Endpoint: info.Host, Model: info.Model, GPU: info.GPU, Backend: info.Backend,
			ServerVersion: info.Version, IRSchema: cassette.SchemaHash(schema.IR().JSON()), CodeSchema: cassette.SchemaHash(schema.Code().JSON()),
		})
	}
	return info, r.scrub.Error(err)
}

func (r *Runner) prepareModal(ctx context.Context, cl *modal.Client) (Endpoint, error) {
	var info Endpoint
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	health, err := cl.Health(hctx)
	if err != nil {
		return info, fmt.Errorf("lifttest: health check failed, so the run stops before its first case: %w", err)
	}
	info.Model, info.GPU, info.Backend, info.Version = health.Model, health.GPU, health.Backend, health.Version

	wctx, tm := cassette.WithTiming(ctx)
	cl.Timeout = r.opts.ColdTimeout
	start := time.Now()
	if _, err := cl.Warmup(wctx); err != nil {
		if se, ok := errors.AsType[*provider.StatusError](err); ok && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
			return info, fmt.Errorf("lifttest: warmup failed: the endpoint refused the credentials (HTTP %d), so the run stops before its first case: set MODAL_KEY and MODAL_SECRET to the workspace's proxy token: %w", se.Status, err)
		}
		return info, fmt.Errorf("lifttest: warmup failed: %w", err)
	}
	info.Warmup = time.Since(start)
	if tm.Replayed {
		info.Warmup = tm.Recorded
	}
	r.warm.Store(true)
	info.Host = hostOf(r.opts.Endpoint)
	return info, nil
}

// prepareOpenAI checks that the server is up and serves the model (vLLM's
// OpenAI server has no warmup route: it answers once the model is
// loaded), finds which structured-output parameter it honours when
// -structured is auto, and sends the canary (openai.Client.Canary): a
// server that ignores the parameter, or refuses the credentials, stops the
// run here, once, with what to do. All of it goes through the endpoint
// cassette, so a replay checks the recording offline.
func (r *Runner) prepareOpenAI(ctx context.Context, cl *openai.Client) (Endpoint, error) {
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cl.Health(hctx); err != nil {
		if se, ok := errors.AsType[*provider.StatusError](err); ok && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
			// Servers that guard their model list too (llama.cpp with
			// --api-key, at 3f545becc) refuse the key here already.
			return Endpoint{}, fmt.Errorf("lifttest: health check failed: the server refused the credentials (HTTP %d), so the run stops before its first case: set OPENAI_API_KEY (or VLLM_API_KEY) to the server's key: %w", se.Status, err)
		}
		return Endpoint{}, fmt.Errorf("lifttest: health check failed, so the run stops before its first case: %w", err)
	}
	info := Endpoint{Host: hostOf(r.opts.Endpoint), Model: cl.Model, GPU: "unknown", Backend: "openai-compatible"}
	srv, err := cl.Detect(hctx)
	if err != nil {
		return info, fmt.Errorf("lifttest: detecting the server failed, so the run stops before its first case: %w", err)
	}
	info.Server = srv.String()
	if srv.Via != "" {
		info.Server += " (" + srv.Via + ")"
	}
	if _, err := openai.ParseStructured(r.opts.Structured); err != nil { // auto
		st := srv.Structured(cl.API)
		cl.Structured = st
		r.structured.Store(&st)
	}
	info.Structured = cl.Structured.String()
	cctx, ccancel := context.WithTimeout(ctx, r.opts.ColdTimeout)
	defer ccancel()
	cl.Timeout = r.opts.ColdTimeout
	_, err = cl.Canary(cctx, "OPENAI_API_KEY (or VLLM_API_KEY)")
	switch {
	case err == nil:
		info.Canary = "passed"
	case r.opts.Mode == ModeReplay && errors.Is(err, cassette.ErrMismatch):
		info.Canary = "not recorded"
	default:
		return info, fmt.Errorf("lifttest: the canary failed, so the run stops before its first case (server: %s; -structured %s, -api %s): %w",
			cmp.Or(info.Server, "not detected"), cmp.Or(r.opts.Structured, "auto"), cl.API, err)
	}
	r.warm.Store(true)
	return info, nil
}

// hostOf is the URL's host alone: never its credentials, path or query.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "unknown"
	}
	return u.Host
}
