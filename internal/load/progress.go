package load

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress prints the state of a run at most once per interval, from its
// own goroutine, so the workers never touch the writer.
type progress struct {
	w      io.Writer
	tty    bool // rewrite one line with \r instead of printing lines
	r      *run
	quit   chan struct{}
	wg     sync.WaitGroup
	width  int // of the last tty line, to blank what a shorter one leaves
	prints int
}

func startProgress(r *run) *progress {
	p := &progress{w: r.cfg.Progress, r: r, quit: make(chan struct{})}
	if p.w == nil {
		return p
	}
	p.tty = isTerminal(p.w)
	every := r.cfg.ProgressEvery
	if every <= 0 {
		every = DefaultProgressEvery
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.print(time.Since(r.start))
			case <-p.quit:
				return
			}
		}
	})
	return p
}

// finish stops the ticker; a run that printed progress gets a last line
// with the final counts (and, on a terminal, the newline that ends it).
func (p *progress) finish() {
	if p.w == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
	if p.prints > 0 {
		p.print(time.Since(p.r.start))
		if p.tty {
			fmt.Fprintln(p.w)
		}
	}
}

func (p *progress) print(elapsed time.Duration) {
	line := progressLine(int(p.r.done.Load()), p.r.cfg.Requests, int(p.r.fails.Load()), elapsed, p.r.cfg.Duration)
	p.prints++
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := max(0, p.width-len(line))
	p.width = len(line)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
}

// progressLine formats "load: done/total done, elapsed E, ETA T, F failed";
// a run bounded by time only has no total, and its ETA is the time left.
func progressLine(done, total, failed int, elapsed, duration time.Duration) string {
	eta := time.Duration(-1)
	if duration > 0 {
		eta = max(0, duration-elapsed)
	}
	if total > 0 && done > 0 {
		byCount := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		if eta < 0 || byCount < eta {
			eta = byCount
		}
	}
	count := fmt.Sprint(done)
	if total > 0 {
		count = fmt.Sprintf("%d/%d", done, total)
	}
	etaText := "?"
	if eta >= 0 {
		etaText = eta.Round(100 * time.Millisecond).String()
	}
	return fmt.Sprintf("load: %s done, elapsed %v, ETA %s, %d failed", count, elapsed.Round(100*time.Millisecond), etaText, failed)
}

// isTerminal says whether w is a character device (a terminal), where a
// progress line can be rewritten in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
