package load

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard returns the k-th (1-based) of n deterministic shards of names:
// name i goes to shard i mod n + 1, as lifttest's -shard k/n does. Each
// shard keeps the given order, and the n shards together hold every name
// exactly once, so a CI matrix of n jobs runs the whole list once.
func Shard(names []string, k, n int) ([]string, error) {
	if n < 1 || k < 1 || k > n {
		return nil, fmt.Errorf("load: shard %d/%d: want 1 <= k <= n", k, n)
	}
	var out []string
	for i := k - 1; i < len(names); i += n {
		out = append(out, names[i])
	}
	return out, nil
}

// ParseShard reads "k/n" with 1 <= k <= n, e.g. "2/4".
func ParseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("load: shard %q: want k/n with 1 <= k <= n, e.g. 2/4", s)
	}
	return k, n, nil
}
