package schema

import (
	"testing"

	"github.com/lift-sys/lifttest/internal/ir"
)

// The validator reads model output: it must never panic, and a document it
// accepts must be one the parsers accept, or a valid answer would fail
// later with a less helpful error.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		`{"intent":{"summary":"Adds two numbers"},"signature":{"name":"add","parameters":[]}}`,
		`{"implementation":{"body_statements":[{"type":"return","code":"return 1","rationale":"r"}],"algorithm":"a","variables":[]},"imports":[],"helper_functions":[]}`,
		`{"intent":{"summary":"add"},"signature":{"name":"Add","parameters":[]},"extra":1}`,
		`{`, `[]`, `1e999`, `"\ud800"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if IR().Validate(doc) == nil {
			if _, err := ir.ParseIR(doc); err != nil {
				t.Fatalf("valid by the IR schema but not parsed: %v", err)
			}
		}
		if Code().Validate(doc) == nil {
			if _, err := ir.ParseCode(doc); err != nil {
				t.Fatalf("valid by the code schema but not parsed: %v", err)
			}
		}
	})
}
