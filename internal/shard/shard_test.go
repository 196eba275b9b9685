package shard

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func keys(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("suite/case_%d", i))
	}
	return out
}

func TestShardsPartitionTheKeys(t *testing.T) {
	all := keys(200)
	for _, n := range []int{1, 2, 3, 7} {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			for _, key := range all {
				if (Spec{k, n}).Holds(key) {
					seen[key]++
				}
			}
		}
		for _, key := range all {
			assert.Equal(t, 1, seen[key], "n=%d: %s in %d shards, want exactly 1", n, key, seen[key])
		}
	}
}

// Adding cases moves none of the old ones: assignment depends on the key alone.
func TestAssignmentIsStableUnderAdditions(t *testing.T) {
	before := keys(50)
	owner := func(key string) int {
		for k := 1; k <= 4; k++ {
			if (Spec{k, 4}).Holds(key) {
				return k
			}
		}
		return 0
	}
	was := map[string]int{}
	for _, key := range before {
		was[key] = owner(key)
	}
	for _, key := range append([]string{"new/first"}, before...) {
		if w, ok := was[key]; ok {
			assert.Equal(t, w, owner(key), key)
		}
	}
}

func TestParse(t *testing.T) {
	none := func(string) string { return "" }
	tests := []struct {
		in   string
		env  map[string]string
		want Spec
		err  string
	}{
		{in: "", want: Spec{}},
		{in: "2/4", want: Spec{2, 4}},
		{in: "0/4", err: "1 <= k <= n"},
		{in: "5/4", err: "1 <= k <= n"},
		{in: "x", err: "1 <= k <= n"},
		{in: "auto", env: map[string]string{"BUILDKITE_PARALLEL_JOB": "0", "BUILDKITE_PARALLEL_JOB_COUNT": "3"}, want: Spec{1, 3}},
		{in: "auto", env: map[string]string{"BUILDKITE_PARALLEL_JOB": "2", "BUILDKITE_PARALLEL_JOB_COUNT": "3"}, want: Spec{3, 3}},
		{in: "auto", env: map[string]string{"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, want: Spec{1, 3}},
		{in: "auto", env: map[string]string{"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, want: Spec{3, 3}},
		{in: "auto", env: map[string]string{"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "3"}, err: "GitLab"},
		{in: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "0", "LIFTTEST_SHARD_TOTAL": "2"}, want: Spec{1, 2}},
		{in: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "0"}, err: "LIFTTEST_SHARD_TOTAL"},
		{in: "auto", err: "no CI parallel-job variables"},
	}
	for _, tt := range tests {
		t.Run(tt.in+fmt.Sprint(tt.env), func(t *testing.T) {
			getenv := none
			if tt.env != nil {
				getenv = func(k string) string { return tt.env[k] }
			}
			got, err := Parse(tt.in, getenv)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
