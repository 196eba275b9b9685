package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lift-sys/lifttest/internal/results"
)

func TestStreamingLine(t *testing.T) {
	assert.Empty(t, streamingLine(results.Summary{}), "nothing streamed, nothing timed")
	got := streamingLine(results.Summary{Streamed: 4, TTFTMean: 12.34, TPOTMean: 2.5, ITLMean: 2.4, ITLP99Mean: 9.1, ServerTimed: 4, ServerTPOTMean: 2.5})
	assert.Contains(t, got, "TTFT 12.3 ms, TPOT 2.50 ms, ITL mean 2.40 ms, ITL p99 9.10 ms")
	assert.Contains(t, got, "server's own TPOT (llama.cpp timings, 4 calls): 2.50 ms; lifttest's TPOT / the server's: 1.000")
	assert.Equal(t, "The server's own TPOT (llama.cpp timings, 2 calls): 3.00 ms.", streamingLine(results.Summary{ServerTimed: 2, ServerTPOTMean: 3}))
}
