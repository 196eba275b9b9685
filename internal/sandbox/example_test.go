package sandbox_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/lift-sys/lifttest/internal/sandbox"
)

func Example() {
	pool, err := sandbox.New(sandbox.Config{Workers: 1, Timeout: 2 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	res, err := pool.RunIO(context.Background(), sandbox.IOJob{
		Source:   "def add(a, b):\n    return a + b\n",
		Function: "add",
		Tests: []sandbox.IOTest{
			{Args: "[2, 3]", Want: "5"},
			{Args: "[0.5, 0.5]", Want: "1"},
			{Args: "[(1,), (2,)]", Want: "[1, 2]"}, // a tuple never equals a list
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Class)
	for _, t := range res.Tests {
		fmt.Println(t.Class, t.Expected, t.Actual)
	}

	res, err = pool.RunCheck(context.Background(), sandbox.CheckJob{
		Prompt:     "def double(x):\n",
		Completion: "    return x * 2\n",
		Test:       "def check(candidate):\n    assert candidate(4) == 8\n",
		EntryPoint: "double",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Class)
	// Output:
	// wrong_answer
	// passed 5 5
	// passed 1 1.0
	// wrong_answer [1, 2] (1, 2)
	// passed
}
