// Package ir holds the Go shapes of the two JSON documents lift-sys's model
// produces: the intermediate representation (stage 1) and the function
// implementation (stage 2), with parsers that accept the answer shapes seen
// from real deployments.
package ir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// IR is the intermediate representation of one function (the
// IntermediateRepresentation schema). Nullable strings decode to "".
type IR struct {
	Intent      Intent       `json:"intent"`
	Signature   Signature    `json:"signature"`
	Effects     []Effect     `json:"effects,omitempty"`
	Assertions  []Assertion  `json:"assertions,omitempty"`
	Metadata    *Metadata    `json:"metadata,omitempty"`
	Constraints []Constraint `json:"constraints,omitempty"`
}

// Intent says what the function is for.
type Intent struct {
	Summary   string      `json:"summary"`
	Rationale string      `json:"rationale,omitempty"`
	Holes     []TypedHole `json:"holes,omitempty"`
}

// Signature is the function's name, parameters and return type.
type Signature struct {
	Name       string      `json:"name"`
	Parameters []Parameter `json:"parameters"`
	Returns    string      `json:"returns,omitempty"`
	Holes      []TypedHole `json:"holes,omitempty"`
}

// Parameter is one positional parameter.
type Parameter struct {
	Name        string `json:"name"`
	TypeHint    string `json:"type_hint"`
	Description string `json:"description,omitempty"`
}

// Effect is a side effect; when an IR has effects the code prompt lists
// them as ordered implementation steps.
type Effect struct {
	Description string      `json:"description"`
	Holes       []TypedHole `json:"holes,omitempty"`
}

// Assertion is a pre- or postcondition.
type Assertion struct {
	Predicate string      `json:"predicate"`
	Rationale string      `json:"rationale,omitempty"`
	Holes     []TypedHole `json:"holes,omitempty"`
}

// Metadata describes where the IR came from.
type Metadata struct {
	SourcePath string           `json:"source_path,omitempty"`
	Language   string           `json:"language,omitempty"`
	Origin     string           `json:"origin,omitempty"`
	Evidence   []map[string]any `json:"evidence,omitempty"`
}

// TypedHole marks an ambiguity the model could not resolve.
type TypedHole struct {
	Identifier  string            `json:"identifier"`
	TypeHint    string            `json:"type_hint"`
	Description string            `json:"description,omitempty"`
	Constraints map[string]string `json:"constraints,omitempty"`
	Kind        string            `json:"kind,omitempty"`
}

// Constraint is one of return_constraint, loop_constraint and
// position_constraint; Type says which, and only that kind's fields are set.
type Constraint struct {
	Type         string   `json:"type"`
	Description  string   `json:"description,omitempty"`
	Severity     string   `json:"severity,omitempty"`
	ValueName    string   `json:"value_name,omitempty"`
	Requirement  string   `json:"requirement,omitempty"`
	SearchType   string   `json:"search_type,omitempty"`
	LoopVariable string   `json:"loop_variable,omitempty"`
	Elements     []string `json:"elements,omitempty"`
	MinDistance  *int     `json:"min_distance,omitempty"`
	MaxDistance  *int     `json:"max_distance,omitempty"`
}

// Code is the stage-2 answer (the FunctionImplementation schema).
type Code struct {
	Implementation  Implementation   `json:"implementation"`
	Imports         []Import         `json:"imports,omitempty"`
	HelperFunctions []HelperFunction `json:"helper_functions,omitempty"`
}

// Implementation is the function body as a list of statements.
type Implementation struct {
	BodyStatements []Statement `json:"body_statements"`
	Variables      []Variable  `json:"variables,omitempty"`
	Algorithm      string      `json:"algorithm,omitempty"`
	Complexity     *Complexity `json:"complexity,omitempty"`
}

// Statement is one statement of the body. Type is one of assignment,
// return, if_statement, for_loop, while_loop, function_call, expression,
// comment (elif and else are met too).
type Statement struct {
	Type      string `json:"type"`
	Code      string `json:"code"`
	Rationale string `json:"rationale,omitempty"`
}

// Variable is a local variable the model declared.
type Variable struct {
	Name     string `json:"name"`
	TypeHint string `json:"type_hint,omitempty"`
	Purpose  string `json:"purpose,omitempty"`
}

// Complexity is the model's own estimate.
type Complexity struct {
	Time  string `json:"time,omitempty"`
	Space string `json:"space,omitempty"`
}

// Import is `from Module import Names...`.
type Import struct {
	Module string   `json:"module"`
	Names  []string `json:"names"`
}

// HelperFunction is a module-level function placed before the main one.
type HelperFunction struct {
	Name      string `json:"name"`
	Signature string `json:"signature"`
	Body      string `json:"body"`
}

// ErrShape reports a JSON document that is not the expected kind.
var ErrShape = errors.New("unexpected JSON shape")

// ParseIR decodes a stage-1 answer.
func ParseIR(data []byte) (IR, error) {
	var v IR
	if err := json.Unmarshal(data, &v); err != nil {
		return IR{}, fmt.Errorf("parse IR: %w", err)
	}
	if v.Signature.Name == "" {
		return IR{}, fmt.Errorf("parse IR: %w: signature.name is missing", ErrShape)
	}
	return v, nil
}

// ParseCode decodes a stage-2 answer. Deployments have answered both
// wrapped ({"implementation": {...}, "imports": [...]}) and unwrapped
// ({"body_statements": [...], "variables": [...]}): both are accepted.
func ParseCode(data []byte) (Code, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return Code{}, fmt.Errorf("parse code: %w", err)
	}
	var c Code
	switch {
	case probe["implementation"] != nil && !bytes.Equal(probe["implementation"], []byte("null")):
		if err := json.Unmarshal(data, &c); err != nil {
			return Code{}, fmt.Errorf("parse code: %w", err)
		}
	case probe["body_statements"] != nil:
		if err := json.Unmarshal(data, &c.Implementation); err != nil {
			return Code{}, fmt.Errorf("parse code (unwrapped): %w", err)
		}
		// An unwrapped answer may still carry imports and helpers beside the body.
		var extra struct {
			Imports         []Import         `json:"imports"`
			HelperFunctions []HelperFunction `json:"helper_functions"`
		}
		_ = json.Unmarshal(data, &extra)
		c.Imports, c.HelperFunctions = extra.Imports, extra.HelperFunctions
	default:
		return Code{}, fmt.Errorf("parse code: %w: neither \"implementation\" nor \"body_statements\" is present", ErrShape)
	}
	if len(c.Implementation.BodyStatements) == 0 {
		return Code{}, fmt.Errorf("parse code: %w: body_statements is empty", ErrShape)
	}
	return c, nil
}
