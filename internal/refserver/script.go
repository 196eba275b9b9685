package refserver

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strings"
)

// Finish reasons of a generate answer, as the Modal app reports them.
const (
	FinishStop      = "stop"
	FinishJSONError = "json_error"
	FinishError     = "error"
	FinishLength    = "length"
)

// Keys under which a successful answer carries its JSON document.
const (
	KeyIRJSON = "ir_json" // the lift-sys-inference app
	KeyText   = "text"    // the newer qwen app
)

// ErrInvalidScript reports a script that cannot be served.
var ErrInvalidScript = errors.New("invalid script")

// Answer is one scripted generate answer.
type Answer struct {
	// DelayMS is the server-side generation time, scaled by Config.TimeScale.
	DelayMS float64 `json:"delay_ms"`
	// Body is the generated document (the IR or the code JSON); required
	// when FinishReason is stop.
	Body json.RawMessage `json:"body,omitempty"`
	// Key is the response key of Body: "ir_json" (default) or "text".
	Key string `json:"key,omitempty"`
	// FinishReason is "" or "stop" for success, else json_error, error or length.
	FinishReason string `json:"finish_reason,omitempty"`
	// Error is the failure detail; the contract's prefix ("Invalid JSON
	// generated: ", "Generation failed: ") is added when missing.
	Error string `json:"error,omitempty"`
	// RawOutput is the model's broken output for json_error and length;
	// when empty, the first half of Body stands in for it. At most 500
	// characters are sent, as the app does.
	RawOutput string `json:"raw_output,omitempty"`
	// Tokens is tokens_used; 0 means an estimate from the size of Body
	// (success) or max_tokens (length).
	Tokens int `json:"tokens,omitempty"`
}

// Script is one case of a suite: its stage-1 prompt and answers.
type Script struct {
	Suite  string   `json:"suite"`
	Case   string   `json:"case"`
	Prompt string   `json:"prompt"`
	Stage1 Answer   `json:"stage1"`
	Stage2 []Answer `json:"stage2"` // one per attempt, in order
}

// scriptFS holds the bundled scripts, one directory per suite.
//
//go:embed testdata/scripts/*/*.json
var scriptFS embed.FS

// bundledDir is the directory of scriptFS that holds one directory per suite.
const bundledDir = "testdata/scripts"

// Bundled returns every script embedded in the package, all suites
// together: the simple suite as the 32B model answered it in the 2025-10-22
// baseline run, and the phase2, nontrivial and expanded suites written in
// the style of its recorded answers. Suites share prompts (expanded repeats
// simple's), so serve one suite at a time: see [BundledSuite].
func Bundled() ([]Script, error) {
	return LoadScripts(scriptFS, bundledDir)
}

// BundledSuite returns the embedded scripts of one suite (one directory of
// the bundled scripts), such as "simple", "phase2", "nontrivial" or
// "expanded". An unknown suite is an error that names the available ones.
func BundledSuite(suite string) ([]Script, error) {
	entries, err := fs.ReadDir(scriptFS, bundledDir)
	if err != nil {
		return nil, err
	}
	var suites []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if e.Name() == suite {
			return LoadScripts(scriptFS, path.Join(bundledDir, suite))
		}
		suites = append(suites, e.Name())
	}
	return nil, fmt.Errorf("refserver: no bundled suite %q (available: %s): %w", suite, strings.Join(suites, ", "), fs.ErrNotExist)
}

// LoadScripts reads every *.json file under dir (recursively, in lexical
// order), one script per file. A script without suite or case takes them
// from its parent directory and file name. Errors name the file.
func LoadScripts(fsys fs.FS, dir string) ([]Script, error) {
	var scripts []Script
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		sc, err := loadScript(fsys, p)
		if err != nil {
			return fmt.Errorf("refserver: load scripts: %s: %w", p, err)
		}
		if sc.Case == "" {
			sc.Case = strings.TrimSuffix(path.Base(p), ".json")
		}
		if sc.Suite == "" && path.Dir(p) != path.Clean(dir) {
			sc.Suite = path.Base(path.Dir(p))
		}
		scripts = append(scripts, sc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(scripts) == 0 {
		return nil, fmt.Errorf("refserver: load scripts: no *.json files under %s: %w", dir, fs.ErrNotExist)
	}
	return scripts, nil
}

func loadScript(fsys fs.FS, p string) (Script, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return Script{}, err
	}
	// Unknown fields are errors so that a typo such as "delay" for
	// "delay_ms" does not silently give a zero delay.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Script
	if err := dec.Decode(&sc); err != nil {
		return Script{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Script{}, errors.New("data after the script object")
	}
	return sc, sc.validate()
}

// validate reports what would make a script unservable.
func (sc Script) validate() error {
	if sc.Prompt == "" {
		return fmt.Errorf("%w: prompt is empty", ErrInvalidScript)
	}
	if err := sc.Stage1.validate(); err != nil {
		return fmt.Errorf("stage1: %w", err)
	}
	for i, a := range sc.Stage2 {
		if err := a.validate(); err != nil {
			return fmt.Errorf("stage2[%d]: %w", i, err)
		}
	}
	return nil
}

func (a Answer) validate() error {
	switch a.Key {
	case "", KeyIRJSON, KeyText:
	default:
		return fmt.Errorf("%w: key %q is not %q or %q", ErrInvalidScript, a.Key, KeyIRJSON, KeyText)
	}
	switch a.FinishReason {
	case "", FinishStop:
		if len(a.Body) == 0 {
			return fmt.Errorf("%w: a stop answer needs a body", ErrInvalidScript)
		}
	case FinishJSONError, FinishError, FinishLength:
	default:
		return fmt.Errorf("%w: unknown finish_reason %q", ErrInvalidScript, a.FinishReason)
	}
	if len(a.Body) > 0 && !json.Valid(a.Body) {
		return fmt.Errorf("%w: body is not valid JSON", ErrInvalidScript)
	}
	if a.DelayMS < 0 || math.IsNaN(a.DelayMS) || math.IsInf(a.DelayMS, 0) {
		return fmt.Errorf("%w: delay_ms %v is not a finite non-negative number", ErrInvalidScript, a.DelayMS)
	}
	if a.Tokens < 0 {
		return fmt.Errorf("%w: tokens %d is negative", ErrInvalidScript, a.Tokens)
	}
	return nil
}
