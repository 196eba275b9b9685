package cassette

import (
	"context"
	"net/http"
	"strconv"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Timing receives the recorded latency of the calls made with its context:
// in Replay the duration read from the cassette, in Record the one written
// to it (go-vcr's time to the response headers, without the recorder's own
// overhead). In Live it stays zero and the caller measures.
type Timing struct {
	Recorded time.Duration
	Replayed bool // at least one call reported a recorded duration
}

type timingKey struct{}

// WithTiming returns a context whose replayed calls add their recorded
// durations to the returned Timing.
func WithTiming(ctx context.Context) (context.Context, *Timing) {
	t := &Timing{}
	return context.WithValue(ctx, timingKey{}, t), t
}

// durationHeader carries the recorded duration from go-vcr's hook to the
// transport; it never leaves the process.
const durationHeader = "X-Lifttest-Recorded-Duration-Ns"

// exposeDuration runs before go-vcr replays a response.
func exposeDuration(i *vcr.Interaction) error {
	h := http.Header{}
	for k, v := range i.Response.Headers {
		h[k] = v
	}
	h.Set(durationHeader, strconv.FormatInt(int64(i.Response.Duration), 10))
	i.Response.Headers = h
	return nil
}

// hideDuration keeps the in-process header out of the saved cassette.
func hideDuration(i *vcr.Interaction) error {
	i.Response.Headers.Del(durationHeader)
	return nil
}
