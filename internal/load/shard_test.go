package load

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShard(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f", "g"}
	tests := []struct {
		k, n int
		want []string
	}{
		{1, 1, names},
		{1, 3, []string{"a", "d", "g"}},
		{2, 3, []string{"b", "e"}},
		{3, 3, []string{"c", "f"}},
		{7, 7, []string{"g"}},
		{8, 8, nil}, // more shards than names: some are empty
	}
	for _, tt := range tests {
		got, err := Shard(names, tt.k, tt.n)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%d/%d", tt.k, tt.n)
	}
	// Together the shards hold every name once.
	var all []string
	for k := 1; k <= 4; k++ {
		s, err := Shard(names, k, 4)
		require.NoError(t, err)
		all = append(all, s...)
	}
	assert.ElementsMatch(t, names, all)

	for _, kn := range [][2]int{{0, 3}, {4, 3}, {1, 0}, {-1, -1}} {
		_, err := Shard(names, kn[0], kn[1])
		assert.ErrorContains(t, err, "want 1 <= k <= n")
	}
}

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		k, n int
		err  bool
	}{
		{"2/4", 2, 4, false},
		{"1/1", 1, 1, false},
		{"4/4", 4, 4, false},
		{"5/4", 0, 0, true},
		{"0/4", 0, 0, true},
		{"1/0", 0, 0, true},
		{"2", 0, 0, true},
		{"a/b", 0, 0, true},
		{"", 0, 0, true},
		{"1/2/3", 0, 0, true},
	}
	for _, tt := range tests {
		k, n, err := ParseShard(tt.in)
		if tt.err {
			assert.ErrorContains(t, err, "want k/n with 1 <= k <= n", tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, [2]int{tt.k, tt.n}, [2]int{k, n}, tt.in)
	}
}

func openTemp(t *testing.T) (*os.File, error) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err == nil {
		t.Cleanup(func() { f.Close() })
	}
	return f, err
}
