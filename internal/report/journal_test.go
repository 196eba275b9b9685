package report

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	run, cases := fixtureRun(), fixtureCases()
	j, err := CreateJournal(path, run)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if err := j.Append(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if err := j.Append(cases[0]); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Append after Close = %v, want os.ErrClosed", err)
	}

	gotRun, gotCases, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(run, gotRun); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(cases, gotCases); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
}

func TestCreateJournalKeepsExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(path, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateJournal(path, fixtureRun()); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("CreateJournal over an existing file: err = %v, want fs.ErrExist", err)
	}
	assertFile(t, path, "precious\n")
}

func TestJournalConcurrentAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	j, err := CreateJournal(path, fixtureRun())
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	base := fixtureCases()[0]
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := *base
			c.Sample = i
			if err := j.Append(&c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	_, cases, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[int]bool)
	for _, c := range cases {
		seen[c.Sample] = true
	}
	if len(cases) != n || len(seen) != n {
		t.Errorf("read %d cases (%d distinct samples), want %d: lines were interleaved or lost", len(cases), len(seen), n)
	}
}

// writeJournal writes a journal of the fixture cases and returns its
// path and its lines.
func writeJournal(t *testing.T) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	j, err := CreateJournal(path, fixtureRun())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range fixtureCases() {
		if err := j.Append(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestReadJournalTruncatedLastLine(t *testing.T) {
	path, lines := writeJournal(t)
	last := lines[len(lines)-1]
	// Cut the last case in half, as a kill -9 inside its write would.
	content := strings.Join(lines[:len(lines)-1], "") + last[:len(last)/2]
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}

	run, cases, err := ReadJournal(path)
	var te *TruncatedError
	if !errors.As(err, &te) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want a *TruncatedError", err)
	}
	if te.Line != len(lines) || te.Skipped != 1 || te.File != path {
		t.Errorf("TruncatedError = %+v, want line %d, 1 skipped, file %s", te, len(lines), path)
	}
	want := fixtureCases()
	if diff := cmp.Diff(want[:len(want)-1], cases); diff != "" {
		t.Errorf("cases before the cut (-want +got):\n%s", diff)
	}
	if run.Model != fixtureRun().Model {
		t.Errorf("run.Model = %q, want %q", run.Model, fixtureRun().Model)
	}
}

func TestReadJournalErrors(t *testing.T) {
	_, lines := writeJournal(t)
	tests := []struct {
		name     string
		content  string
		wantLine int
		wantMsg  string
	}{
		{"garbage in the middle", lines[0] + lines[1] + "{\"case\": oops\n" + lines[2], 3, "invalid character"},
		{"record that is not a case", lines[0] + "{\"hello\": 1}\n" + lines[1], 2, "not a case record"},
		{"not a journal", "{\"summary\": {}}\n" + lines[1], 1, "not a lifttest journal"},
		{"header only half written", lines[0][:10], 1, "header"},
		{"empty file", "", 1, "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.jsonl")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, cases, err := ReadJournal(path)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if se.Line != tt.wantLine || se.File != path {
				t.Errorf("error at %s:%d, want %s:%d", se.File, se.Line, path, tt.wantLine)
			}
			if prefix := fmt.Sprintf("%s:%d: ", path, tt.wantLine); !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to start with %q and contain %q", err, prefix, tt.wantMsg)
			}
			if cases != nil {
				t.Errorf("got %d cases with a fatal error, want none", len(cases))
			}
		})
	}
}

// killHelperEnv names the journal a re-executed test binary appends to
// until it is killed; see TestJournalSurvivesKill.
const killHelperEnv = "LIFTTEST_REPORT_KILL_HELPER_JOURNAL"

// TestJournalSurvivesKill runs the test binary again as a child that
// appends cases and reports each one on stdout, SIGKILLs it mid-run, and
// reads the journal back: every case the child had reported appended must
// be there, in order, whatever state the file was left in.
func TestJournalSurvivesKill(t *testing.T) {
	if path := os.Getenv(killHelperEnv); path != "" {
		appendUntilKilled(path)
		return
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skipf("needs a subprocess and SIGKILL (GOOS=%s)", runtime.GOOS)
	}
	path := filepath.Join(t.TempDir(), "run.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalSurvivesKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	const before = 20
	acked := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "appended ")
		if !ok {
			continue // the test binary's own output
		}
		if acked, err = strconv.Atoi(n); err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		if acked+1 >= before {
			break
		}
	}
	if acked+1 < before {
		t.Fatalf("child stopped after %d appends (scan error %v)", acked+1, sc.Err())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix: no deferred code, no flush
		t.Fatal(err)
	}
	err = cmd.Wait()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child ended with %v, want it killed", err)
	}

	_, cases, err := ReadJournal(path)
	if err != nil && !errors.Is(err, ErrTruncated) {
		t.Fatalf("ReadJournal after kill -9: %v", err)
	}
	if err != nil {
		t.Logf("as expected after a kill, a partial last line was skipped: %v", err)
	}
	if len(cases) < acked+1 {
		t.Fatalf("journal holds %d cases, want at least the %d the child had appended", len(cases), acked+1)
	}
	for i, c := range cases {
		if c.Sample != i {
			t.Fatalf("case %d has sample %d: lines lost or out of order", i, c.Sample)
		}
	}
}

// appendUntilKilled is the child of TestJournalSurvivesKill. Cases carry a
// large source so that a kill can land inside a write.
func appendUntilKilled(path string) {
	j, err := CreateJournal(path, fixtureRun())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	c := fixtureCases()[0]
	c.Source = strings.Repeat("# padding so that a write takes a while\n", 1<<13)
	for i := 0; ; i++ {
		c.Sample = i
		c.Started = time.Now()
		if err := j.Append(c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("appended %d\n", i)
	}
}
