package cassette

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// MetaFile is the name of the metadata sidecar in a cassette directory.
const MetaFile = "recorded.json"

// Meta is what a directory of cassettes was recorded against, written by
// record mode beside them so that a reader knows how old they are and
// whether the schemas they were checked with are still the current ones.
type Meta struct {
	Recorded time.Time `json:"recorded"`
	Endpoint string    `json:"endpoint"` // host only
	Model    string    `json:"model"`
	GPU      string    `json:"gpu,omitempty"`
	Backend  string    `json:"backend,omitempty"`
	// ServerVersion is the version the server reported, when it says.
	ServerVersion string `json:"server_version,omitempty"`
	// IRSchema and CodeSchema are the SHA-256 of the stage schemas sent.
	IRSchema   string `json:"ir_schema_sha256"`
	CodeSchema string `json:"code_schema_sha256"`
}

// SchemaHash is the hex SHA-256 of a schema document.
func SchemaHash(doc []byte) string {
	h := sha256.Sum256(doc)
	return hex.EncodeToString(h[:])
}

// WriteMeta writes dir's sidecar, replacing the previous one.
func WriteMeta(dir string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+MetaFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cassette metadata: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, MetaFile))
}

// ReadMeta reads dir's sidecar; ok is false when there is none.
func ReadMeta(dir string) (m Meta, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	} else if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("%s: %w", filepath.Join(dir, MetaFile), err)
	}
	return m, true, nil
}

// Describe says what the cassettes were recorded against and how old they
// are at now, and whether the schemas still match irSchema and codeSchema
// (the current hashes).
func (m Meta) Describe(now time.Time, irSchema, codeSchema string) string {
	age := now.Sub(m.Recorded).Round(time.Hour)
	s := fmt.Sprintf("recorded %s (%s ago) against %s, model %s", m.Recorded.UTC().Format(time.RFC3339), age, m.Endpoint, m.Model)
	if m.GPU != "" {
		s += ", GPU " + m.GPU
	}
	if m.ServerVersion != "" {
		s += ", server " + m.ServerVersion
	}
	if m.IRSchema == irSchema && m.CodeSchema == codeSchema {
		s += "; schemas unchanged since"
	} else {
		s += "; SCHEMAS CHANGED since the recording: re-record"
	}
	return s
}
