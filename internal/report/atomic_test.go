package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("replaces", func(t *testing.T) {
		err := WriteFileAtomic(path, func(w io.Writer) error {
			_, err := io.WriteString(w, "new")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		assertFile(t, path, "new")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), os.FileMode(0o644); got != want {
			t.Errorf("mode = %v, want %v", got, want)
		}
		assertOnly(t, dir, "results.json")
	})

	t.Run("error keeps the old file", func(t *testing.T) {
		boom := errors.New("boom")
		err := WriteFileAtomic(path, func(w io.Writer) error {
			io.WriteString(w, "half")
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		assertFile(t, path, "new")
		assertOnly(t, dir, "results.json")
	})

	t.Run("panic keeps the old file", func(t *testing.T) {
		func() {
			defer func() { recover() }()
			WriteFileAtomic(path, func(w io.Writer) error {
				io.WriteString(w, "half")
				panic("boom")
			})
		}()
		assertFile(t, path, "new")
		assertOnly(t, dir, "results.json")
	})

	t.Run("missing directory", func(t *testing.T) {
		err := WriteFileAtomic(filepath.Join(dir, "nope", "x.json"), func(io.Writer) error { return nil })
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v, want one wrapping os.ErrNotExist", err)
		}
	})
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

// assertOnly checks that dir holds exactly the named files: no temporary
// file was left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("%s holds %q, want %q", dir, got, names)
		}
	}
}
