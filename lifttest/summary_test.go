package lifttest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

func TestWriteSummaryListsFlakyCases(t *testing.T) {
	var runs []*record.Result
	for i := range 10 {
		runs = append(runs, &record.Result{Suite: "simple", Case: "is_even", Sample: i, Success: i != 3})
	}
	var buf bytes.Buffer
	writeSummary(&buf, results.Summarize("simple", runs, nil))
	assert.Contains(t, buf.String(), "pass@1 0.900 pass@5 1.000 pass@10 1.000 pass^1 0.900 pass^5 0.500 pass^10 0.000")
	assert.Contains(t, buf.String(), "flaky cases: is_even 9/10 (95% CI 0.60-0.98)")
}
