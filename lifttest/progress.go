package lifttest

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints a line per finished run of a live or record run, where a
// case takes seconds to minutes and a long suite needs an ETA.
type progress struct {
	mu                  sync.Mutex
	w                   io.Writer
	start               time.Time
	total, done, failed int
}

// begin marks the start of the first run: the warmup before it, which can
// be a cold start of minutes, is not part of the ETA.
func (p *progress) begin() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	if p.start.IsZero() {
		p.start = time.Now()
	}
	p.mu.Unlock()
}

// add counts a finished run and prints
//
//	lifttest: 12/62 done, 1 failed, elapsed 3m02s, ETA 12m40s
//
// The ETA assumes the remaining runs take the mean of those done.
func (p *progress) add(ok bool) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if !ok {
		p.failed++
	}
	elapsed := time.Since(p.start)
	line := fmt.Sprintf("lifttest: %d", p.done)
	if p.total > 0 {
		line += fmt.Sprintf("/%d", p.total)
	}
	line += fmt.Sprintf(" done, %d failed, elapsed %s", p.failed, elapsed.Round(time.Second))
	if p.total > p.done {
		eta := elapsed / time.Duration(p.done) * time.Duration(p.total-p.done)
		line += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
	}
	fmt.Fprintln(p.w, line)
}
