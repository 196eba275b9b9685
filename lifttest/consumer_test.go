package lifttest_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/lifttest/lifttesttest"
)

// TestConsumerModule builds a throwaway module that imports lifttest the
// way a team would (go.mod with a replace directive to this repository),
// with a -model flag of its own and a two-case suite. It records the suite
// against the public fake endpoint over 127.0.0.1, replays it with the
// endpoint gone, writes a baseline, then runs it as benchmarks with
// -results and -gate, and finds the journal, the HTML report and the
// gate's verdict. The README's "Writing your own suite" shows its code.
func TestConsumerModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the consumer module: %v", err)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/consumer/suite_test.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "suite_test.go"), string(src))
	write(t, filepath.Join(dir, "go.mod"), consumerGoMod(t, repo))
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))

	ir := func(name, param, hint, returns string) string {
		return `{"intent": {"summary": "` + name + `"}, "signature": {"name": "` + name + `", "parameters": [` + param + `], "returns": "` + returns + `"}}`
	}
	srv := lifttesttest.NewServer(lifttesttest.Config{Answers: []lifttesttest.Answer{
		{Prompt: "Create a function that adds two numbers",
			IR:   ir("add", `{"name": "a", "type_hint": "int"}, {"name": "b", "type_hint": "int"}`, "", "int"),
			Code: []string{`{"implementation": {"body_statements": [{"type": "return", "code": "a + b", "rationale": "the sum"}]}}`}},
		{Prompt: "Create a function that checks if a number is even",
			IR:   ir("is_even", `{"name": "n", "type_hint": "int"}`, "", "bool"),
			Code: []string{`{"implementation": {"body_statements": [{"type": "return", "code": "n % 2 == 0", "rationale": "no remainder"}]}}`}},
	}})
	defer srv.Close()

	goTest := func(env []string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goBin, append([]string{"test"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	goTest(nil, "-count=1", "-run", "TestSuite", "-lifttest.record", "-lifttest.endpoint", srv.GenerateURL())
	for _, f := range []string{"cassettes/mine/add.yaml", "cassettes/mine/is_even.yaml", "cassettes/endpoint.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("record wrote no %s: %v", f, err)
		}
	}
	// A live run chosen by the environment alone is never answered from go
	// test's cache (no -count=1 here, no flag after the package list).
	live := []string{"LIFTTEST_MODE=live", "LIFTTEST_ENDPOINT=" + srv.GenerateURL()}
	before := srv.Requests()
	for range 2 {
		if out := goTest(live, "-run", "TestSuite", "."); strings.Contains(out, "(cached)") {
			t.Errorf("a live run was answered from the cache:\n%s", out)
		}
	}
	if got := srv.Requests() - before; got < 2*4 {
		t.Errorf("two live runs of two cases made %d requests, want at least 8", got)
	}
	srv.Close() // replay needs no endpoint

	out := goTest(nil, "-count=1", "-run", "TestSuite", "-v", "-lifttest.write-baseline")
	for _, want := range []string{"--- PASS: TestSuite/suite=mine/case=add", "--- PASS: TestSuite/suite=mine/case=is_even", "baseline written"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay output lacks %q:\n%s", want, out)
		}
	}

	results := filepath.Join(dir, "results")
	out = goTest(nil, "-count=1", "-run", "^$", "-bench", ".", "-benchtime", "1x", "-lifttest.results", results, "-lifttest.gate")
	for _, want := range []string{"BenchmarkSuite/suite=mine/case=add", "BenchmarkSummary/suite=mine", "gate: PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("benchmark output lacks %q:\n%s", want, out)
		}
	}
	journals, _ := filepath.Glob(filepath.Join(results, "journal-*.jsonl"))
	reports, _ := filepath.Glob(filepath.Join(results, "report-*.html"))
	if len(journals) != 1 || len(reports) != 1 {
		t.Fatalf("results hold journals %v and HTML reports %v, want one of each", journals, reports)
	}
	if n := lines(t, journals[0]); n != 3 {
		t.Errorf("journal has %d lines, want a header and one record per case (3)", n)
	}
}

// consumerGoMod requires this module through a replace directive, with the
// requirements of this repository's go.mod so that no lookup is needed.
func consumerGoMod(t *testing.T, repo string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("module example.com/consumer\n\ngo " + strings.TrimPrefix(runtime.Version(), "go") + "\n\n")
	b.WriteString("require github.com/lift-sys/lifttest v0.0.0\n\nreplace github.com/lift-sys/lifttest => " + repo + "\n\n")
	in := false
	for line := range strings.Lines(string(data)) {
		switch {
		case strings.HasPrefix(line, "require ("):
			in = true
			b.WriteString(line)
		case in:
			b.WriteString(line)
			if strings.HasPrefix(line, ")") {
				in = false
			}
		}
	}
	return b.String()
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		n++
	}
	return n
}
