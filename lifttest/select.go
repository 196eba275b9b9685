package lifttest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lift-sys/lifttest/internal/load"
	"github.com/lift-sys/lifttest/internal/runflags"
)

// Select returns the suites and cases the command line asks for: -suite
// name or name/subset (all suites when empty), then -shard k/n, a
// deterministic k-th of the selected cases (case i of the selection goes to
// shard i mod n + 1, so the shards' outputs concatenate to the whole run).
func Select(all []Suite) ([]Suite, error) {
	f := runflags.Get()
	return SelectWith(all, f.Suite, f.Shard)
}

// SelectWith is Select with explicit -suite and -shard values.
func SelectWith(all []Suite, suite, shard string) ([]Suite, error) {
	var out []Suite
	if suite == "" {
		out = slices.Clone(all)
	} else {
		name, subset, _ := strings.Cut(suite, "/")
		i := slices.IndexFunc(all, func(s Suite) bool { return s.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("lifttest: -suite %s: no such suite (have %s)", suite, suiteNames(all))
		}
		s := all[i]
		if subset != "" {
			names, ok := s.Subsets[subset]
			if !ok {
				return nil, fmt.Errorf("lifttest: -suite %s: suite %s has no subset %q (have %s)", suite, name, subset, strings.Join(sortedKeys(s.Subsets), ", "))
			}
			var cases []Case
			for _, n := range names {
				j := slices.IndexFunc(s.Cases, func(c Case) bool { return c.Name == n })
				if j < 0 {
					return nil, fmt.Errorf("lifttest: suite %s subset %s names case %q, which the suite lacks", name, subset, n)
				}
				cases = append(cases, s.Cases[j])
			}
			s.Cases, s.Subset = cases, subset
		}
		out = []Suite{s}
	}
	if shard == "" {
		return out, nil
	}
	k, n, err := ParseShard(shard)
	if err != nil {
		return nil, err
	}
	// One rule for every shard of lifttest: load.Shard's, over the cases
	// of the selection in order.
	var keys []string
	for _, s := range out {
		for _, c := range s.Cases {
			keys = append(keys, s.Name+"/"+c.Name)
		}
	}
	mine, err := load.Shard(keys, k, n)
	if err != nil {
		return nil, err
	}
	for si, s := range out {
		out[si].Cases = slices.DeleteFunc(slices.Clone(s.Cases), func(c Case) bool {
			return !slices.Contains(mine, s.Name+"/"+c.Name)
		})
	}
	return out, nil
}

// ParseShard reads "k/n" with 1 <= k <= n.
func ParseShard(s string) (k, n int, err error) {
	k, n, err = load.ParseShard(s)
	if err != nil {
		return 0, 0, fmt.Errorf("lifttest: -shard: %w", err)
	}
	return k, n, nil
}

// ShardSpec writes the -shard value for shard k of n.
func ShardSpec(k, n int) string { return strconv.Itoa(k) + "/" + strconv.Itoa(n) }

func suiteNames(all []Suite) string {
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
