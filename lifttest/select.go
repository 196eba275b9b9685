package lifttest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lift-sys/lifttest/internal/shard"
)

// selectCases returns the suites and cases that suite ("" for all, name or
// name/subset) and the shard choose. A case's shard depends on its
// suite/case key alone (see package shard), so the shards of a run merge
// into the whole run however the suites grow.
func selectCases(all []Suite, suite string, sh shard.Spec) ([]Suite, error) {
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
				return nil, fmt.Errorf("lifttest: -suite %s: suite %s has no subset %q (have %s)", suite, name, subset, strings.Join(slices.Sorted(maps.Keys(s.Subsets)), ", "))
			}
			var cases []Case
			for _, n := range names {
				j := slices.IndexFunc(s.Cases, func(c Case) bool { return c.Name == n })
				if j < 0 {
					return nil, fmt.Errorf("lifttest: -suite %s: subset %s names case %q, which suite %s lacks", suite, subset, n, name)
				}
				cases = append(cases, s.Cases[j])
			}
			s.Cases, s.subset = cases, subset
		}
		out = []Suite{s}
	}
	for i, s := range out {
		out[i].Cases = slices.DeleteFunc(slices.Clone(s.Cases), func(c Case) bool { return !sh.Holds(s.Name + "/" + c.Name) })
	}
	return out, nil
}

func suiteNames(all []Suite) string {
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
