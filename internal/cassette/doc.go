// Package cassette wires go-vcr (gopkg.in/dnaeon/go-vcr.v3) into the
// harness: one cassette file per case, three modes, a matcher that compares
// requests by meaning rather than bytes, redaction of credentials before
// anything is written, atomic saves, and failures that say what changed and
// how to re-record.
//
// Replay is the default and never touches the network: a missing cassette or
// a request with no matching recording is an error naming the file, showing a
// go-cmp diff against the closest recording, and giving the command to
// re-record. In replay the latency of each call is the duration go-vcr
// recorded (time to the response headers of the real call); callers read it
// through a Timing placed in the request context.
package cassette
