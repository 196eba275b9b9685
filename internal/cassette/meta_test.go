package cassette

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMeta(t *testing.T) {
	dir := t.TempDir()
	_, ok, err := ReadMeta(dir)
	require.NoError(t, err)
	assert.False(t, ok)

	rec := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	m := Meta{Recorded: rec, Endpoint: "127.0.0.1:8787", Model: "m", ServerVersion: "1.2", IRSchema: SchemaHash([]byte("a")), CodeSchema: SchemaHash([]byte("b"))}
	require.NoError(t, WriteMeta(dir, m))
	got, ok, err := ReadMeta(dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, m, got)
	assert.Len(t, got.IRSchema, 64)

	now := rec.Add(48 * time.Hour)
	d := got.Describe(now, SchemaHash([]byte("a")), SchemaHash([]byte("b")))
	assert.Contains(t, d, "recorded 2026-11-01T12:00:00Z (48h0m0s ago) against 127.0.0.1:8787, model m, server 1.2; schemas unchanged")
	assert.Contains(t, got.Describe(now, SchemaHash([]byte("a2")), SchemaHash([]byte("b"))), "SCHEMAS CHANGED")
}
