package lifttest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lift-sys/lifttest/internal/shard"
)

func names(suites []Suite) []string {
	var out []string
	for _, s := range suites {
		for _, c := range s.Cases {
			out = append(out, s.Name+"/"+c.Name)
		}
	}
	return out
}

var selectSuites = []Suite{
	{Name: "a", Cases: []Case{{Name: "a1"}, {Name: "a2"}, {Name: "a3"}}, Subsets: map[string][]string{"quick": {"a3", "a1"}, "bad": {"zz"}}},
	{Name: "b", Cases: []Case{{Name: "b1"}, {Name: "b2"}}},
}

func TestSelectCases(t *testing.T) {
	tests := []struct {
		name, suite string
		want        []string
		key         []string
	}{
		{"everything", "", []string{"a/a1", "a/a2", "a/a3", "b/b1", "b/b2"}, []string{"a", "b"}},
		{"one suite", "b", []string{"b/b1", "b/b2"}, []string{"b"}},
		{"a subset, in its order", "a/quick", []string{"a/a3", "a/a1"}, []string{"a/quick"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := selectCases(selectSuites, tt.suite, shard.Spec{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, names(got))
			var keys []string
			for _, s := range got {
				keys = append(keys, s.key())
			}
			assert.Equal(t, tt.key, keys, "reports and baselines are per suite or suite/subset")
		})
	}
	// Selecting does not change the caller's suites.
	assert.Len(t, selectSuites[0].Cases, 3)
	assert.Equal(t, "a1", selectSuites[0].Cases[0].Name)
}

func TestSelectCasesShards(t *testing.T) {
	for _, suite := range []string{"", "a", "a/quick"} {
		whole, err := selectCases(selectSuites, suite, shard.Spec{})
		require.NoError(t, err)
		var all []string
		for k := 1; k <= 3; k++ {
			got, err := selectCases(selectSuites, suite, shard.Spec{K: k, N: 3})
			require.NoError(t, err)
			all = append(all, names(got)...)
			// A case's shard is its key's: the same whatever else is selected.
			for _, n := range names(got) {
				assert.True(t, shard.Spec{K: k, N: 3}.Holds(n), "%s in shard %d/3", n, k)
			}
		}
		assert.ElementsMatch(t, names(whole), all, "the shards of -suite %q make the whole run", suite)
	}
	// Shard 1/1 is the whole run.
	got, err := selectCases(selectSuites, "", shard.Spec{K: 1, N: 1})
	require.NoError(t, err)
	assert.Equal(t, names(selectSuites), names(got))
}

func TestSelectErrors(t *testing.T) {
	tests := []struct{ suite, want string }{
		{"c", "no such suite (have a, b)"},
		{"a/slow", `no subset "slow" (have bad, quick)`},
		{"a/bad", `names case "zz"`},
	}
	for _, tt := range tests {
		t.Run(tt.suite, func(t *testing.T) {
			_, err := selectCases(selectSuites, tt.suite, shard.Spec{})
			assert.ErrorContains(t, err, tt.want)
			assert.ErrorContains(t, err, "lifttest: ")
		})
	}
	for _, sh := range []string{"3/2", "x", "0/2", "1/0", "1/2/3"} {
		t.Run("shard "+sh, func(t *testing.T) {
			_, err := NewSession(Options{Shard: sh, Validator: nopValidator{}}, selectSuites...)
			require.Error(t, err)
			assert.ErrorContains(t, err, "want k/n")
			assert.ErrorContains(t, err, "-shard")
		})
	}
	_, err := NewSession(Options{Suite: "c", Validator: nopValidator{}}, selectSuites...)
	assert.ErrorContains(t, err, "no such suite")
}

// manySuites has enough cases for every one of three shards to get some.
func manySuites() []Suite {
	var out []Suite
	for _, s := range []string{"alpha", "beta", "gamma"} {
		su := Suite{Name: s}
		for i := range 12 {
			su.Cases = append(su.Cases, Case{Name: fmt.Sprintf("case_%02d", i), Prompt: "p"})
		}
		out = append(out, su)
	}
	return out
}

// TestSessionShards: the sessions of shards 1/3, 2/3 and 3/3 over the same
// suites select disjoint case sets whose union is every case.
func TestSessionShards(t *testing.T) {
	suites := manySuites()
	seen := map[string]string{}
	var union []string
	for k := 1; k <= 3; k++ {
		spec := fmt.Sprintf("%d/3", k)
		s, err := NewSession(Options{Shard: spec, Validator: nopValidator{}}, suites...)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		got := names(s.Suites())
		assert.NotEmpty(t, got, "shard %s of 36 cases", spec)
		for _, n := range got {
			if prev, dup := seen[n]; dup {
				t.Errorf("%s is in shard %s and in shard %s", n, prev, spec)
			}
			seen[n] = spec
		}
		union = append(union, got...)
		assert.Equal(t, spec, s.meta().Shard)
		assert.Contains(t, s.stamp(), fmt.Sprintf("-shard%dof3", k), "a shard's files carry its index")
		// Each shard keeps every suite, in order, even where it holds none of its cases.
		var sn []string
		for _, su := range s.Suites() {
			sn = append(sn, su.Name)
		}
		assert.Equal(t, []string{"alpha", "beta", "gamma"}, sn)
	}
	assert.ElementsMatch(t, names(suites), union)
	assert.Len(t, seen, 36)

	// Without a shard the session has every case, in the suites' order.
	s, err := NewSession(Options{Validator: nopValidator{}}, suites...)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, names(suites), names(s.Suites()))
	assert.Empty(t, s.meta().Shard)
	assert.NotContains(t, s.stamp(), "shard")

	// A shard's selection is stable: adding a suite moves no case.
	more := append(slices.Clone(suites), Suite{Name: "delta", Cases: []Case{{Name: "x", Prompt: "p"}}})
	for k := 1; k <= 3; k++ {
		a, err := selectCases(suites, "", shard.Spec{K: k, N: 3})
		require.NoError(t, err)
		b, err := selectCases(more, "", shard.Spec{K: k, N: 3})
		require.NoError(t, err)
		assert.Equal(t, names(a), slices.DeleteFunc(names(b), func(n string) bool { return n == "delta/x" }))
	}
}

func TestSessionShardAuto(t *testing.T) {
	t.Setenv("CI_NODE_INDEX", "2")
	t.Setenv("CI_NODE_TOTAL", "3")
	t.Setenv("BUILDKITE_PARALLEL_JOB", "")
	s, err := NewSession(Options{Shard: "auto", Validator: nopValidator{}}, manySuites()...)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, "2/3", s.meta().Shard, "GitLab's CI_NODE_INDEX counts from 1")
	want, err := selectCases(manySuites(), "", shard.Spec{K: 2, N: 3})
	require.NoError(t, err)
	assert.Equal(t, names(want), names(s.Suites()))
}
