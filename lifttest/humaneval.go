package lifttest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lift-sys/lifttest/internal/humaneval"
)

var unsafeName = regexp.MustCompile(`[^a-z0-9_-]+`)

// HumanEvalSuite reads a HumanEval-format file (JSON Lines, optionally
// gzipped: task_id, prompt, canonical_solution, test, entry_point) as a
// suite. Each problem becomes a case: its prompt (signature and docstring)
// goes to stage 1, and its own check program validates the generated
// function in the sandbox. Case names come from task IDs ("HumanEval/0"
// becomes "humaneval_0"), so each problem has its own cassette.
func HumanEvalSuite(name, path string) (Suite, error) {
	problems, err := humaneval.Load(path)
	if err != nil {
		return Suite{}, fmt.Errorf("lifttest: HumanEval suite %s: %w", name, err)
	}
	s := Suite{Name: name}
	seen := map[string]string{}
	for _, p := range problems {
		c := Case{
			Name:     strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(p.TaskID), "_"), "_"),
			Prompt:   p.Prompt,
			Function: p.EntryPoint,
			Check:    p.Test,
			Category: "humaneval",
		}
		if prev, dup := seen[c.Name]; dup {
			return Suite{}, fmt.Errorf("lifttest: HumanEval suite %s: task IDs %q and %q both become case %s", name, prev, p.TaskID, c.Name)
		}
		seen[c.Name] = p.TaskID
		s.Cases = append(s.Cases, c)
	}
	return s, nil
}
