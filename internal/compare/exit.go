package compare

import "errors"

// ErrRegression is what the compare and prbench commands return when head
// regressed: a significant change beyond its threshold.
var ErrRegression = errors.New("regression: a significant change beyond its threshold")

// ExitCode is a command's exit status for CI: 0 when err is nil, 1 for a
// regression, 2 for anything else (a usage or flow error).
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrRegression):
		return 1
	}
	return 2
}
