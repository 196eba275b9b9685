package refserver_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/openai"
	"github.com/lift-sys/lifttest/internal/refserver"
)

func scrape(t *testing.T, root string) (*http.Response, openai.Histogram) {
	t.Helper()
	resp, body, err := call(t, t.Context(), http.MethodGet, root+"/metrics", "", nil)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		return resp, openai.Histogram{}
	}
	h, err := openai.ParseHistogram(bytes.NewReader(body), openai.InferenceTimeMetric, refserver.DefaultModel)
	require.NoError(t, err)
	return resp, h
}

func TestMetricsInferenceTime(t *testing.T) {
	s, base := oaStart(t, refserver.Config{FirstTokenDelay: 3 * time.Millisecond, TokenInterval: time.Millisecond})
	root := base[:len(base)-len("/v1")]
	resp, h := scrape(t, root)
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, openai.Histogram{Series: 1}, h, "no request yet")

	for _, stream := range []bool{false, true} {
		r, _ := oaPost(t, base+"/chat/completions", chatBody(oaPrompt, "stream", stream))
		require.Equal(t, http.StatusOK, r.StatusCode)
	}
	sum, n := s.InferenceTime()
	require.Equal(t, 2, n)
	_, h = scrape(t, root)
	assert.Equal(t, float64(2), h.Count)
	assert.InDelta(t, sum.Seconds(), h.Sum, 1e-9)
	// Each answer's pacing, the queue left out: 3 ms, then 1 ms a token.
	assert.GreaterOrEqual(t, sum, 2*3*time.Millisecond)
}

func TestMetricsLlamaCpp(t *testing.T) {
	_, base := oaStart(t, refserver.Config{LlamaCpp: true})
	resp, _ := scrape(t, base[:len(base)-len("/v1")])
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
