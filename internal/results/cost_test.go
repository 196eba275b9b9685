package results

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest/record"
)

// costRun is a passing or failing run whose e2e splits 1:3 between the
// stages.
func costRun(name string, ok bool, e2e time.Duration) *record.Result {
	return &record.Result{Suite: "s", Case: name, Success: ok, Attempts: 1,
		Stage1: record.Stage{Latency: e2e / 4}, Stage2: record.Stage{Latency: e2e - e2e/4}, E2E: e2e}
}

func TestAttribute(t *testing.T) {
	ok := costRun("a", true, 0)
	ok.CostUSD = 0.010
	ok.Stage1.CostUSD, ok.Stage2.CostUSD = 0.004, 0.006
	ok.Attempts = 2
	ok.Tries = []record.Try{{Attempt: 1, CostUSD: 0.002}, {Attempt: 2, CostUSD: 0.004, OK: true}}
	bad := costRun("b", false, 0)
	bad.CostUSD = 0.020
	bad.Stage1.CostUSD, bad.Stage2.CostUSD = 0.005, 0.015
	bad.Attempts = 3
	bad.Tries = []record.Try{{Attempt: 1, CostUSD: 0.005}, {Attempt: 2, CostUSD: 0.005}, {Attempt: 3, CostUSD: 0.005}}
	c := Attribute([]*record.Result{ok, bad})
	assert.InDelta(t, 0.030, c.Total, 1e-12)
	assert.InDelta(t, 0.009, c.Stage1, 1e-12)
	assert.InDelta(t, 0.021, c.Stage2, 1e-12)
	require.Len(t, c.ByAttempt, 3)
	assert.InDelta(t, 0.007, c.ByAttempt[0], 1e-12)
	assert.InDelta(t, 0.009, c.ByAttempt[1], 1e-12)
	assert.InDelta(t, 0.005, c.ByAttempt[2], 1e-12)
	assert.InDelta(t, 0.030, c.PerSuccess, 1e-12, "all the money over the one success")
	assert.InDelta(t, 0.020, c.Failed, 1e-12)
	assert.False(t, c.Split)

	// An older record without stage costs is split by latency, and says so.
	old := costRun("a", true, 4*time.Second)
	old.CostUSD = 0.008
	c = Attribute([]*record.Result{old})
	assert.True(t, c.Split)
	assert.InDelta(t, 0.002, c.Stage1, 1e-12)
	assert.InDelta(t, 0.006, c.Stage2, 1e-12)
}
