// Command prbench is the logic of the pull-request benchmark workflows, kept
// out of YAML so that it runs, and is tested, before GitHub runs it. It
// checks out the base and the head commit of a repository in throwaway
// worktrees, runs the benchmark command in each (or takes the base from a
// baseline journal kept from main), compares the two runs with package
// compare, and writes the pull-request comment.
//
//	go run ./internal/cmd/prbench -base origin/main -head HEAD -comment comment.md
//	go run ./internal/cmd/prbench -baseline 'baseline/journal-*.jsonl' -cmd 'go test -run "^TestSuites$" -live -endpoint "$LIFTTEST_ENDPOINT" -results "$LIFTTEST_OUT" .'
//
// The command runs with sh -c in the checkout's root, with LIFTTEST_OUT set
// to an empty directory where it must leave its journal(s). Exit status:
// 0 no regression, 1 regression, 2 the flow itself failed.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lift-sys/lifttest/internal/compare"
	"github.com/lift-sys/lifttest/internal/report"
)

// DefaultCmd replays the bundled cassettes into a journal.
const DefaultCmd = `go test -count=1 -run '^TestSuites$' -results "$LIFTTEST_OUT" .`

func main() {
	err := run(os.Stdout, os.Stderr, os.Args[1:])
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "prbench:", err)
	}
	os.Exit(compare.ExitCode(err))
}

func run(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("prbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repo := fs.String("repo", ".", "the git repository `directory`")
	base := fs.String("base", "origin/main", "the base `commit` (ignored with -baseline)")
	head := fs.String("head", "HEAD", "the head `commit`")
	baseline := fs.String("baseline", "", "compare head with these base `journals` (a glob or comma list) instead of running the base commit: the live job's baseline kept from main")
	cmdline := fs.String("cmd", DefaultCmd, "the benchmark `command`, run with sh -c in each checkout; it writes its journal(s) under $LIFTTEST_OUT")
	comment := fs.String("comment", "comment.md", "write the pull-request comment to `file`")
	thresholds := fs.String("thresholds", "baselines/compare.json", "the practical thresholds `file`, relative to the head checkout")
	work := fs.String("work", "", "keep the checkouts and journals in `directory` (default: a temporary one, removed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	dir := *work
	if dir == "" {
		tmp, err := os.MkdirTemp("", "prbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	absRepo, err := filepath.Abs(*repo)
	if err != nil {
		return err
	}

	if *work == "" {
		// Unregister the throwaway checkouts (git worktree remove) before
		// the directory goes.
		defer func() {
			for _, tree := range []string{"base", "head"} {
				git(absRepo, "worktree", "remove", "--force", filepath.Join(dir, tree))
			}
		}()
	}

	var basePaths []string
	if *baseline != "" {
		if basePaths, err = report.JournalPaths("-baseline", *baseline); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "prbench: base = baseline journal(s) %s\n", strings.Join(basePaths, ", "))
	} else {
		if basePaths, _, err = bench(stdout, stderr, absRepo, *base, filepath.Join(dir, "base"), *cmdline); err != nil {
			return fmt.Errorf("base %s: %w", *base, err)
		}
	}
	headPaths, headTree, err := bench(stdout, stderr, absRepo, *head, filepath.Join(dir, "head"), *cmdline)
	if err != nil {
		return fmt.Errorf("head %s: %w", *head, err)
	}

	th, err := compare.LoadThresholds(filepath.Join(headTree, *thresholds))
	if err != nil {
		return err
	}
	bm, brs, err := report.MergeJournals(basePaths)
	if err != nil {
		return err
	}
	hm, hrs, err := report.MergeJournals(headPaths)
	if err != nil {
		return err
	}
	rep := compare.Compare(compare.Side{Meta: bm.Meta, Results: brs}, compare.Side{Meta: hm.Meta, Results: hrs}, th)
	if len(rep.Suites) == 0 {
		return errors.New("base and head ran no case in common: nothing to compare")
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if err := report.WriteFileAtomic(*comment, rep.WriteMarkdown); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "prbench: wrote %s\n", *comment)
	if rep.Failed() {
		return compare.ErrRegression
	}
	return nil
}

// bench checks ref out in a detached worktree at tree, runs cmdline there
// with LIFTTEST_OUT set, and returns the journals it wrote.
func bench(stdout, stderr io.Writer, repo, ref, tree, cmdline string) (journals []string, checkout string, err error) {
	if out, err := git(repo, "worktree", "add", "--detach", tree, ref); err != nil {
		return nil, "", fmt.Errorf("git worktree add %s: %w: %s", ref, err, out)
	}
	out := tree + ".out"
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, "", err
	}
	commit, _ := git(repo, "rev-parse", "--short", ref)
	fmt.Fprintf(stdout, "prbench: %s (%s): %s\n", ref, strings.TrimSpace(commit), cmdline)
	c := exec.Command("sh", "-c", cmdline)
	c.Dir = tree
	c.Env = append(os.Environ(), "LIFTTEST_OUT="+out)
	c.Stdout, c.Stderr = stderr, stderr // the benchmark's own output is a log, not the comparison
	// A failing case fails go test; the journal still holds every case,
	// and the comparison is the judge. A command that wrote no journal is
	// an error below.
	runErr := c.Run()
	journals, err = filepath.Glob(filepath.Join(out, "*.jsonl"))
	if err == nil && len(journals) == 0 {
		err = fmt.Errorf("the command wrote no journal under $LIFTTEST_OUT (exit: %v)", runErr)
	}
	return journals, tree, err
}

func git(dir string, args ...string) (string, error) {
	var buf bytes.Buffer
	c := exec.Command("git", append([]string{"-C", dir}, args...)...)
	c.Stdout, c.Stderr = &buf, &buf
	err := c.Run()
	return buf.String(), err
}
