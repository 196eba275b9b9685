package modal

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var answerSeeds = []string{
	benchAnswer,
	`{"ir_json":{"a":1},"tokens_used":42,"generation_time_ms":8850.5,"finish_reason":"stop"}`,
	`{"text":{"b":2},"tokens_used":7,"generation_time_ms":1,"finish_reason":"stop"}`,
	`{"text":"{\"c\":3}","finish_reason":"stop"}`,
	`{"error":"Invalid JSON generated: Expecting ','","raw_output":"{\"intent\": {","ir_json":null,"tokens_used":0,"generation_time_ms":12,"finish_reason":"json_error"}`,
	`{"error":"Missing required field: prompt","status":400}`,
	`<html>Bad gateway</html>`,
	` { "ir_json" : [1, -2.5e+3, true, false, null, "x\u00e9\n"] , "status": null, "extra": {"k": [{}]} } `,
	`{"IR_JSON":{"a":1}}`,
	`{"tokens_used":1.5}`,
	`{"tokens_used":"1"}`,
	`{"generation_time_ms":1e999}`,
	`{"finish_reason":"st\u00f6p"}`,
	`{"finish_reason":"stöp"}`,
	`{"ir_json":{"a":1},"ir_json":null}`,
	`{"error":"tab\there \u00e9 \ud800","finish_reason":"x"}`,
	`{"finish_reason":5}`,
	`{"Text":{"a":1}}`,
	`{"error":"a","error":null}`,
	`{"ir_json":{"a":01}}`,
	`{"ir_json":"\x"}`,
	`{}`,
	`{"a":1,}`,
	`{"ir_json":{}} x`,
	`[1]`,
}

// The fast path decides exactly as json.Unmarshal does: same answer, and
// an error exactly when json.Unmarshal errs.
func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range answerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkDecodeAnswer(t, raw)
	})
}

func checkDecodeAnswer(t *testing.T, raw []byte) {
	t.Helper()
	var want, got answer
	wantErr := json.Unmarshal(raw, &want)
	gotErr := decodeAnswer(raw, &got)
	if wantErr != nil {
		require.Error(t, gotErr, "%q", raw)
		assert.Equal(t, wantErr.Error(), gotErr.Error())
		return
	}
	require.NoError(t, gotErr, "%q", raw)
	// RawMessage: the same bytes (nil and empty alike).
	assert.Equal(t, string(want.IRJSON), string(got.IRJSON), "%q", raw)
	assert.Equal(t, string(want.Text), string(got.Text), "%q", raw)
	want.IRJSON, want.Text, got.IRJSON, got.Text = nil, nil, nil, nil
	assert.Equal(t, want, got, "%q", raw)
}

func TestDecodeAnswer(t *testing.T) {
	for _, s := range answerSeeds {
		checkDecodeAnswer(t, []byte(s))
	}
	var a answer
	require.True(t, readAnswer([]byte(benchAnswer), &a), "the reference answer takes the fast path")
	assert.Equal(t, "stop", a.FinishReason)
	assert.Equal(t, 247, a.Tokens)
	assert.True(t, json.Valid(a.IRJSON))
}

// readBody reads what io.ReadAll(io.LimitReader(r, limit+1)) reads,
// whatever the Content-Length says.
func TestReadBody(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 1000, 4096} {
		data := bytes.Repeat([]byte("x"), n)
		for _, limit := range []int64{0, 1, 511, 512, 1000, 8 << 20} {
			want, _ := io.ReadAll(io.LimitReader(bytes.NewReader(data), limit+1))
			for _, size := range []int64{-1, 0, int64(n) - 1, int64(n), int64(n) + 1, limit, limit + 1} {
				got, err := readBody(iotest.OneByteReader(bytes.NewReader(data)), size, limit)
				require.NoError(t, err)
				assert.Equal(t, want, got, "n %d limit %d size %d", n, limit, size)
				got, err = readBody(bytes.NewReader(data), size, limit)
				require.NoError(t, err)
				assert.Equal(t, want, got, "n %d limit %d size %d", n, limit, size)
			}
		}
	}
	_, err := readBody(iotest.ErrReader(io.ErrUnexpectedEOF), 10, 100)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

// The kept body is sent again only for the same request: a schema buffer
// changed in place, another seed or prompt make a new one.
func TestEncodeReuse(t *testing.T) {
	c := &Client{}
	sch := []byte(`{"type":"object"}`)
	seed := 1
	req := provider.Request{Prompt: "p", Schema: sch, MaxTokens: 10, Seed: &seed}
	want := func(r provider.Request) string { // a fresh client's encoding
		b, err := (&Client{}).marshal(r)
		require.NoError(t, err)
		return string(b)
	}
	enc := func(r provider.Request) string {
		b, err := c.encode(r)
		require.NoError(t, err)
		return string(b)
	}
	first := enc(req)
	assert.Equal(t, want(req), first)
	assert.Contains(t, first, `"seed":1,"schema":{"type":"object"}}`)
	assert.Equal(t, first, enc(req))
	copy(sch, `{"type":"string"}`) // same length, changed in place
	assert.Equal(t, want(req), enc(req))
	seed = 2 // the caller's seed changed
	assert.Equal(t, want(req), enc(req))
	for _, r := range []provider.Request{
		{Prompt: "q", Schema: sch, MaxTokens: 10},
		{Prompt: "q", MaxTokens: 10},
		{Prompt: "q", Schema: []byte(`{}`), MaxTokens: 10},
		{Prompt: "q", Schema: []byte(`{}`), MaxTokens: 11},
		{Prompt: "q", Schema: []byte(`{}`), MaxTokens: 11, TopP: 0.5},
		{Prompt: "q", Schema: []byte(`{}`), MaxTokens: 11, TopP: 0.5, Temperature: 0.1},
	} {
		assert.Equal(t, want(r), enc(r))
		assert.Equal(t, want(r), enc(r))
	}
}

// The body is json.Marshal's encoding of the request, HTML escaping
// included, with the schema's bytes spliced in last: the bytes the
// bundled cassettes recorded, so a replay matches them without
// re-encoding.
func TestMarshalIsJSONMarshalWithTheSchemaLast(t *testing.T) {
	seed := 3
	for _, req := range []provider.Request{
		{Prompt: "add <a> & b\u2028\"q\"\n", MaxTokens: 2048, Temperature: 0.3, TopP: 0.95},
		{Prompt: strings.Repeat("é", 5000), Schema: []byte(`{"type":"object","properties":{"a":{"enum":["<",">"]}}}`), MaxTokens: 1, Seed: &seed},
	} {
		sch := req.Schema
		req.Schema = nil
		want, err := json.Marshal(req)
		require.NoError(t, err)
		if len(sch) > 0 {
			want = append(append(append(want[:len(want)-1:len(want)-1], `,"schema":`...), sch...), '}')
		}
		req.Schema = sch
		got, err := (&Client{}).marshal(req)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
	_, err := (&Client{}).marshal(provider.Request{Prompt: "p", Schema: []byte(`{ "type": "object" }`)})
	assert.ErrorContains(t, err, "not compact")
	_, err = (&Client{}).marshal(provider.Request{Prompt: "p", Schema: []byte(`{"type":`)})
	assert.ErrorContains(t, err, "schema: unexpected end of JSON input")
}
