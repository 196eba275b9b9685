// Package results is the record of a run that reports, journals, gates and
// summaries are built from: one Case per case run, in units a person reads
// (milliseconds, USD), independent of the harness's in-memory types.
package results

import (
	"encoding/json"
	"time"
)

// Case is one run of one case through the pipeline.
type Case struct {
	Suite      string    `json:"suite"`
	Case       string    `json:"case"`
	Prompt     string    `json:"prompt"`
	Category   string    `json:"category,omitempty"`
	Complexity string    `json:"complexity,omitempty"`
	Sample     int       `json:"sample,omitempty"` // 0-based sample index under -samples
	Timestamp  time.Time `json:"timestamp"`
	Mode       string    `json:"mode"`   // replay, record, live
	Timing     string    `json:"timing"` // recorded or measured

	Stage1 Stage `json:"stage1"` // prompt -> IR
	Stage2 Stage `json:"stage2"` // IR -> code, all attempts

	E2EMS      float64 `json:"e2e_ms"`      // stage1 + stage2 latency
	ValidateMS float64 `json:"validate_ms"` // sandboxed validation wall time
	CostUSD    float64 `json:"cost_usd"`
	Tokens     int     `json:"tokens"`
	Attempts   int     `json:"attempts"`

	CompileOnly bool   `json:"compile_only,omitempty"` // the suite checks compilation only
	Compiled    bool   `json:"compiled"`
	Function    string `json:"function,omitempty"`
	Match       string `json:"match,omitempty"`
	Tests       []Test `json:"tests,omitempty"`
	TestsPassed int    `json:"tests_passed"`
	TestsTotal  int    `json:"tests_total"`
	Success     bool   `json:"success"`
	Error       string `json:"error,omitempty"`

	IR     json.RawMessage `json:"ir,omitempty"`
	Source string          `json:"source,omitempty"`

	// Memory: the harness's own allocation for the case (Go heap) and the
	// validator's peak resident set.
	HarnessBytes  uint64 `json:"harness_bytes"`
	HarnessAllocs uint64 `json:"harness_allocs"`
	PeakRSSBytes  int64  `json:"peak_rss_bytes"`
}

// Stage is one model stage of a case run.
type Stage struct {
	LatencyMS     float64  `json:"latency_ms"`
	ServerMS      float64  `json:"server_ms"`
	Calls         int      `json:"calls"`
	Tokens        int      `json:"tokens"`
	SchemaChecked int      `json:"schema_checked"`
	SchemaValid   int      `json:"schema_valid"`
	Success       bool     `json:"success"`
	Errors        []string `json:"errors,omitempty"`
}

// Test is one test of the final attempt.
type Test struct {
	Args     string `json:"args"`
	Passed   bool   `json:"passed"`
	Class    string `json:"class"`
	Expected string `json:"expected"`
	Actual   string `json:"actual,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Run describes a whole run: its configuration, for report headers and
// results files.
type Run struct {
	Started   time.Time `json:"started"`
	Mode      string    `json:"mode"`
	Endpoint  string    `json:"endpoint"`
	Model     string    `json:"model"`
	GPU       string    `json:"gpu"`
	Price     string    `json:"price"` // e.g. "original (0.60 USD/h + 0.0001 USD/request)"
	PricePerH float64   `json:"price_usd_per_hour"`
	Commit    string    `json:"commit,omitempty"`
	GoVersion string    `json:"go_version,omitempty"`
}
