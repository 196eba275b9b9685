package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/provider"
)

func TestParseHistogram(t *testing.T) {
	f, err := os.Open("testdata/vllm-metrics.txt")
	require.NoError(t, err)
	defer f.Close()
	h, err := ParseHistogram(f, InferenceTimeMetric, "Qwen/Qwen2.5-Coder-7B-Instruct")
	require.NoError(t, err)
	// Both engines' series add up; _created, _bucket and the other model
	// are left out.
	assert.Equal(t, Histogram{Sum: 34.25, Count: 13, Series: 2}, h)

	f2, _ := os.Open("testdata/vllm-metrics.txt")
	defer f2.Close()
	h, err = ParseHistogram(f2, InferenceTimeMetric, `other "quoted" model`)
	require.NoError(t, err)
	assert.Equal(t, Histogram{Sum: 99, Count: 7, Series: 1}, h)

	h, err = ParseHistogram(strings.NewReader("# nothing\n"), InferenceTimeMetric, "m")
	require.NoError(t, err)
	assert.Zero(t, h.Series, "a server without the metric")
}

func TestParseHistogramErrors(t *testing.T) {
	for _, in := range []string{
		"vllm:x_sum{model_name=\"m\"}\n",         // no value
		"vllm:x_sum{model_name=\"m} 1\n",         // unterminated
		"vllm:x_sum{model_name=m} 1\n",           // unquoted
		"vllm:x_sum{model_name=\"m\"} one\n",     // not a number
		"vllm:x_sum{model_name=\"m\"} 1 2 3\n",   // too many fields
		"ok 1\nvllm:x_sum{model_name=\"m\"} x\n", // the line is named
	} {
		_, err := ParseHistogram(strings.NewReader(in), "vllm:x", "m")
		assert.Error(t, err, "%q", in)
	}
	_, err := ParseHistogram(strings.NewReader("ok 1\nbad{\n"), "vllm:x", "m")
	assert.ErrorContains(t, err, "line 2")
}

func TestDelta(t *testing.T) {
	before := Histogram{Sum: 10, Count: 4, Series: 1}
	d, ok := Delta(before, Histogram{Sum: 11.25, Count: 5, Series: 1})
	assert.True(t, ok)
	assert.Equal(t, 1250*time.Millisecond, d)
	for name, after := range map[string]Histogram{
		"not yet logged":   {Sum: 10, Count: 4, Series: 1},
		"two requests":     {Sum: 12, Count: 6, Series: 1},
		"no series":        {},
		"counter reset":    {Sum: 1, Count: 5, Series: 1},
		"no series before": {Sum: 1, Count: 1, Series: 1},
	} {
		b := before
		if name == "no series before" {
			b = Histogram{}
		}
		_, ok := Delta(b, after)
		assert.False(t, ok, name)
	}
}

func TestScrape(t *testing.T) {
	page, err := os.ReadFile("testdata/vllm-metrics.txt")
	require.NoError(t, err)
	var path, accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, accept = r.URL.Path, r.Header.Get("Accept")
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(page)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/v1/", Model: "Qwen/Qwen2.5-Coder-7B-Instruct", Timeout: 5 * time.Second}
	assert.Equal(t, srv.URL+"/metrics", c.MetricsURL())
	h, err := c.Scrape(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "/metrics", path)
	assert.Equal(t, "text/plain", accept)
	assert.Equal(t, 34.25, h.Sum)

	c, _, _ = fake(t, http.StatusNotFound, "application/json", `{"detail":"Not Found"}`)
	_, err = c.Scrape(context.Background())
	var se *provider.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusNotFound, se.Status)
	assert.Contains(t, se.URL, "/metrics")
}
