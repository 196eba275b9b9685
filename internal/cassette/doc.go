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
//
// # Costs of a replay
//
// Replay does not go through go-vcr's recorder: it parses each cassette file
// once per process (replay.go; keyed by the file's content, and an
// unchanged file whose modification time is well before the read is not
// read again) and keeps, per recording, its canonical request body and URL
// path and the verdict of the pre-replay check. Sessions share the parsed
// file read-only; which recordings a session used, and the headers of an
// answer, are its own. A request whose bytes equal the recorded body
// matches without re-encoding; only a body sent with another key order or
// spacing is canonicalised (once per request, not per recording). Matching
// keeps go-vcr's ModeReplayOnly rule: the first unused recording that
// matches, each recording once.
//
// Measured with `go test -run '^$' -bench '^BenchmarkSuite$' -benchtime 10x
// -benchmem -memprofile ... .` (62 cases) on the shared 2-core machine:
// before, 569 kB and 7.2k allocations per replayed case; the profile's
// alloc_space put 41% in canonical (json.Unmarshal then json.Marshal of the
// request and of every recorded body, per match call) and 28% in go-vcr's
// cassette.Load (yaml.v3 parse of the whole file, per case). After, 174-175
// kB and 1.7k allocations per case; what is left is the harness's own work:
// modal.Client.encode 13%, schema.Validate 21%, assemble 9%, the first parse
// of each cassette 17% (its one parse is counted over the 11 runs of a case
// in that benchmark). Remembering the canonical form of a sent body that
// differs from its recording in bytes (for some bundled cases the bytes
// sent now are not the bytes recorded, though the meaning is) took it from 159 to 152 kB and 1.5k to 1.4k
// allocations per case at -benchtime 20x, the iterations of make bench.
//
// Then (same command at -benchtime 5x, three runs alternated with the
// commit before, load 1.9-2.3): 201-203 kB and 2.0k allocations per case
// before, 98-100 kB and 1.1k after. [Preload] parses a session's cassettes
// on every core while the sandbox starts, so no benchmark's loop counts a
// parse (it was 60 kB per case at 5x); a pooled buffer holds each sent body
// while it is matched; the answer is built from the recording without the
// request go-vcr's GetHTTPResponse rebuilds (a URL parse per call); and,
// outside this package, the request is encoded in one buffer, the schemas
// checked compact once per process, answers decoded in one pass, schema
// documents without numbers decoded in place, and the assembler's typing
// scan no longer a backtracking regexp (a fifth of a replay's Go CPU). What
// is left per case: JSON Schema validation inside santhosh-tekuri/jsonschema
// about a third, the request body and the rendered prompt (the bytes that
// are sent), assembly, and the parse of the answers into IR and code.
package cassette
