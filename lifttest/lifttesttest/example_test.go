package lifttesttest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
)

// post sends a generate request and prints the status and body.
func post(url, body string) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, string(data))
}

// A scripted case answers its prompt on the Modal contract's generate URL.
// In a test, Start would also close the server when the test ends.
func Example() {
	srv := lifttesttest.NewServer(lifttesttest.Config{Answers: []lifttesttest.Answer{{
		Prompt: "Create a function that adds two numbers",
		IR:     `{"intent": {"summary": "add two numbers"}, "signature": {"name": "add", "parameters": []}}`,
		Code:   []string{`{"implementation": {"body_statements": [{"type": "return", "code": "return a + b"}]}}`},
		Tokens: 20,
	}}})
	defer srv.Close()

	post(srv.GenerateURL(), `{"prompt": "Create a function that adds two numbers", "max_tokens": 2048}`)
	post(srv.GenerateURL(), `{"prompt": "Implement:\ndef add(a: int, b: int) -> int:\n"}`)
	// Output:
	// 200 {"ir_json":{"intent":{"summary":"add two numbers"},"signature":{"name":"add","parameters":[]}},"tokens_used":20,"generation_time_ms":0.0,"finish_reason":"stop"}
	// 200 {"ir_json":{"implementation":{"body_statements":[{"type":"return","code":"return a + b"}]}},"tokens_used":20,"generation_time_ms":0.0,"finish_reason":"stop"}
}

// Inject makes the next calls fail, here with an HTTP 500 as an old
// deployment answered; the call after it is served normally.
func ExampleServer_Inject() {
	srv := lifttesttest.NewServer(lifttesttest.Config{Suite: "simple"})
	defer srv.Close()

	srv.Inject(lifttesttest.Fault{Kind: lifttesttest.FaultStatus, Status: http.StatusInternalServerError})
	for range 2 {
		resp, err := http.Post(srv.GenerateURL(), "application/json",
			strings.NewReader(`{"prompt": "Create a function that adds two numbers"}`))
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	fmt.Println("requests:", srv.Requests())
	// Output:
	// 500 Internal Server Error
	// 200 OK
	// requests: 2
}

// The same answers are served on the OpenAI-compatible API, here a chat
// completion whose content is the scripted IR.
func ExampleServer_OpenAIURL() {
	srv := lifttesttest.NewServer(lifttesttest.Config{Answers: []lifttesttest.Answer{{
		Prompt: "Create a function that adds two numbers",
		IR:     `{"signature": {"name": "add"}}`,
	}}})
	defer srv.Close()

	req := `{"model": "` + lifttesttest.DefaultModel + `", "messages": [{"role": "user", "content": "Create a function that adds two numbers"}]}`
	resp, err := http.Post(srv.OpenAIURL()+"/chat/completions", "application/json", strings.NewReader(req))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, out.Choices[0].FinishReason, out.Choices[0].Message.Content)
	// Output:
	// 200 stop {"signature":{"name":"add"}}
}
