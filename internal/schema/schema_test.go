package schema

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedSchemasCompile(t *testing.T) {
	assert.Equal(t, "ir.schema.json", IR().Name())
	assert.Equal(t, "code.schema.json", Code().Name())
	assert.Contains(t, string(IR().JSON()), `"IntermediateRepresentation"`)
	assert.NotContains(t, string(Code().JSON()), "\n", "the schema is sent compact")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		schema *Schema
		doc    string
		want   []string // substrings of the error; nil means valid
	}{
		{"ir minimal", IR(), `{"intent":{"summary":"Adds two numbers"},"signature":{"name":"add","parameters":[]}}`, nil},
		{"ir with constraint", IR(), `{"intent":{"summary":"Adds two numbers","rationale":null},"signature":{"name":"add","parameters":[{"name":"a","type_hint":"int","description":null}],"returns":"int"},"constraints":[{"type":"return_constraint","value_name":"result","requirement":"MUST_RETURN","severity":"error"}]}`, nil},
		{"ir bad name", IR(), `{"intent":{"summary":"Adds two numbers"},"signature":{"name":"Add","parameters":[]}}`, []string{"/signature/name"}},
		{"ir short summary", IR(), `{"intent":{"summary":"add"},"signature":{"name":"add","parameters":[]}}`, []string{"/intent/summary"}},
		{"ir extra key", IR(), `{"intent":{"summary":"Adds two numbers"},"signature":{"name":"add","parameters":[]},"extra":1}`, []string{"extra"}},
		{"ir missing signature", IR(), `{"intent":{"summary":"Adds two numbers"}}`, []string{"signature"}},
		{"code wrapped", Code(), `{"implementation":{"body_statements":[{"type":"return","code":"return a + b","rationale":null}]},"imports":[],"helper_functions":[]}`, nil},
		{"code unwrapped is not the schema", Code(), `{"body_statements":[{"type":"return","code":"return a"}]}`, []string{"implementation"}},
		{"code empty body", Code(), `{"implementation":{"body_statements":[]}}`, []string{"/implementation/body_statements"}},
		{"code unknown statement type", Code(), `{"implementation":{"body_statements":[{"type":"lambda","code":"x"}]}}`, []string{"/implementation/body_statements/0/type"}},
		{"not json", Code(), `{"implementation":`, []string{"not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.Validate([]byte(tt.doc))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid))
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestCompileRejectsBadSchema(t *testing.T) {
	_, err := Compile("bad.json", []byte(`{"type": 12}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.json")
	_, err = Compile("notjson.json", []byte(`{`))
	assert.ErrorContains(t, err, "not JSON")
}
