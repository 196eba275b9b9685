package openai

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var chunkSeeds = []string{
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"{\"a\":"},"logprobs":null,"finish_reason":"stop"}]}`,
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":100,"total_tokens":600,"completion_tokens":500}}`,
	`{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"x\u00e9","finish_reason":null}]}`,
	`{"choices":[{"delta":{"content":"a"},"finish_reason":"length"}],"timings":{"prompt_n":10,"prompt_ms":1.5,"predicted_n":20,"predicted_ms":40.25,"predicted_per_token_ms":2.0125}}`,
	`{"error":{"message":"boom","type":"server_error","code":500}}`,
	`{"error":"boom"}`,
	`{"choices":null,"usage":null}`,
	`{"choices":[null,{"message":{"content":"m"}}]}`,
	`{"Choices":[{"delta":{"content":"a"}}]}`,
	`{"choices":[{"delta":{"Content":"a"}}]}`,
	`{"choices":[{"delta":{"content":"a"},"delta":{"content":"b"}}]}`,
	`{"choices":[{"delta":{"content":5}}]}`,
	`{"usage":{"completion_tokens":1.5}}`,
	`{"choices":[{"text":"caf` + "\xc3\xa9" + `"},{"text":"` + "\xff" + `"}]}`,
	`{"choices":[{"delta":{"content":"tab\tin"}}]}`,
	`not json`,
	`{"choices":[{}]} x`,
}

// The fast path decides exactly as json.Unmarshal does on a fresh
// wireAnswer, chunk after chunk into one reused wireAnswer as the stream
// reader decodes them.
func FuzzDecodeChunk(f *testing.F) {
	for i, s := range chunkSeeds {
		f.Add([]byte(s), []byte(chunkSeeds[(i+1)%len(chunkSeeds)]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var ch wireAnswer
		for _, data := range [][]byte{a, b, a} {
			checkChunk(t, data, &ch)
		}
	})
}

func checkChunk(t *testing.T, data []byte, ch *wireAnswer) {
	t.Helper()
	var want wireAnswer
	wantErr := json.Unmarshal(data, &want)
	gotErr := decodeChunk(data, ch)
	if wantErr != nil {
		require.Error(t, gotErr, "%q", data)
		assert.Equal(t, wantErr.Error(), gotErr.Error())
		return
	}
	require.NoError(t, gotErr, "%q", data)
	if len(want.Choices) == 0 { // nil and empty alike
		want.Choices = nil
	}
	got := *ch
	if len(got.Choices) == 0 {
		got.Choices = nil
	}
	assert.Equal(t, want, got, "%q", data)
}

func TestDecodeChunk(t *testing.T) {
	var ch wireAnswer
	for _, s := range chunkSeeds {
		checkChunk(t, []byte(s), &ch)
	}
	// The body of BenchmarkStreamDecode takes the fast path chunk by chunk.
	for ev := range bytes.SplitSeq(sseBody(), []byte("\n\n")) {
		data, ok := bytes.CutPrefix(ev, []byte("data: "))
		if !ok || string(data) == "[DONE]" {
			continue
		}
		resetChunk(&ch)
		require.True(t, readChunk(data, &ch), "%s", data)
	}
}
