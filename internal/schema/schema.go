// Package schema holds the two JSON Schemas lift-sys constrains its model
// with (the IR for stage 1, the function implementation for stage 2) and
// checks answers against them with a maintained draft-07 validator.
//
// Guided decoding (vLLM + XGrammar) should make every answer valid; a check
// that fails is exactly what a user of the harness needs to see, so the
// pipeline reports schema validity per stage instead of trusting it.
package schema

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed ir.schema.json code.schema.json
var files embed.FS

// ErrInvalid is wrapped by every validation failure.
var ErrInvalid = errors.New("answer does not match its JSON Schema")

// Schema is a compiled JSON Schema together with the compact bytes sent to
// the endpoint.
type Schema struct {
	name     string
	raw      json.RawMessage
	compiled *jsonschema.Schema
}

// Compile compiles a user-supplied schema document; name is used in errors.
func Compile(name string, doc []byte) (*Schema, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return nil, fmt.Errorf("schema %s: not JSON: %w", name, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(compact.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	url := "mem:///" + name
	if err := c.AddResource(url, v); err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	return &Schema{name: name, raw: compact.Bytes(), compiled: sch}, nil
}

func mustEmbedded(file string) func() *Schema {
	return sync.OnceValue(func() *Schema {
		doc, err := files.ReadFile(file)
		if err == nil {
			var s *Schema
			if s, err = Compile(file, doc); err == nil {
				return s
			}
		}
		// The embedded schemas are part of the binary; a test compiles them.
		panic(fmt.Sprintf("embedded schema %s: %v", file, err))
	})
}

var (
	irSchema   = mustEmbedded("ir.schema.json")
	codeSchema = mustEmbedded("code.schema.json")
)

// IR returns the stage-1 schema (IntermediateRepresentation).
func IR() *Schema { return irSchema() }

// Code returns the stage-2 schema (FunctionImplementation).
func Code() *Schema { return codeSchema() }

// Name is the schema's file name.
func (s *Schema) Name() string { return s.name }

// JSON is the compact schema document, as sent in a generate request.
func (s *Schema) JSON() json.RawMessage { return s.raw }

// Validate checks one JSON document. The error wraps ErrInvalid and lists
// every violation with its JSON pointer.
func (s *Schema) Validate(doc []byte) error {
	v, err := decode(doc)
	if err != nil {
		return fmt.Errorf("%w (%s): not JSON: %v", ErrInvalid, s.name, err)
	}
	if err := s.compiled.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%w (%s): %s", ErrInvalid, s.name, violations(ve))
		}
		return fmt.Errorf("%w (%s): %v", ErrInvalid, s.name, err)
	}
	return nil
}

// decode is jsonschema.UnmarshalJSON(doc), which keeps numbers exact
// (json.Number) through a json.Decoder whose buffer grows by copies. A
// document without numbers, such as the IR and code answers, decodes to
// the same values with json.Unmarshal, which reads the bytes in place;
// anything else, errors included, goes the library's way.
func decode(doc []byte) (any, error) {
	var v any
	if json.Unmarshal(doc, &v) == nil && !hasNumber(v) {
		return v, nil
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(doc))
}

// hasNumber says whether json.Unmarshal's v holds a number anywhere.
func hasNumber(v any) bool {
	switch v := v.(type) {
	case float64:
		return true
	case map[string]any:
		for _, e := range v {
			if hasNumber(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasNumber(e) {
				return true
			}
		}
	}
	return false
}

// violations flattens the validator's tree into "at /path: message" items,
// leaves only, so a user sees what to fix rather than the whole schema walk.
func violations(ve *jsonschema.ValidationError) string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, fmt.Sprintf("at /%s: %s", joinPointer(e.InstanceLocation), e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	b, _ := json.Marshal(out)
	return string(b)
}

// printer renders the validator's messages; its kinds need a non-nil one.
var printer = message.NewPrinter(language.English)

func joinPointer(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return b.String()
}
