package lifttest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/lifttest"
)

func names(suites []lifttest.Suite) []string {
	var out []string
	for _, s := range suites {
		for _, c := range s.Cases {
			out = append(out, s.Name+"/"+c.Name)
		}
	}
	return out
}

var selectSuites = []lifttest.Suite{
	{Name: "a", Cases: []lifttest.Case{{Name: "a1"}, {Name: "a2"}, {Name: "a3"}}, Subsets: map[string][]string{"quick": {"a3", "a1"}, "bad": {"zz"}}},
	{Name: "b", Cases: []lifttest.Case{{Name: "b1"}, {Name: "b2"}}},
}

func TestSelectWith(t *testing.T) {
	tests := []struct {
		name, suite, shard string
		want               []string
	}{
		{"everything", "", "", []string{"a/a1", "a/a2", "a/a3", "b/b1", "b/b2"}},
		{"one suite", "b", "", []string{"b/b1", "b/b2"}},
		{"a subset, in its order", "a/quick", "", []string{"a/a3", "a/a1"}},
		{"shard 1/2", "", "1/2", []string{"a/a1", "a/a3", "b/b2"}},
		{"shard 2/2", "", "2/2", []string{"a/a2", "b/b1"}},
		{"shard of a suite", "a", "3/3", []string{"a/a3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lifttest.SelectWith(selectSuites, tt.suite, tt.shard)
			require.NoError(t, err)
			assert.Equal(t, tt.want, names(got))
		})
	}
	// The shards of a run concatenate to the whole run.
	var all []string
	for k := 1; k <= 3; k++ {
		got, err := lifttest.SelectWith(selectSuites, "", lifttest.ShardSpec(k, 3))
		require.NoError(t, err)
		all = append(all, names(got)...)
	}
	assert.ElementsMatch(t, []string{"a/a1", "a/a2", "a/a3", "b/b1", "b/b2"}, all)
}

func TestSelectErrors(t *testing.T) {
	tests := []struct{ suite, shard, want string }{
		{"c", "", "no such suite (have a, b)"},
		{"a/slow", "", `no subset "slow" (have bad, quick)`},
		{"a/bad", "", `names case "zz"`},
		{"", "3/2", "want k/n with 1 <= k <= n"},
		{"", "x", "want k/n"},
		{"", "0/2", "want k/n"},
	}
	for _, tt := range tests {
		t.Run(tt.suite+tt.shard, func(t *testing.T) {
			_, err := lifttest.SelectWith(selectSuites, tt.suite, tt.shard)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
