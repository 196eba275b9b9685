package load

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ok(context.Context, int) Sample { return Sample{OK: true} }

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "set Requests or Duration"},
		{Config{Requests: -1}, "negative"},
		{Config{Mode: Concurrent, Requests: 1}, "Concurrency >= 1"},
		{Config{Mode: OpenLoop, Requests: 1}, "Rate > 0"},
		{Config{Mode: OpenLoop, Requests: 1, Rate: math.Inf(1)}, "Rate > 0"},
		{Config{Mode: Mode(9), Requests: 1}, "unknown mode Mode(9)"},
	}
	for _, tt := range tests {
		_, err := Run(context.Background(), tt.cfg, ok)
		assert.ErrorContains(t, err, tt.want)
	}
}

// The schedule's inter-arrival times are exponential with mean 1/rate
// (their standard deviation equals their mean), and the seed fixes them.
func TestPoissonInterArrival(t *testing.T) {
	const n, rate = 20_000, 1000.0
	p, q := newPoisson(rate, 42), newPoisson(rate, 42)
	var prev time.Duration
	var sum, sumSq float64
	for range n {
		at := p.next()
		require.Equal(t, at, q.next(), "same seed, same schedule")
		gap := (at - prev).Seconds()
		prev = at
		sum += gap
		sumSq += gap * gap
	}
	mean := sum / n
	std := math.Sqrt(sumSq/n - mean*mean)
	assert.InEpsilon(t, 1/rate, mean, 0.03, "mean inter-arrival")
	assert.InEpsilon(t, 1/rate, std, 0.05, "std of inter-arrival")
	assert.NotEqual(t, newPoisson(rate, 1).next(), newPoisson(rate, 2).next())
}

// An open-loop run fires on schedule: n requests at rate take about n/rate.
func TestOpenLoopRate(t *testing.T) {
	rep, err := Run(context.Background(), Config{Mode: OpenLoop, Rate: 2000, Requests: 200, Seed: 7}, ok)
	require.NoError(t, err)
	assert.Equal(t, 200, rep.Completed)
	assert.Zero(t, rep.Dropped)
	assert.Equal(t, 200, rep.SendLag.N)
	// 200 arrivals at 2000/s span ~100 ms; a loaded CI machine may be late.
	assert.Greater(t, rep.Wall, 50*time.Millisecond)
	assert.Less(t, rep.Wall, 2*time.Second)
}

func TestConcurrencyNeverExceeded(t *testing.T) {
	const n = 8
	var inFlight, peak atomic.Int64
	f := func(ctx context.Context, i int) Sample {
		c := inFlight.Add(1)
		for {
			p := peak.Load()
			if c <= p || peak.CompareAndSwap(p, c) {
				break
			}
		}
		time.Sleep(200 * time.Microsecond)
		inFlight.Add(-1)
		return Sample{OK: true}
	}
	rep, err := Run(context.Background(), Config{Mode: Concurrent, Concurrency: n, Requests: 400}, f)
	require.NoError(t, err)
	assert.Equal(t, 400, rep.Completed)
	assert.LessOrEqual(t, peak.Load(), int64(n))
	assert.Greater(t, peak.Load(), int64(1), "requests overlapped")

	peak.Store(0)
	_, err = Run(context.Background(), Config{Requests: 50}, f) // Sequential
	require.NoError(t, err)
	assert.Equal(t, int64(1), peak.Load())
}

// A client that queues requests before sending them (here: one connection,
// Sent set once it is obtained) falls behind an open-loop schedule; the
// send lag shows it, where a closed loop would hide it.
func TestSendLagShowsCoordinatedOmission(t *testing.T) {
	conn := make(chan struct{}, 1)
	f := func(ctx context.Context, i int) Sample {
		conn <- struct{}{}
		sent := time.Now()
		time.Sleep(2 * time.Millisecond)
		<-conn
		return Sample{Sent: sent, OK: true}
	}
	open, err := Run(context.Background(), Config{Mode: OpenLoop, Rate: 2000, Requests: 40, Seed: 1}, f)
	require.NoError(t, err)
	assert.Equal(t, 40, open.Completed)
	// 40 requests of 2 ms arriving over ~20 ms: the last waits ~60 ms.
	assert.Greater(t, open.SendLag.Max, 30*time.Millisecond)
	assert.Greater(t, open.SendLag.P90, open.SendLag.P50)

	closed, err := Run(context.Background(), Config{Mode: Concurrent, Concurrency: 1, Requests: 20}, f)
	require.NoError(t, err)
	assert.Less(t, closed.SendLag.P99, 5*time.Millisecond)
}

// The open loop drops, and counts, arrivals that find no free slot rather
// than waiting for responses.
func TestOpenLoopDrops(t *testing.T) {
	f := func(ctx context.Context, i int) Sample {
		time.Sleep(20 * time.Millisecond)
		return Sample{OK: true}
	}
	rep, err := Run(context.Background(), Config{Mode: OpenLoop, Rate: 1000, Requests: 50, Concurrency: 2, Seed: 3}, f)
	require.NoError(t, err)
	assert.Positive(t, rep.Dropped)
	assert.Equal(t, 50, rep.Completed+rep.Dropped)
	assert.Equal(t, 2, rep.Concurrency)
	assert.Less(t, rep.Wall, time.Second, "the schedule did not wait for the responses")
}

func TestGoodput(t *testing.T) {
	// Request i takes i ms; odd ones stream with TTFT i/2 ms, TPOT i×0.1 ms;
	// request 9 fails.
	f := func(ctx context.Context, i int) Sample {
		s := Sample{OK: i != 9, Latency: time.Duration(i) * time.Millisecond}
		if i%2 == 1 {
			s.TTFT = s.Latency / 2
			s.TPOT = s.Latency / 10
		}
		return s
	}
	tests := []struct {
		slo  SLO
		good int
	}{
		{SLO{}, 9},                                                        // every completed one
		{SLO{E2E: 4 * time.Millisecond}, 5},                               // 0..4
		{SLO{TTFT: 3 * time.Millisecond}, 5},                              // 0, 2 by latency; 1, 3, 5 streamed
		{SLO{TPOT: 500 * time.Microsecond}, 8},                            // even ones unchecked; 1, 3, 5
		{SLO{E2E: 6 * time.Millisecond, TPOT: 300 * time.Microsecond}, 6}, // 0..6 less 5
	}
	for _, tt := range tests {
		rep, err := Run(context.Background(), Config{Requests: 10, SLO: tt.slo}, f)
		require.NoError(t, err)
		assert.Equal(t, 9, rep.Completed)
		assert.Equal(t, 1, rep.Failed)
		assert.ErrorContains(t, rep.FirstErr, "request 9 failed")
		assert.InDelta(t, float64(tt.good)/9, rep.Goodput/rep.Throughput, 1e-9, "%+v", tt.slo)
		assert.Equal(t, 4, rep.TTFT.N, "streamed completed requests: 1, 3, 5, 7")
		assert.Equal(t, 10, rep.Latency.N)
	}
}

func TestDurationAndCancel(t *testing.T) {
	f := func(ctx context.Context, i int) Sample {
		time.Sleep(time.Millisecond)
		return Sample{OK: true}
	}
	rep, err := Run(context.Background(), Config{Mode: Concurrent, Concurrency: 2, Duration: 50 * time.Millisecond}, f)
	require.NoError(t, err)
	assert.Positive(t, rep.Completed)
	assert.Less(t, rep.Wall, time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	rep, err = Run(ctx, Config{Mode: OpenLoop, Rate: 500, Requests: 1_000_000}, f)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Positive(t, rep.Completed)
	assert.Less(t, rep.Completed, 1000)
}

var progressRE = regexp.MustCompile(`^load: \d+/30 done, elapsed [0-9.]+m?s, ETA [0-9.]+m?s, 0 failed$`)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer // not a terminal: one line each
	f := func(ctx context.Context, i int) Sample {
		time.Sleep(2 * time.Millisecond)
		return Sample{OK: true}
	}
	_, err := Run(context.Background(), Config{Requests: 30, Progress: &buf, ProgressEvery: 15 * time.Millisecond}, f)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 2, buf.String())
	for _, l := range lines {
		assert.Regexp(t, progressRE, l)
	}
	assert.Contains(t, lines[len(lines)-1], "30/30 done")
	assert.NotContains(t, buf.String(), "\r")

	// Nothing when the run is shorter than the interval.
	buf.Reset()
	_, err = Run(context.Background(), Config{Requests: 3, Progress: &buf, ProgressEvery: time.Hour}, ok)
	require.NoError(t, err)
	assert.Empty(t, buf.String())
}

func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	r := &run{cfg: Config{Requests: 100, Duration: time.Minute}}
	p := &progress{w: &buf, tty: true, r: r}
	r.done.Store(50)
	r.fails.Store(2)
	p.print(10500 * time.Millisecond)
	r.done.Store(100)
	p.print(20 * time.Second)
	first := "load: 50/100 done, elapsed 10.5s, ETA 10.5s, 2 failed"
	second := "load: 100/100 done, elapsed 20s, ETA 0s, 2 failed"
	// Rewritten in place, padded over what the longer line left.
	assert.Equal(t, "\r"+first+"\r"+second+strings.Repeat(" ", len(first)-len(second)), buf.String())
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		done, total, failed int
		elapsed, duration   time.Duration
		want                string
	}{
		{25, 100, 1, 5 * time.Second, 0, "load: 25/100 done, elapsed 5s, ETA 15s, 1 failed"},
		{0, 100, 0, time.Second, 0, "load: 0/100 done, elapsed 1s, ETA ?, 0 failed"},
		{300, 0, 0, 3 * time.Second, 10 * time.Second, "load: 300 done, elapsed 3s, ETA 7s, 0 failed"},
		{10, 100, 0, 3 * time.Second, 10 * time.Second, "load: 10/100 done, elapsed 3s, ETA 7s, 0 failed"}, // time ends first
		{10, 0, 0, 12 * time.Second, 10 * time.Second, "load: 10 done, elapsed 12s, ETA 0s, 0 failed"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, progressLine(tt.done, tt.total, tt.failed, tt.elapsed, tt.duration))
	}
}

func TestIsTerminal(t *testing.T) {
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f, err := openTemp(t)
	require.NoError(t, err)
	assert.False(t, isTerminal(f), "a regular file")
}

func openTemp(t *testing.T) (*os.File, error) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err == nil {
		t.Cleanup(func() { f.Close() })
	}
	return f, err
}
