package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is how requests are issued.
type Mode int

const (
	// Sequential sends one request at a time (the original harness).
	Sequential Mode = iota
	// Concurrent keeps exactly Config.Concurrency requests in flight.
	Concurrent
	// OpenLoop sends requests at Poisson arrivals of Config.Rate per second.
	OpenLoop
)

func (m Mode) String() string {
	switch m {
	case Sequential:
		return "sequential"
	case Concurrent:
		return "concurrent"
	case OpenLoop:
		return "open-loop"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// DefaultMaxInFlight bounds the requests in flight of an open-loop run
// whose Config.Concurrency is 0.
const DefaultMaxInFlight = 1024

// DefaultProgressEvery is the progress interval when Config.ProgressEvery
// is 0.
const DefaultProgressEvery = time.Second

// Config describes a run. Requests or Duration (or both: whichever ends
// first) must be set.
type Config struct {
	Mode Mode
	// Concurrency is the number of requests in flight in Concurrent mode,
	// and the in-flight bound of OpenLoop (0: DefaultMaxInFlight).
	Concurrency int
	// Rate is the mean arrival rate of OpenLoop, in requests per second.
	Rate float64
	// Requests is the total to send; 0 sends until Duration has passed.
	Requests int
	// Duration stops sending new requests once it has passed since the
	// start (requests in flight finish); 0 means no time limit.
	Duration time.Duration
	// Seed makes the open-loop schedule reproducible.
	Seed uint64
	// SLO is what goodput counts against.
	SLO SLO
	// Progress receives a progress line at most once per ProgressEvery
	// (nil: none). On a terminal the line is rewritten with \r.
	Progress      io.Writer
	ProgressEvery time.Duration
}

// SLO holds service-level objectives; a zero field is not checked.
type SLO struct {
	TTFT, TPOT, E2E time.Duration
}

// Sample is the outcome of one request.
type Sample struct {
	// Start is when the request was meant to be sent, Sent when it was.
	// Run fills both; a Func that knows better (the moment the request
	// went out) may set Sent itself.
	Start, Sent time.Time
	// Latency is the client wall time of the request (E2E); when the Func
	// leaves it zero, Run takes the time from Sent to the Func's return.
	Latency time.Duration
	// TTFT and TPOT are set by streamed requests; zero means not measured.
	TTFT, TPOT time.Duration
	// OK says the answer was received and verified.
	OK  bool
	Err error
}

// Func does request i and reports it. It must honour ctx.
type Func func(ctx context.Context, i int) Sample

// Report is the outcome of a run.
type Report struct {
	Mode        Mode
	Concurrency int     // as configured (in-flight bound for OpenLoop)
	Rate        float64 // OpenLoop's configured rate
	// Completed and Failed count the requests that returned with OK true
	// and false; Dropped counts open-loop arrivals that found Concurrency
	// requests in flight and were not sent.
	Completed, Failed, Dropped int
	// FirstErr is the error of the first failed request (nil if none).
	FirstErr error
	Wall     time.Duration
	// Throughput is Completed / Wall; Goodput is the completed requests
	// meeting every SLO / Wall, both per second.
	Throughput, Goodput float64
	// Latency and SendLag cover completed and failed requests alike; TTFT
	// and TPOT only the completed requests that measured them.
	Latency, SendLag Dist
	TTFT, TPOT       Dist
}

var errConfig = errors.New("load: invalid config")

func (cfg Config) check() error {
	switch {
	case cfg.Requests < 0 || cfg.Duration < 0:
		return fmt.Errorf("%w: negative Requests or Duration", errConfig)
	case cfg.Requests == 0 && cfg.Duration == 0:
		return fmt.Errorf("%w: set Requests or Duration", errConfig)
	case cfg.Concurrency < 0:
		return fmt.Errorf("%w: negative Concurrency", errConfig)
	}
	switch cfg.Mode {
	case Sequential:
	case Concurrent:
		if cfg.Concurrency < 1 {
			return fmt.Errorf("%w: Concurrent mode needs Concurrency >= 1", errConfig)
		}
	case OpenLoop:
		if !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0) {
			return fmt.Errorf("%w: OpenLoop needs a finite Rate > 0, not %v", errConfig, cfg.Rate)
		}
	default:
		return fmt.Errorf("%w: unknown mode %v", errConfig, cfg.Mode)
	}
	return nil
}

// run is the state shared by the workers of one Run.
type run struct {
	cfg   Config
	f     Func
	start time.Time
	next  atomic.Int64 // next request index (closed loops)
	stop  atomic.Bool  // Duration passed or ctx done: send no more
	done  atomic.Int64 // returned requests, for progress
	fails atomic.Int64

	mu    sync.Mutex // guards recs on registration only
	recs  []*recorder
	nrecs int // workers expected, to size reservoirs
}

// Run drives f as cfg asks and reports. It returns early, with the report
// of what was done and ctx's error, when ctx is cancelled.
func Run(ctx context.Context, cfg Config, f Func) (Report, error) {
	if err := cfg.check(); err != nil {
		return Report{}, err
	}
	r := &run{cfg: cfg, f: f}
	workers := 1
	switch cfg.Mode {
	case Concurrent:
		workers = cfg.Concurrency
		if cfg.Requests > 0 {
			workers = min(workers, cfg.Requests)
		}
	case OpenLoop:
		if cfg.Concurrency == 0 {
			cfg.Concurrency = DefaultMaxInFlight
			r.cfg.Concurrency = DefaultMaxInFlight
		}
		workers = cfg.Concurrency
	}
	r.nrecs = workers

	r.start = time.Now()
	// One goroutine turns "time is up" and "ctx is done" into the flag the
	// workers poll, so that the hot path reads one atomic, not ctx.Err().
	quit := make(chan struct{})
	defer close(quit)
	var deadline <-chan time.Time
	if cfg.Duration > 0 {
		t := time.NewTimer(cfg.Duration)
		defer t.Stop()
		deadline = t.C
	}
	go func() {
		select {
		case <-ctx.Done():
		case <-deadline:
		case <-quit:
		}
		r.stop.Store(true)
	}()

	pr := startProgress(r)
	var dropped int
	switch cfg.Mode {
	case Sequential, Concurrent:
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() { r.closedLoop(ctx) })
		}
		wg.Wait()
	case OpenLoop:
		dropped = r.openLoop(ctx, workers)
	}
	wall := time.Since(r.start)
	pr.finish()

	rep := r.report(wall)
	rep.Dropped = dropped
	return rep, ctx.Err()
}

// closedLoop is one worker of Sequential or Concurrent mode: its next
// request is meant to go out the moment its previous one returned.
func (r *run) closedLoop(ctx context.Context) {
	rec := r.recorder()
	intended := r.start
	for !r.stop.Load() {
		i := int(r.next.Add(1) - 1)
		if r.cfg.Requests > 0 && i >= r.cfg.Requests {
			return
		}
		intended = r.do(ctx, rec, i, intended)
	}
}

// do runs request i, meant to be sent at intended, records it and returns
// when it ended.
func (r *run) do(ctx context.Context, rec *recorder, i int, intended time.Time) time.Time {
	sent := time.Now()
	s := r.f(ctx, i)
	end := time.Now()
	if s.Start.IsZero() {
		s.Start = intended
	}
	if s.Sent.IsZero() {
		s.Sent = sent
	}
	if s.Latency == 0 {
		s.Latency = end.Sub(s.Sent)
	}
	if !s.OK && s.Err == nil {
		s.Err = fmt.Errorf("load: request %d failed without an error", i)
	}
	rec.add(&s, r.cfg.SLO)
	if !s.OK {
		r.fails.Add(1)
	}
	r.done.Add(1)
	return end
}

// job is one open-loop arrival.
type job struct {
	i        int
	intended time.Time
}

// openLoop fires Poisson arrivals without waiting for responses. A pool of
// max-in-flight workers serves them; an arrival that finds max requests in
// flight is dropped (and counted) rather than queued behind the responses,
// which would hide the server's delay. The buffered channel never blocks
// the scheduler: it holds at most the requests counted in flight.
func (r *run) openLoop(ctx context.Context, workers int) (dropped int) {
	jobs := make(chan job, workers)
	var inFlight atomic.Int64 // only the scheduler adds, so check-then-add is safe
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			rec := r.recorder()
			for j := range jobs {
				r.do(ctx, rec, j.i, j.intended)
				inFlight.Add(-1)
			}
		})
	}
	sched := newPoisson(r.cfg.Rate, r.cfg.Seed)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
loop:
	for i := 0; r.cfg.Requests == 0 || i < r.cfg.Requests; i++ {
		at := sched.next()
		if r.cfg.Duration > 0 && at >= r.cfg.Duration {
			break
		}
		intended := r.start.Add(at)
		if d := time.Until(intended); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				break loop
			}
		}
		if r.stop.Load() {
			break
		}
		if inFlight.Load() >= int64(workers) {
			dropped++
			continue
		}
		inFlight.Add(1)
		jobs <- job{i, intended}
	}
	close(jobs)
	wg.Wait()
	return dropped
}

// poisson yields the arrival times of a Poisson process: exponential
// inter-arrival times of mean 1/rate, from a seeded PCG.
type poisson struct {
	rng  *rand.Rand
	mean float64 // seconds
	t    float64 // seconds since the start
}

func newPoisson(rate float64, seed uint64) *poisson {
	return &poisson{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), mean: 1 / rate}
}

// next returns the next arrival's offset from the start.
func (p *poisson) next() time.Duration {
	p.t += p.rng.ExpFloat64() * p.mean
	return time.Duration(p.t * float64(time.Second))
}

// recorder returns a new per-worker recorder, registered for the report.
func (r *run) recorder() *recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := newRecorder(r.nrecs, uint64(len(r.recs))+r.cfg.Seed)
	r.recs = append(r.recs, rec)
	return rec
}

func (r *run) report(wall time.Duration) Report {
	rep := Report{Mode: r.cfg.Mode, Concurrency: r.cfg.Concurrency, Rate: r.cfg.Rate, Wall: wall}
	if r.cfg.Mode == Sequential {
		rep.Concurrency = 1
	}
	if r.cfg.Mode != OpenLoop {
		rep.Rate = 0
	}
	var lat, lag, ttft, tpot []*series
	good := 0
	var firstAt time.Time
	for _, rec := range r.recs {
		rep.Completed += rec.completed
		rep.Failed += rec.failed
		good += rec.good
		if rec.firstErr != nil && (rep.FirstErr == nil || rec.firstErrAt.Before(firstAt)) {
			rep.FirstErr, firstAt = rec.firstErr, rec.firstErrAt
		}
		lat, lag = append(lat, &rec.latency), append(lag, &rec.lag)
		ttft, tpot = append(ttft, &rec.ttft), append(tpot, &rec.tpot)
	}
	if wall > 0 {
		rep.Throughput = float64(rep.Completed) / wall.Seconds()
		rep.Goodput = float64(good) / wall.Seconds()
	}
	rep.Latency, rep.SendLag = merge(lat), merge(lag)
	rep.TTFT, rep.TPOT = merge(ttft), merge(tpot)
	return rep
}
