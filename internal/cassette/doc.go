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
// through a Timing placed in the request context. Before a recording is
// replayed it is checked (ErrInvalid, InvalidError): a negative or day-long
// duration, an answer labelled JSON that is not, a stream whose events are
// not JSON or whose arrival times do not match its events, and a file larger
// than a recording can be are errors naming the cassette file and the fix.
//
// Record holds what comes from outside to the same bounds as live calls:
// an answer is capped at Options.MaxBody (the live clients' cap, counted
// after decompression) before go-vcr reads it whole, and a session that met
// a larger one never saves its cassette. Credentials are removed by name
// (Redact) and by value (Options.Scrub, and the values the request itself
// carried), wherever the endpoint echoed them. A stream is kept up to its
// [DONE] event, where the client stops reading, so that recorder and client
// agree on its events.
package cassette
