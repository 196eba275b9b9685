package schema

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

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

// FuzzDecode checks decode against the library's own decoder: the same
// value, or the same error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":[true,null,"x\u00e9"]}`, `{"n":1}`, `[1e999]`, `{"a":1} x`, `{`, `"\ud800"`, ` [] `, `{"a":{"a":2},"a":"b"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, gotErr := decode(doc)
		want, wantErr := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("decode(%q) error %v, the library's %v", doc, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decode(%q) = %#v, the library's %#v", doc, got, want)
		}
	})
}
