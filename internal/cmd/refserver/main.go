// Command refserver serves the reference endpoint of package refserver: the
// Modal contract of lift-sys (POST /generate, GET /health, GET /warmup)
// answered from scripts, with each answer's scripted latency.
//
// `make record-reference` runs it at -timescale 1 and records the bundled
// cassettes against it, so that replaying them reproduces the 2025-10-22
// baseline. It prints one line on stdout once it listens:
//
//	refserver: listening on http://127.0.0.1:8787/generate (5 scripts, timescale 1)
//
// and stops gracefully on SIGINT or SIGTERM: answers in progress get -grace
// to finish, then are cut off.
//
// Usage:
//
//	refserver [-addr 127.0.0.1:8787] [-timescale 1] [-model M] [-gpu G]
//	          [-cold-start 0s] [-suite simple | -scripts DIR] [-grace 15s]
//
// -suite picks one suite of the bundled scripts (simple, phase2, nontrivial,
// expanded); suites share prompts, so one is served at a time. -scripts
// serves a directory of scripts instead.
//
// The default address is loopback. Any address is accepted, but the server
// has no authentication (it ignores Modal-Key and Modal-Secret), so bind it
// elsewhere only on a network you trust. An -addr with port 0 picks a free
// port; the line above names the one chosen.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/lift-sys/lifttest/internal/refserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Stderr, os.Args[1:])
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	fl := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:8787", "listen `address` (loopback by default; the server has no authentication)")
	timeScale := fl.Float64("timescale", 1, "multiplier of the scripted delays: 0 answers at once, 1 in real time")
	model := fl.String("model", refserver.DefaultModel, "model name reported by /health and /warmup")
	gpu := fl.String("gpu", refserver.DefaultGPU, "GPU name reported by /health")
	coldStart := fl.Duration("cold-start", 0, "cold start paid once by the first generate or warmup request (not scaled)")
	suite := fl.String("suite", "simple", "the bundled `suite` to serve (simple, phase2, nontrivial, expanded)")
	scriptsDir := fl.String("scripts", "", "`dir`ectory of *.json scripts to serve instead of a bundled suite")
	grace := fl.Duration("grace", 15*time.Second, "how long answers in progress may finish on shutdown")
	err := fl.Parse(args)
	if err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	fl.Visit(func(f *flag.Flag) {
		if f.Name == "suite" && *scriptsDir != "" {
			err = errors.New("-suite and -scripts exclude each other")
		}
	})
	if err != nil {
		return err
	}

	var scripts []refserver.Script
	if *scriptsDir == "" {
		scripts, err = refserver.BundledSuite(*suite)
	} else {
		scripts, err = refserver.LoadScripts(os.DirFS(*scriptsDir), ".")
	}
	if err != nil {
		return err
	}
	h, err := refserver.New(refserver.Config{
		Scripts: scripts, TimeScale: *timeScale, Model: *model, GPU: *gpu, ColdStart: *coldStart,
	})
	if err != nil {
		return err
	}

	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "refserver: listening on http://%s/generate (%d scripts, timescale %s)\n",
		ln.Addr(), len(scripts), strconv.FormatFloat(*timeScale, 'g', -1, 64))

	select {
	case err := <-served:
		return err // Serve failed on its own
	case <-ctx.Done():
	}
	// Shutdown lets answers in progress finish; past the grace period they
	// are aborted (h.Close ends their delays) and the connections closed.
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "refserver: answers still in progress after %v: aborting them\n", *grace)
		h.Close()
		err = srv.Close()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
