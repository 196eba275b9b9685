package openai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/lift-sys/lifttest/internal/provider"

	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/refserver"
)

// A streamed stage-1 call to the reference endpoint's OpenAI routes, paced
// at 10 ms to the first token and 1 ms per token.
func Example() {
	scripts, err := refserver.BundledSuite("simple")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := refserver.New(refserver.Config{Scripts: scripts, FirstTokenDelay: 10 * time.Millisecond, TokenInterval: time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()

	c := &openai.Client{BaseURL: ts.URL + "/v1", Model: refserver.DefaultModel, Stream: true}
	models, err := c.Health(context.Background())
	fmt.Println("serves:", models, err)

	r, err := c.Generate(context.Background(), provider.Request{
		Prompt:    "Create a function that adds two numbers",
		Schema:    json.RawMessage(`{"type":"object"}`),
		MaxTokens: 2048, Temperature: 0.3, TopP: 0.95,
	})
	if err != nil {
		log.Fatal(err)
	}
	var ir struct{ Signature struct{ Name string } }
	_ = json.Unmarshal(r.Output, &ir)
	fmt.Println(r.FinishReason, ir.Signature.Name, "tokens", r.Tokens, "chunks", r.Stream.Chunks)
	fmt.Println("TTFT at least 10 ms:", r.Stream.TTFT >= 10*time.Millisecond, "gaps:", len(r.Stream.ITL))
	// Output:
	// serves: [Qwen/Qwen2.5-Coder-32B-Instruct] <nil>
	// stop add_two_numbers tokens 247 chunks 247
	// TTFT at least 10 ms: true gaps: 246
}
