package lifttest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lift-sys/lifttest/internal/cassette"
)

// Errors a caller branches on, matched with errors.Is.
var (
	// ErrNoEndpoint: a live or record run was given no endpoint.
	ErrNoEndpoint = errors.New("lifttest: no endpoint")
	// ErrMissingCassette: replay found no recording for a case. The error
	// names the file and the command that records it.
	ErrMissingCassette = errors.New("lifttest: missing cassette")
	// ErrStaleCassette: the case's requests no longer match its recording
	// (the prompt, a schema or a parameter changed). The error shows the
	// difference and the command that re-records it.
	ErrStaleCassette = errors.New("lifttest: stale cassette")
	// ErrGate: a suite crossed a fail threshold of its baseline.
	ErrGate = errors.New("lifttest: regression gate failed")
)

// rerecord is the exact command that re-records a case's cassette with this
// run's provider settings; test is the go test -run pattern of the case, or
// "" when it is not known.
func (o Options) rerecord(test string) string {
	args := []string{"go test -count=1"}
	if test != "" {
		args = append(args, "-run '"+test+"'")
	}
	args = append(args, "-record", `-endpoint "$LIFTTEST_ENDPOINT"`)
	if o.Provider == ProviderOpenAI {
		args = append(args, "-provider openai", "-model "+shellQuote(o.Model))
		if o.API != "" {
			args = append(args, "-api "+o.API)
		}
		if o.Structured != "" {
			args = append(args, "-structured "+o.Structured)
		}
		if o.Stream {
			args = append(args, "-stream")
		}
	}
	if o.CassetteDir != "cassettes" {
		args = append(args, "-cassettes "+shellQuote(o.CassetteDir))
	}
	return strings.Join(append(args, "."), " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// casePattern is the -run pattern of a case run by Session.Test.
func casePattern(test, suite, name string) string {
	p := fmt.Sprintf("^%s$/^suite=%s$/^case=%s$", test, suite, name)
	return p
}

// kindError gives an internal error one of the package's sentinels.
type kindError struct{ kind, err error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// classify gives the cassette package's errors their exported sentinels.
func classify(err error) error {
	switch {
	case errors.Is(err, cassette.ErrMissing):
		return &kindError{ErrMissingCassette, err}
	case errors.Is(err, cassette.ErrMismatch):
		return &kindError{ErrStaleCassette, err}
	}
	return err
}
