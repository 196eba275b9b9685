// Package humaneval reads problems in the HumanEval format: JSON Lines, one
// object per line with the fields task_id, prompt, canonical_solution, test
// and entry_point, optionally gzip-compressed.
//
// A problem's program is prompt + completion + "\n" + test + "\n" +
// "check(entry_point)"; see sandbox.CheckJob.
package humaneval

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Problem is one HumanEval-format problem.
type Problem struct {
	TaskID            string `json:"task_id"`
	Prompt            string `json:"prompt"`
	CanonicalSolution string `json:"canonical_solution"`
	Test              string `json:"test"`
	EntryPoint        string `json:"entry_point"`
}

// Load reads the problems of a .jsonl or .jsonl.gz file. Compression is
// detected from the content, not the name.
func Load(path string) ([]Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	probs, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return probs, nil
}

// Read reads problems from JSON Lines, gzip-compressed or not. Blank lines
// are skipped. Errors name the 1-based line; a task_id seen twice and a
// missing task_id, prompt, test or entry_point are errors.
func Read(r io.Reader) ([]Problem, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var probs []Problem
	seen := map[string]int{}
	for lineNo := 1; ; lineNo++ {
		// ReadBytes, not Scanner: a problem's line easily exceeds 64 KiB.
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			p, perr := parseLine(trimmed)
			if perr != nil {
				return nil, fmt.Errorf("line %d: %w", lineNo, perr)
			}
			if prev, dup := seen[p.TaskID]; dup {
				return nil, fmt.Errorf("line %d: task_id %q already on line %d", lineNo, p.TaskID, prev)
			}
			seen[p.TaskID] = lineNo
			probs = append(probs, p)
		}
		if errors.Is(err, io.EOF) {
			return probs, nil
		}
	}
}

func parseLine(line []byte) (Problem, error) {
	var p Problem
	if err := json.Unmarshal(line, &p); err != nil {
		return p, fmt.Errorf("malformed JSON: %w", err)
	}
	for _, f := range []struct{ name, value string }{
		{"task_id", p.TaskID}, {"prompt", p.Prompt}, {"test", p.Test}, {"entry_point", p.EntryPoint},
	} {
		if f.value == "" {
			return p, fmt.Errorf("missing or empty field %q", f.name)
		}
	}
	return p, nil
}
