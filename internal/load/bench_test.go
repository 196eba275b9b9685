package load

import (
	"context"
	"testing"
)

// BenchmarkRunOverhead is package load's own cost per request in
// Concurrent mode at 64 in flight (as `make loadtest`), with a request
// function that does nothing: the scheduling, two clock reads and the
// recording of each sample.
// go test -run '^$' -bench RunOverhead -benchmem ./internal/load/
func BenchmarkRunOverhead(b *testing.B) {
	b.ReportAllocs()
	rep, err := Run(context.Background(), Config{Mode: Concurrent, Concurrency: 64, Requests: b.N},
		func(context.Context, int) Sample { return Sample{OK: true} })
	if err != nil || rep.Completed != b.N {
		b.Fatal(rep.Completed, err)
	}
}
