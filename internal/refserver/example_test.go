package refserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/lift-sys/lifttest/internal/refserver"
)

// The bundled scripts answer the simple suite as the 32B model did; a test
// would use Start, which also closes the server when the test ends.
func Example() {
	scripts, err := refserver.BundledSuite("simple")
	if err != nil {
		log.Fatal(err)
	}
	s, err := refserver.New(refserver.Config{Scripts: scripts}) // TimeScale 0: no delays
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()

	post := func(prompt string) map[string]json.RawMessage {
		body, _ := json.Marshal(map[string]any{"prompt": prompt, "max_tokens": 2048})
		resp, err := http.Post(ts.URL+"/generate", "application/json", strings.NewReader(string(body)))
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			log.Fatal(err)
		}
		return m
	}

	// Stage 1: the prompt as is.
	s1 := post("Create a function that adds two numbers")
	var v struct{ Signature struct{ Name string } }
	_ = json.Unmarshal(s1["ir_json"], &v)
	fmt.Println("stage 1:", string(s1["finish_reason"]), v.Signature.Name, "tokens", string(s1["tokens_used"]))

	// Stage 2: a code prompt with the signature line, on its second attempt.
	s2 := post("Purpose: ...\ndef add_two_numbers(num1: int, num2: int) -> int:\n" +
		"Previous attempt (#1) failed: SyntaxError: invalid syntax\n")
	fmt.Println("stage 2:", string(s2["finish_reason"]), len(s2["ir_json"]) > 0)
	// Output:
	// stage 1: "stop" add_two_numbers tokens 247
	// stage 2: "stop" true
}

// Inject makes the next generate request fail as Modal's proxy did for
// parallel runs.
func ExampleServer_Inject() {
	s, err := refserver.New(refserver.Config{})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()

	s.Inject(refserver.Fault{Kind: refserver.FaultStatus, Status: http.StatusRequestTimeout, Body: refserver.ModalExpiredBody})
	for range 2 {
		resp, err := http.Post(ts.URL+"/generate", "application/json", strings.NewReader(`{"prompt": "hello"}`))
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	fmt.Println("requests:", s.Count())
	// Output:
	// 408 Missing request, possibly due to expiry or cancellation
	// 200 {"error":"Generation failed: the reference endpoint has no scripted answer for prompt \"hello\"","ir_json":null,"tokens_used":0,"generation_time_ms":0.0,"finish_reason":"error"}
	// requests: 2
}
