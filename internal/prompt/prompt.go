package prompt

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template"

	"github.com/lift-sys/lifttest/internal/assemble"
	"github.com/lift-sys/lifttest/internal/ir"
)

// RetryMarker starts every retry line of a prompt: "Previous attempt (#K)
// failed: ERROR". The scripted reference server looks for it to tell a
// retry from a first attempt, so its text must not change.
const RetryMarker = "Previous attempt (#"

// Data is what a template is executed on.
type Data struct {
	IR ir.IR
	// Attempt is this attempt's number, from 1; 0 means 1 + len(Previous).
	Attempt int
	// MaxAttempts is the number of attempts allowed, 0 when unknown.
	MaxAttempts int
	// Previous are the failures of the earlier attempts, oldest first.
	Previous []Failure
}

// Failure is why an earlier attempt failed.
type Failure struct {
	// Attempt is the number of the attempt that failed; 0 numbers the
	// failure by its position in Data.Previous.
	Attempt int
	// Error says what went wrong, e.g. "SyntaxError: invalid syntax (line
	// 3)" or "failing inputs: add(2, 3) returned 6, want 5".
	Error string
}

// Errors; those returned wrap one of them.
var (
	ErrTemplate = errors.New("prompt template")
	ErrData     = errors.New("prompt data")
)

// Template is a parsed prompt template; it is safe for concurrent use.
type Template struct {
	tmpl *template.Template
	// last is the length of the latest rendering: the next one sizes its
	// buffer from it once, where text/template's many small writes would
	// grow it step by step.
	last atomic.Int64
}

//go:embed default.tmpl
var defaultText string

var defaultTemplate = must(Parse(defaultText))

func must(t *Template, err error) *Template {
	if err != nil {
		panic(err) // the embedded template is tested
	}
	return t
}

// Default returns the built-in template (see the package documentation for
// its parts).
func Default() *Template { return defaultTemplate }

// DefaultText returns the text of the built-in template, a starting point
// for a template of one's own.
func DefaultText() string { return defaultText }

var funcs = template.FuncMap{
	"signature": assemble.Signature,
	"pytype":    assemble.NormalizeType,
	"oneline":   oneline,
	"add":       func(a, b int) int { return a + b },
	"retry":     retryLine,
}

// Parse parses a user's template, executed on a [Data] value with the
// functions listed in the package documentation.
func Parse(text string) (*Template, error) {
	t, err := template.New("prompt").Funcs(funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return &Template{tmpl: t}, nil
}

// Render writes the prompt for d. Whatever the template, the result holds
// the signature line's "def NAME(" and, on a retry, one retry line per
// previous failure (see [RetryMarker]): those the template did not write
// are appended.
func (t *Template) Render(d Data) (string, error) {
	if d.Attempt < 0 {
		return "", fmt.Errorf("%w: attempt %d is negative", ErrData, d.Attempt)
	}
	if d.Attempt == 0 {
		d.Attempt = len(d.Previous) + 1
	}
	if d.MaxAttempts > 0 && d.Attempt > d.MaxAttempts {
		return "", fmt.Errorf("%w: attempt %d is past the maximum of %d", ErrData, d.Attempt, d.MaxAttempts)
	}
	prev := make([]Failure, len(d.Previous))
	for i, f := range d.Previous {
		if f.Attempt == 0 {
			f.Attempt = i + 1
		}
		prev[i] = f
	}
	d.Previous = prev

	var b strings.Builder
	b.Grow(int(t.last.Load()) + 1024)
	if err := t.tmpl.Execute(&b, d); err != nil {
		return "", fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	t.last.Store(int64(b.Len()))
	out := strings.TrimRight(b.String(), " \t\n")

	if def := "def " + d.IR.Signature.Name + "("; !strings.Contains(out, def) {
		out += "\n\n" + assemble.Signature(d.IR)
	}
	if d.Attempt > 1 {
		sep := "\n\n"
		for _, f := range d.Previous {
			if prefix := retryPrefix(f.Attempt); !hasLinePrefix(out, prefix) {
				out += sep + retryLine(f)
				sep = "\n"
			}
		}
	}
	return out, nil
}

func retryPrefix(attempt int) string {
	return RetryMarker + strconv.Itoa(attempt) + ") failed: "
}

// retryLine is "Previous attempt (#K) failed: ERROR"; the lines of a
// multi-line error after the first are indented so that none of them can
// pass for a retry line.
func retryLine(f Failure) string {
	msg := strings.TrimSpace(f.Error)
	if msg == "" {
		msg = "unknown error"
	}
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\n  ")
	return retryPrefix(f.Attempt) + msg
}

func hasLinePrefix(text, prefix string) bool {
	return strings.HasPrefix(text, prefix) || strings.Contains(text, "\n"+prefix)
}

// oneline collapses white space, newlines included, so that a model's
// multi-line text stays one item of a list.
func oneline(s string) string { return strings.Join(strings.Fields(s), " ") }
