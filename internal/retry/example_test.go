package retry_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lift-sys/lifttest/internal/retry"
)

// A 429 with Retry-After is waited out (capped here to keep the example
// quick), retried once, and the retry is counted.
func Example() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	tr := retry.New(http.DefaultTransport)
	tr.MaxRetryAfter = 10 * time.Millisecond
	ctx, ctr := retry.WithCounter(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/generate", strings.NewReader(`{"prompt":"p"}`))
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	fmt.Printf("attempts %d, retries %d, last status %d\n", ctr.Attempts, ctr.Retries, ctr.LastStatus)
	// Output:
	// 200 ok
	// attempts 2, retries 1, last status 429
}
