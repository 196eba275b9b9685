package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// floorResult is what the bare net/http loop did.
type floorResult struct {
	Requests, Errors int
	RPS              float64
	CPU              time.Duration // this process's user + system time during the loop
}

// netHTTPFloor posts body to url from concurrency goroutines for d, with
// nothing of lifttest's: no package load, no modal.Client, no timeout, no
// decoding (the answer is read whole and dropped), one atomic add per
// request. Its CPU per request is what net/http itself costs on this
// machine: the part of the gap to wrk that is the HTTP library's.
func netHTTPFloor(ctx context.Context, tr *http.Transport, url string, body []byte, concurrency int, d time.Duration) floorResult {
	hc := &http.Client{Transport: tr}
	var n, errs atomic.Int64
	var stop atomic.Bool
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	go func() { <-ctx.Done(); stop.Store(true) }()
	cpu0, t0 := selfCPU(), time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for !stop.Load() {
				req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				if err != nil {
					errs.Add(1)
					return
				}
				req.Header["Content-Type"] = []string{"application/json"}
				req.Header["Accept"] = []string{"application/json"}
				resp, err := hc.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					errs.Add(1)
					continue
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	wall, cpu := time.Since(t0), selfCPU()-cpu0
	return floorResult{Requests: int(n.Load() + errs.Load()), Errors: int(errs.Load()), RPS: float64(n.Load()) / wall.Seconds(), CPU: cpu}
}
