package load

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSweep(t *testing.T) {
	reps, err := Sweep(context.Background(), Config{Requests: 20}, []int{1, 2, 4}, ok)
	require.NoError(t, err)
	require.Len(t, reps, 3)
	for i, c := range []int{1, 2, 4} {
		assert.Equal(t, Concurrent, reps[i].Mode)
		assert.Equal(t, c, reps[i].Concurrency)
		assert.Equal(t, 20, reps[i].Completed)
	}
	_, err = Sweep(context.Background(), Config{Requests: 20}, []int{1, 0}, ok)
	assert.ErrorContains(t, err, "sweep at concurrency 0")
}

// testdata/sweep.golden is written by hand from these reports (there is no
// -update flag): columns are counts, per-second rates and milliseconds.
func TestWriteTableGolden(t *testing.T) {
	ms := time.Millisecond
	reps := []Report{
		{Mode: Concurrent, Concurrency: 1, Completed: 1000, Wall: 2 * time.Second, Throughput: 500, Goodput: 500,
			Latency: Dist{N: 1000, Mean: 2 * ms, P50: 1900 * time.Microsecond, P90: 2500 * time.Microsecond, P99: 3 * ms, Max: 10 * ms},
			SendLag: Dist{N: 1000, P99: 5 * time.Microsecond}},
		{Mode: Concurrent, Concurrency: 64, Completed: 99_990, Failed: 10, Wall: 10 * time.Second, Throughput: 9999, Goodput: 9876.5,
			Latency: Dist{N: 100_000, Mean: 6400 * time.Microsecond, P50: 6 * ms, P90: 8 * ms, P99: 12345 * time.Microsecond, Max: 101 * ms},
			SendLag: Dist{N: 100_000, P99: 120 * time.Microsecond}},
		{Mode: OpenLoop, Concurrency: 1024, Rate: 100, Completed: 990, Dropped: 10, Wall: 10 * time.Second, Throughput: 99, Goodput: 98,
			Latency: Dist{N: 990, Mean: ms, P50: ms, P90: ms, P99: 2 * ms, Max: 3 * ms},
			SendLag: Dist{N: 990, P99: 1500 * time.Microsecond}},
	}
	var buf bytes.Buffer
	WriteTable(&buf, reps)
	want, err := os.ReadFile(filepath.Join("testdata", "sweep.golden"))
	require.NoError(t, err)
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("WriteTable mismatch (-want +got):\n%s", diff)
	}
}
