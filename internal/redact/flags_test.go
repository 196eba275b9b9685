package redact

// lifttest's flags (-live, -record, -endpoint, -gpu) are defined in every
// test binary, so that `go test ./... -live` does not stop here with
// "flag provided but not defined".
import _ "github.com/lift-sys/lifttest/internal/runflags"
