package humaneval

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeGzip compresses src into a .jsonl.gz under a temporary directory.
func writeGzip(t *testing.T, src string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err = zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	path := filepath.Join(t.TempDir(), "sample.jsonl.gz")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path
}

func TestLoadSample(t *testing.T) {
	probs, err := Load("testdata/sample.jsonl")
	require.NoError(t, err)
	require.Len(t, probs, 4)
	assert.Equal(t, "Sample/0", probs[0].TaskID)
	assert.Equal(t, "sum_odd_squares", probs[0].EntryPoint)
	assert.True(t, strings.HasPrefix(probs[0].Prompt, "def sum_odd_squares("))
	assert.Contains(t, probs[0].CanonicalSolution, "return sum(")
	assert.Contains(t, probs[0].Test, "def check(candidate):")
	for _, p := range probs {
		assert.NotEmpty(t, p.CanonicalSolution, p.TaskID)
	}
}

func TestLoadGzipMatchesPlain(t *testing.T) {
	plain, err := Load("testdata/sample.jsonl")
	require.NoError(t, err)
	gz, err := Load(writeGzip(t, "testdata/sample.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, plain, gz)
}

func TestReadErrorsNameTheLine(t *testing.T) {
	good := `{"task_id": "T/0", "prompt": "def f():\n", "canonical_solution": "    return 1\n", "test": "def check(c):\n    assert c() == 1\n", "entry_point": "f"}`
	cases := []struct {
		name, input, want string
	}{
		{"malformed json", good + "\n\n{not json}\n", "line 3: malformed JSON"},
		{"missing entry_point", good + "\n" + `{"task_id": "T/1", "prompt": "p", "test": "t"}` + "\n", `line 2: missing or empty field "entry_point"`},
		{"missing task_id", `{"prompt": "p", "test": "t", "entry_point": "f"}`, `line 1: missing or empty field "task_id"`},
		{"duplicate task_id", good + "\n" + good + "\n", `line 2: task_id "T/0" already on line 1`},
		{"truncated last line", good + "\n" + `{"task_id": "T/1"`, "line 2: malformed JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestReadToleratesBlankLinesAndNoFinalNewline(t *testing.T) {
	in := "\n" + `{"task_id": "A", "prompt": "p", "canonical_solution": "", "test": "t", "entry_point": "f", "extra": 1}` + "\n  \n" +
		`{"task_id": "B", "prompt": "p", "test": "t", "entry_point": "g"}`
	probs, err := Read(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, probs, 2)
	assert.Equal(t, "A", probs[0].TaskID)
	assert.Equal(t, "g", probs[1].EntryPoint)
}

func TestReadLongLines(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	in := `{"task_id": "L", "prompt": "` + long + `", "test": "t", "entry_point": "f"}` + "\n"
	probs, err := Read(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, probs, 1)
	assert.Len(t, probs[0].Prompt, len(long))
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.jsonl"))
	require.ErrorIs(t, err, os.ErrNotExist)

	bad := filepath.Join(t.TempDir(), "bad.jsonl.gz")
	require.NoError(t, os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 1, 2}, 0o644))
	_, err = Load(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.jsonl.gz")
}
