package ir

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Answers come from a model: the parsers must never panic, and what they
// accept must survive a round trip through JSON unchanged, so that what
// the harness records is what it parsed.

func FuzzParseIR(f *testing.F) {
	for _, s := range []string{
		`{"intent":{"summary":"Adds two numbers"},"signature":{"name":"add","parameters":[{"name":"a","type_hint":"int"}],"returns":"int"}}`,
		`{"intent":{"summary":"x","rationale":null},"signature":{"name":"f","parameters":null},"constraints":[{"type":"t","min_distance":1}],"metadata":{"evidence":[{"a":[1,{}]}]}}`,
		`{"signature":{"name":""}}`, `[]`, `null`, `{"signature":{"name":"\u0000\ud800"}}`, `{"signature":{"name":"f","parameters":[{"name":1}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseIR(data)
		if err != nil {
			return
		}
		if v.Signature.Name == "" {
			t.Fatal("accepted an IR without a name")
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseIR(b)
		if err != nil {
			t.Fatalf("re-encoded IR does not parse: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(normalizeIR(v), normalizeIR(again)) {
			t.Fatalf("round trip changed the IR:\n%#v\n%#v", v, again)
		}
	})
}

// normalizeIR re-encodes what JSON cannot tell apart (an empty slice and
// none; numbers in free-form evidence).
func normalizeIR(v IR) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{
		`{"implementation":{"body_statements":[{"type":"return","code":"return a + b"}],"algorithm":"add"},"imports":[{"module":"math","names":["sqrt"]}],"helper_functions":[{"name":"h","signature":"def h()","body":"pass"}]}`,
		`{"body_statements":[{"type":"expr","code":"x"}],"imports":[{"module":"os","names":[]}]}`,
		`{"implementation":null,"body_statements":[{"code":"pass"}]}`,
		`{"implementation":{"body_statements":[]}}`, `{}`, `"x"`, `{"body_statements":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCode(data)
		if err != nil {
			return
		}
		if len(c.Implementation.BodyStatements) == 0 {
			t.Fatal("accepted code without statements")
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseCode(b)
		if err != nil {
			t.Fatalf("re-encoded code does not parse: %v\n%s", err, b)
		}
		b2, _ := json.Marshal(again)
		if string(b) != string(b2) {
			t.Fatalf("round trip changed the code:\n%s\n%s", b, b2)
		}
	})
}
