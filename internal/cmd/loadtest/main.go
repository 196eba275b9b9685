package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/lift-sys/lifttest/internal/load"
	"github.com/lift-sys/lifttest/internal/modal"
	"github.com/lift-sys/lifttest/internal/refserver"
	"github.com/lift-sys/lifttest/internal/schema"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Stderr, os.Args[1:])
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// The stage-1 request lifttest sends for a case (lifttest/harness.go).
const (
	suiteName       = "simple"
	caseName        = "add_numbers"
	stage1MaxTokens = 2048
	temperature     = 0.3
	topP            = 0.95
)

func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	// The progress goroutine and the children's stderr copiers share
	// stderr; an *os.File is safe for that (and keeps its terminal check).
	if _, ok := stderr.(*os.File); !ok {
		stderr = &lockedWriter{w: stderr}
	}
	fl := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fl.SetOutput(stderr)
	concurrency := fl.Int("concurrency", 64, "requests in flight, for lifttest and the tool alike")
	duration := fl.Duration("duration", 10*time.Second, "how long each of the two runs sends requests")
	tool := fl.String("tool", "auto", "load tool to compare with: wrk, hey, none, or auto (wrk, else hey)")
	endpoint := fl.String("endpoint", "", "generate `URL` of a running zero-delay reference endpoint (default: start one)")
	refBin := fl.String("refserver", "", "refserver `binary` to start (default: go build ./internal/cmd/refserver)")
	rate := fl.Float64("rate", 1000, "requests/s of the paced runs that compare latency below saturation (each connection waits concurrency/rate between requests)")
	pacedFor := fl.Duration("paced", 5*time.Second, "how long each of the two paced runs lasts")
	threads := fl.Int("threads", runtime.NumCPU(), "wrk threads")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of lifttest's run to `file`")
	floorRun := fl.Bool("floor", true, "also run a bare net/http client loop (the net/http floor) with the same settings")
	progressEvery := fl.Duration("progress", 2*time.Second, "progress interval on stderr (0: none)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	if *concurrency < 1 || *duration <= 0 || !(*rate > 0) || *pacedFor <= 0 {
		return errors.New("-concurrency, -duration, -rate and -paced must be positive")
	}
	// wrk's delay() is in whole milliseconds.
	pace := max(time.Millisecond, (time.Duration(float64(*concurrency) * float64(time.Second) / *rate)).Round(time.Millisecond))
	toolName, err := pickTool(*tool)
	if err != nil {
		return err
	}

	req, want, err := stage1Request()
	if err != nil {
		return err
	}
	url := *endpoint
	serverCPU := func() time.Duration { return -1 } // unknown for -endpoint
	if url == "" {
		srv, err := startRefserver(ctx, *refBin, stderr)
		if err != nil {
			return err
		}
		defer srv.stop()
		url = srv.url
		serverCPU = func() time.Duration { return procCPU(srv.cmd.Process.Pid) }
	}

	// 1. lifttest's path: modal.Client, with as many idle connections per
	// host as requests in flight (net/http keeps 2 by default, which would
	// close and reopen connections all run long).
	tr := newTransport(*concurrency)
	defer tr.CloseIdleConnections()
	cl := &modal.Client{GenerateURL: url, HTTP: &http.Client{Transport: tr}}
	f := func(ctx context.Context, _ int) load.Sample {
		resp, err := cl.Generate(ctx, req)
		if err == nil {
			err = verify(resp, want)
		}
		return load.Sample{OK: err == nil, Err: err}
	}
	// One request first, so that a wrong endpoint fails at once.
	if s := f(ctx, 0); !s.OK {
		return fmt.Errorf("first request to %s: %w", url, s.Err)
	}

	cfg := load.Config{Mode: load.Concurrent, Concurrency: *concurrency, Duration: *duration}
	if *progressEvery > 0 {
		cfg.Progress, cfg.ProgressEvery = stderr, *progressEvery
	}
	fmt.Fprintf(stdout, "lifttest: modal.Client through internal/load, %d in flight for %v, against %s\n", *concurrency, *duration, url)
	var stopProfile func() error
	if *cpuProfile != "" {
		if stopProfile, err = startCPUProfile(*cpuProfile); err != nil {
			return err
		}
	}
	client0, server0 := selfCPU(), serverCPU()
	rep, err := load.Run(ctx, cfg, f)
	clientCPU, srvCPU := selfCPU()-client0, delta(server0, serverCPU())
	if stopProfile != nil {
		if perr := stopProfile(); err == nil {
			err = perr
		}
	}
	if err != nil {
		return err
	}
	load.WriteTable(stdout, []load.Report{rep})
	fmt.Fprintf(stdout, "lifttest: %d requests, %d failed (every answer decoded and checked), %.0f req/s, latency p50 %s p90 %s p99 %s max %s ms\n",
		rep.Completed+rep.Failed, rep.Failed, rep.Throughput,
		ms(rep.Latency.P50), ms(rep.Latency.P90), ms(rep.Latency.P99), ms(rep.Latency.Max))
	fmt.Fprintf(stdout, "lifttest: CPU per request: client %s µs, server %s µs\n",
		perRequest(clientCPU, rep.Completed+rep.Failed), perRequest(srvCPU, rep.Completed+rep.Failed))
	if rep.FirstErr != nil {
		fmt.Fprintf(stdout, "lifttest: first failure: %v\n", rep.FirstErr)
	}
	body, err := json.Marshal(req) // the members modal.Client sends (it puts the schema last)
	if err != nil {
		return err
	}

	// 1b. The floor: a bare net/http loop, same Transport settings, body,
	// concurrency and duration, nothing of lifttest's.
	var floor floorResult
	if *floorRun {
		ftr := newTransport(*concurrency)
		server0 = serverCPU()
		floor = netHTTPFloor(ctx, ftr, url, body, *concurrency, *duration)
		ftr.CloseIdleConnections()
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "net/http floor: %d requests, %d errors, %.0f req/s, CPU per request: client %s µs, server %s µs\n",
			floor.Requests, floor.Errors, floor.RPS, perRequest(floor.CPU, floor.Requests), perRequest(delta(server0, serverCPU()), floor.Requests))
	}

	if toolName == "" {
		fmt.Fprintf(stdout, "loadtest: lifttest %.0f req/s (no load tool run)\n", rep.Throughput)
		return nil
	}
	// 2. The established tool, same endpoint, concurrency, duration, body.
	server0 = serverCPU()
	tres, err := runTool(ctx, toolName, toolArgs{url: url, body: body, concurrency: *concurrency, duration: *duration, threads: *threads}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s\n", toolName, tres.Command)
	fmt.Fprintf(stdout, "%s: %d requests, %d errors, %.0f req/s, latency p50 %s p90 %s p99 %s ms\n",
		toolName, tres.Requests, tres.Errors, tres.RPS, ms(tres.P50), ms(tres.P90), ms(tres.P99))
	fmt.Fprintf(stdout, "%s: CPU per request: client %s µs, server %s µs\n",
		toolName, perRequest(tres.CPU, tres.Requests), perRequest(delta(server0, serverCPU()), tres.Requests))
	if tres.Errors > 0 {
		fmt.Fprintf(stdout, "%s: warning: %d non-2xx or socket errors\n", toolName, tres.Errors)
	}

	// 3. Both again at the same paced rate, well below saturation, where
	// latency is the clients' and the server's own work rather than
	// queueing: the p99 difference is what lifttest's client adds.
	paced := func(ctx context.Context, i int) load.Sample {
		select {
		case <-ctx.Done():
			return load.Sample{Err: ctx.Err()}
		// Jittered by ±50 % so that the connections, all started at
		// once, do not stay in step and arrive as bursts of 64.
		case <-time.After(pace/2 + rand.N(pace)):
		}
		sent := time.Now()
		s := f(ctx, i)
		s.Sent, s.Latency = sent, time.Since(sent)
		return s
	}
	prep, err := load.Run(ctx, load.Config{Mode: load.Concurrent, Concurrency: *concurrency, Duration: *pacedFor}, paced)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "paced: %d connections each waiting %v between requests (%.0f req/s) for %v\n", *concurrency, pace, float64(*concurrency)/pace.Seconds(), *pacedFor)
	fmt.Fprintf(stdout, "paced lifttest: %d requests, %d failed, %.0f req/s, latency p50 %s p90 %s p99 %s ms\n",
		prep.Completed+prep.Failed, prep.Failed, prep.Throughput, ms(prep.Latency.P50), ms(prep.Latency.P90), ms(prep.Latency.P99))
	pres, err := runTool(ctx, toolName, toolArgs{url: url, body: body, concurrency: *concurrency, duration: *pacedFor, threads: *threads, pace: pace}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "paced %s: %d requests, %d errors, %.0f req/s, latency p50 %s p90 %s p99 %s ms\n",
		toolName, pres.Requests, pres.Errors, pres.RPS, ms(pres.P50), ms(pres.P90), ms(pres.P99))
	if prep.Failed > 0 || pres.Errors > 0 {
		return fmt.Errorf("the paced runs had failures (lifttest %d, %s %d): their latencies do not compare", prep.Failed, toolName, pres.Errors)
	}

	// 4. The verdict, and the anchor: what net/http alone costs and reaches.
	if *floorRun && tres.okRPS() > 0 {
		fmt.Fprintf(stdout, "net/http floor: %s µs/request, ratio %.2f (lifttest %s µs/request, %s %s µs/request)\n",
			perRequest(floor.CPU, floor.Requests), floor.RPS/tres.okRPS(),
			perRequest(clientCPU, rep.Completed+rep.Failed), toolName, perRequest(tres.CPU, tres.Requests))
	}
	fmt.Fprintln(stdout, summary(rep.Throughput, toolName, tres.okRPS(), prep.Latency.P99-pres.P99))
	return nil
}

// newTransport is the Transport of lifttest's run and of the floor's: as
// many idle connections per host as requests in flight (net/http keeps 2
// by default, which would close and reopen connections all run long).
func newTransport(concurrency int) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(tr.MaxIdleConns, concurrency)
	tr.MaxIdleConnsPerHost = concurrency
	// A stage-1 request is ~4 KiB (the IR schema): with the default 4 KiB
	// write buffer net/http sends each in two write calls.
	tr.WriteBufferSize = 16 << 10
	// No more connections than requests in flight; no "Accept-Encoding:
	// gzip" to add and check for (the reference endpoint never compresses,
	// and wrk asks for no compression either); HTTP/1.1 only, as wrk.
	tr.MaxConnsPerHost = concurrency
	tr.DisableCompression = true
	tr.ForceAttemptHTTP2 = false
	return tr
}

// summary is the last line of a run: throughputs at saturation, and the
// p99 latency lifttest adds over the tool at the same paced rate.
func summary(rps float64, tool string, toolRPS float64, added time.Duration) string {
	ratio := 0.0
	if toolRPS > 0 {
		ratio = rps / toolRPS
	}
	return fmt.Sprintf("loadtest: lifttest %.0f req/s, %s %.0f req/s, ratio %.2f, p99 added %s ms", rps, tool, toolRPS, ratio, ms(added))
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// delta is b - a, or -1 when either is unknown.
func delta(a, b time.Duration) time.Duration {
	if a < 0 || b < 0 {
		return -1
	}
	return b - a
}

// stage1Request is lifttest's stage-1 request for simple/add_numbers, and
// the IR the reference endpoint answers it with (compact, as sent).
func stage1Request() (provider.Request, []byte, error) {
	scripts, err := refserver.BundledSuite(suiteName)
	if err != nil {
		return provider.Request{}, nil, err
	}
	for _, sc := range scripts {
		if sc.Case != caseName {
			continue
		}
		var want bytes.Buffer
		if err := json.Compact(&want, sc.Stage1.Body); err != nil {
			return provider.Request{}, nil, fmt.Errorf("script %s/%s: %w", suiteName, caseName, err)
		}
		return provider.Request{
			Prompt: sc.Prompt, Schema: schema.IR().JSON(),
			MaxTokens: stage1MaxTokens, Temperature: temperature, TopP: topP,
		}, want.Bytes(), nil
	}
	return provider.Request{}, nil, fmt.Errorf("no bundled script %s/%s", suiteName, caseName)
}

// verify checks a decoded answer against the scripted one, byte for byte.
func verify(resp provider.Response, want []byte) error {
	switch {
	case resp.Key != refserver.KeyIRJSON || resp.FinishReason != refserver.FinishStop:
		return fmt.Errorf("answer: key %q finish_reason %q, want ir_json and stop", resp.Key, resp.FinishReason)
	case !bytes.Equal(resp.Output, want):
		return fmt.Errorf("answer: ir_json differs from the scripted IR: %.200s", resp.Output)
	}
	return nil
}

func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// ms formats d in milliseconds with 2 decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}
