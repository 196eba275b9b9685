package results

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/lift-sys/lifttest/lifttest/record"
)

func TestSummaryStreamingMeans(t *testing.T) {
	st := record.Stage{Streamed: 1, TTFT: 10 * time.Millisecond, TPOT: 2 * time.Millisecond, ITLMean: 2 * time.Millisecond, ITLP99: 6 * time.Millisecond, ServerTimed: 1, ServerTPOT: 2 * time.Millisecond}
	s := Summarize("x", []*record.Result{{Case: "a", Stage1: st, Stage2: st}, {Case: "b", Stage1: st}}, nil)
	assert.Equal(t, 3, s.Streamed)
	assert.InDelta(t, 10, s.TTFTMean, 1e-9)
	assert.InDelta(t, 6, s.ITLP99Mean, 1e-9)
	assert.Equal(t, 3, s.ServerTimed)
	assert.InDelta(t, 2, s.ServerTPOTMean, 1e-9)
}
