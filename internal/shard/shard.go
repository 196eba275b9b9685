// Package shard splits a run's cases among n jobs so that the jobs' results
// merge into the whole run.
//
// A case goes to a shard by a hash of its "suite/case" key, not by its
// position: adding or removing a case moves no other case to another shard,
// so a shard's journal stays comparable across commits. The shards of a run
// together hold every case exactly once; their sizes are balanced only in
// expectation.
//
// FromEnv reads the index and count that CI engines give parallel jobs:
//
//   - Buildkite: BUILDKITE_PARALLEL_JOB (from 0) of
//     BUILDKITE_PARALLEL_JOB_COUNT (https://buildkite.com/docs/pipelines/environment-variables);
//   - GitLab CI `parallel:`: CI_NODE_INDEX (from 1) of CI_NODE_TOTAL
//     (https://docs.gitlab.com/ee/ci/variables/predefined_variables.html);
//   - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX (from 0); Kubernetes
//     does not expose spec.completions to the pod, so the count comes from
//     LIFTTEST_SHARD_TOTAL, set in the pod template to the Job's completions
//     (https://kubernetes.io/docs/tasks/job/indexed-parallel-processing-static/).
package shard

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Spec is shard K of N, 1 <= K <= N. The zero Spec means "not sharded".
type Spec struct{ K, N int }

// String is "k/n", or "" for the zero Spec.
func (s Spec) String() string {
	if s.N == 0 {
		return ""
	}
	return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N)
}

// Holds reports whether key belongs to this shard. The zero Spec holds
// every key.
func (s Spec) Holds(key string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64()%uint64(s.N))+1 == s.K
}

// ErrNoCI is returned by FromEnv when no known CI engine says which shard
// this job is.
var ErrNoCI = errors.New("no CI parallel-job variables")

// Parse reads "k/n" with 1 <= k <= n, "" (not sharded), or "auto", which
// calls FromEnv with getenv.
func Parse(s string, getenv func(string) string) (Spec, error) {
	switch s {
	case "":
		return Spec{}, nil
	case "auto":
		return FromEnv(getenv)
	}
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return Spec{}, fmt.Errorf("shard %q: want k/n with 1 <= k <= n (e.g. 2/4), or auto", s)
	}
	return Spec{k, n}, nil
}

// FromEnv reads the shard from the CI engine's variables (see the package
// doc), trying Buildkite, GitLab, then Kubernetes.
func FromEnv(getenv func(string) string) (Spec, error) {
	engines := []struct {
		name, index, total string
		base               int // the index of the first job
	}{
		{"Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0},
		{"GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1},
		{"Kubernetes", "JOB_COMPLETION_INDEX", "LIFTTEST_SHARD_TOTAL", 0},
	}
	for _, e := range engines {
		iv, tv := getenv(e.index), getenv(e.total)
		if iv == "" {
			continue
		}
		i, err1 := strconv.Atoi(iv)
		n, err2 := strconv.Atoi(tv)
		if err1 != nil || err2 != nil || n < 1 || i < e.base || i-e.base >= n {
			return Spec{}, fmt.Errorf("shard auto: %s: %s=%q of %s=%q is not an index from %d below the count", e.name, e.index, iv, e.total, tv, e.base)
		}
		return Spec{i - e.base + 1, n}, nil
	}
	return Spec{}, fmt.Errorf("shard auto: %w: set BUILDKITE_PARALLEL_JOB/_COUNT, CI_NODE_INDEX/CI_NODE_TOTAL, or JOB_COMPLETION_INDEX with LIFTTEST_SHARD_TOTAL; or pass -shard k/n", ErrNoCI)
}
