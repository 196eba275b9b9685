package redact_test

import (
	"errors"
	"fmt"

	"github.com/lift-sys/lifttest/internal/redact"
)

// The harness builds one scrubber from what it knows and passes every
// outgoing string through it: errors, log lines, journal and results
// records, reports, retry feedback; and t.Log lines through Terminal.
func Example() {
	endpoint := "https://bob:hunter22@example.invalid/generate?token=tok-123456&mode=fast"
	s := redact.New(endpoint, "wk-modal-key", "ws-modal-secret")

	err := s.Error(fmt.Errorf("POST %s: 401: bad key wk-modal-key", endpoint))
	fmt.Println(err)
	fmt.Println(redact.URL(endpoint))
	fmt.Println(s.Excerpt("answer echoing ws-modal-secret, then a long traceback that goes on and on", 60))
	fmt.Println(redact.Terminal("model says \x1b[2J\u202eevil"))
	fmt.Println(errors.Unwrap(err) != nil)
	// Output:
	// POST https://bob:REDACTED@example.invalid/generate?token=REDACTED&mode=fast: 401: bad key REDACTED
	// https://REDACTED@example.invalid/generate?mode=fast&token=REDACTED
	// answer echoing REDACTED, then…[truncated: 66 bytes in all]
	// model says \x1b[2J\u202eevil
	// true
}
