package lifttest

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/refserver"
)

// paced gives every answer a known inference time: 2 ms, then 1 ms a
// token, which refserver's /metrics adds up as vLLM's RUNNING time.
var paced = refserver.Config{FirstTokenDelay: 2 * time.Millisecond, TokenInterval: time.Millisecond}

func scrapes(srv *refserver.Server) int {
	n := 0
	for _, q := range srv.Requests() {
		if q.Path == "/metrics" {
			n++
		}
	}
	return n
}

func TestServerMetricsGiveTheEmulatedInferenceTime(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "whole", true: "stream"}[stream], func(t *testing.T) {
			r, srv := openaiRunner(t, ModeLive, paced, Options{ServerMetrics: true, Stream: stream})
			_, err := r.Prepare(context.Background())
			require.NoError(t, err)
			before, _ := srv.InferenceTime()
			res, err := r.Run(context.Background(), "simple", addNumbers, 0)
			require.NoError(t, err)
			require.True(t, res.Success, "%v", res.Error)
			after, n := srv.InferenceTime()

			assert.Positive(t, res.Stage1.Server)
			assert.Positive(t, res.Stage2.Server)
			assert.Equal(t, after-before, res.Stage1.Server+res.Stage2.Server, "the emulated inference time, call by call")
			assert.Equal(t, 2*res.Stage1.Calls+2*res.Stage2.Calls, scrapes(srv), "one scrape before and one after each call")
			assert.Equal(t, 3, n, "the canary and the two calls")

			var m metrics
			m.add(res)
			assert.Equal(t, after-before, m.server, "server-ns/op")
		})
	}
}

func TestServerMetricsRecordAndReplay(t *testing.T) {
	dir := t.TempDir()
	r, srv := openaiRunner(t, ModeRecord, paced, Options{ServerMetrics: true, CassetteDir: dir})
	rec, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rec.Success, "%v", rec.Error)
	require.Positive(t, rec.Stage1.Server)
	data, err := os.ReadFile(filepath.Join(dir, "simple", "add_numbers.yaml"))
	require.NoError(t, err)
	assert.Equal(t, 4, strings.Count(string(data), "/metrics\n"), "the scrapes are in the case's cassette")
	count := srv.Count()

	replay := func(metered bool) (Options, *Runner) {
		o := Options{Mode: ModeReplay, Provider: ProviderOpenAI, Model: refserver.DefaultModel, ServerMetrics: metered,
			CassetteDir: dir, Validator: stubValidator{}, Transport: failTransport{t}}
		rr, err := NewRunner(o)
		require.NoError(t, err)
		return o, rr
	}
	_, rr := replay(true)
	rep, err := rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rep.Success, "%v", rep.Error)
	assert.Equal(t, rec.Stage1.Server, rep.Stage1.Server, "offline, the same server time")
	assert.Equal(t, rec.Stage2.Server, rep.Stage2.Server)
	assert.Equal(t, count, srv.Count(), "replay stays offline")

	// Off, the same cassette replays; the scrapes are left unused.
	_, rr = replay(false)
	rep, err = rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rep.Success, "%v", rep.Error)
	assert.Zero(t, rep.Stage1.Server+rep.Stage2.Server)
}

func TestServerMetricsOffByDefault(t *testing.T) {
	dir := t.TempDir()
	r, srv := openaiRunner(t, ModeRecord, paced, Options{CassetteDir: dir})
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	assert.Zero(t, scrapes(srv), "no /metrics request")
	assert.Zero(t, res.Stage1.Server+res.Stage2.Server)
	data, err := os.ReadFile(filepath.Join(dir, "simple", "add_numbers.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), "/metrics")
	on, line := r.serverMetrics()
	assert.False(t, on)
	assert.Empty(t, line, "no configuration line")

	// A replay that asks for them from a cassette without them has no
	// server time, and no error.
	rr, err := NewRunner(Options{Mode: ModeReplay, Provider: ProviderOpenAI, Model: refserver.DefaultModel, ServerMetrics: true,
		CassetteDir: dir, Validator: stubValidator{}, Transport: failTransport{t}})
	require.NoError(t, err)
	rep, err := rr.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, rep.Success, "%v", rep.Error)
	assert.Zero(t, rep.Stage1.Server+rep.Stage2.Server)
}

// With more than one request in flight the delta mixes requests: the run
// reports no server time from /metrics (and says why) rather than a mix.
func TestServerMetricsUnavailableWithConcurrency(t *testing.T) {
	r, srv := openaiRunner(t, ModeLive, paced, Options{ServerMetrics: true, Concurrency: 2})
	on, line := r.serverMetrics()
	assert.False(t, on)
	assert.Equal(t, "unavailable: -concurrency 2 mixes requests in one delta", line)
	res, err := r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	assert.Zero(t, scrapes(srv))
	assert.Zero(t, res.Stage1.Server+res.Stage2.Server)

	// Concurrency 1, but another client's request finishes during stage
	// 1: the count grows by two, and that call gets no server time.
	scripts, err := refserver.BundledSuite("simple")
	require.NoError(t, err)
	cfg := paced
	cfg.Scripts = scripts
	srv, url := refserver.Start(t, cfg)
	other := &openai.Client{BaseURL: strings.TrimSuffix(url, "/generate") + "/v1", Model: refserver.DefaultModel, Timeout: 10 * time.Second}
	o := Options{Mode: ModeLive, Provider: ProviderOpenAI, Model: refserver.DefaultModel, Endpoint: other.BaseURL,
		ServerMetrics: true, CassetteDir: t.TempDir(), Validator: stubValidator{}}
	bounded(&o)
	o.Transport = &interloper{base: http.DefaultTransport, other: other}
	r, err = NewRunner(o)
	require.NoError(t, err)
	defer r.Close()
	res, err = r.Run(context.Background(), "simple", addNumbers, 0)
	require.NoError(t, err)
	require.True(t, res.Success, "%v", res.Error)
	assert.Zero(t, res.Stage1.Server, "two requests in one delta: none")
	assert.Positive(t, res.Stage2.Server, "the next call is alone again")
	_, n := srv.InferenceTime()
	assert.Equal(t, 3, n)
}

// interloper sends another client's request right after the first
// generation request it carries, before that call's answer is read.
type interloper struct {
	base  http.RoundTripper
	other *openai.Client
	done  bool
}

func (i *interloper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := i.base.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && !i.done {
		i.done = true
		if _, cerr := i.other.Canary(r.Context(), ""); cerr != nil {
			return nil, cerr
		}
	}
	return resp, err
}

func TestServerMetricsConfigLine(t *testing.T) {
	r, _ := openaiRunner(t, ModeLive, paced, Options{ServerMetrics: true})
	on, line := r.serverMetrics()
	assert.True(t, on)
	assert.Equal(t, openai.InferenceTimeMetric, line)
}

func TestServerMetricsFlag(t *testing.T) {
	t.Setenv("LIFTTEST_SERVER_METRICS", "")
	o := RegisterFlags(flag.NewFlagSet("t", flag.ContinueOnError))
	assert.False(t, o.ServerMetrics, "off by default")

	t.Setenv("LIFTTEST_SERVER_METRICS", "1")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	o = RegisterFlags(fs)
	assert.True(t, o.ServerMetrics, "the environment's default")
	require.NoError(t, fs.Parse([]string{"-server-metrics=false"}))
	assert.False(t, o.ServerMetrics, "the flag wins")
	assert.Contains(t, fs.Lookup("server-metrics").Usage, "[LIFTTEST_SERVER_METRICS]")
}
