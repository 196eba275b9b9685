package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

// refProc is a reference endpoint running as a child process, so that its
// CPU is not the client's: on a small machine a server inside the client's
// process would share its scheduler and garbage collector.
type refProc struct {
	cmd  *exec.Cmd
	url  string
	tmp  string // build directory to remove, if any
	done chan error
}

// listening is the line cmd/refserver prints once it listens.
var listening = regexp.MustCompile(`^refserver: listening on (http://\S+/generate) `)

// startRefserver starts bin (built from ./internal/cmd/refserver when
// empty) on a free loopback port with no delays, and waits for its URL.
func startRefserver(ctx context.Context, bin string, stderr io.Writer) (*refProc, error) {
	p := &refProc{done: make(chan error, 1)}
	if bin == "" {
		dir, err := os.MkdirTemp("", "loadtest-")
		if err != nil {
			return nil, err
		}
		p.tmp = dir
		bin = filepath.Join(dir, "refserver")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/lift-sys/lifttest/internal/cmd/refserver")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("go build refserver: %w", err)
		}
	}
	p.cmd = exec.Command(bin, "-addr", "127.0.0.1:0", "-timescale", "0", "-grace", "1s")
	p.cmd.Stderr = stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		p.cleanup()
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		p.cleanup()
		return nil, fmt.Errorf("start refserver: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out) // keep the pipe drained until exit
		p.done <- p.cmd.Wait()
	}()
	select {
	case line, ok := <-lines:
		if m := listening.FindStringSubmatch(line); ok && m != nil {
			p.url = m[1]
			return p, nil
		}
		p.stop()
		return nil, fmt.Errorf("refserver %s did not say where it listens (got %q)", bin, line)
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, fmt.Errorf("refserver %s: no listening line within 30s", bin)
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

// stop asks the server to shut down (SIGINT: graceful) and waits for it,
// killing it if it takes too long.
func (p *refProc) stop() {
	defer p.cleanup()
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *refProc) cleanup() {
	if p.tmp != "" {
		_ = os.RemoveAll(p.tmp)
	}
}
