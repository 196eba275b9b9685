package refserver

import (
	"net/http/httptest"
	"testing"
)

// Start serves a new Server for cfg on 127.0.0.1 for the rest of the test
// and returns it with its generate URL (".../generate"; the health and
// warmup URLs replace "/generate" by "/health" and "/warmup"). Cleanup
// aborts the answers in progress and closes the listener.
func Start(tb testing.TB, cfg Config) (*Server, string) {
	tb.Helper()
	s, err := New(cfg)
	if err != nil {
		tb.Fatalf("refserver.Start: %v", err)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(func() {
		s.Close() // first, so that Close below need not wait out delays
		ts.Close()
	})
	return s, ts.URL + routeGenerate
}
