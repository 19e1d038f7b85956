package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMigrationBackup checks that the first Update that writes a migrated
// file backs up the file as it was, and that later ones keep that backup.
func TestMigrationBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.json")
	bak := path + ".schema1.bak"
	const v1 = `{"schema": 1, "data": {"items": ["old"]}}`
	rename := func(from int, data json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(strings.ReplaceAll(string(data), `"old"`, `"migrated"`)), nil
	}
	noBackup := func(when string) {
		t.Helper()
		if _, err := os.Lstat(bak); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: backup %v, want none", when, err)
		}
	}

	write(t, path, v1)
	s := open(t, dir, 2, Migrate(rename))
	if got := view(t, s).Items; !slices.Equal(got, []string{"migrated"}) {
		t.Fatalf("Items = %q", got)
	}
	noBackup("after View")
	if err := s.Update(func(*doc) error { return errors.New("no") }); err == nil {
		t.Fatal("Update succeeded")
	}
	noBackup("after a failed Update")

	// The backup is complete before the state file is replaced.
	testHookBeforeRename = func(tmp string) error {
		if strings.HasSuffix(tmp, ".json.tmp") {
			if got := string(read(t, bak)); got != v1 {
				t.Errorf("backup before the state file is replaced:\n%s\nwant:\n%s", got, v1)
			}
		}
		return nil
	}
	defer func() { testHookBeforeRename = nil }()
	if err := s.Update(func(d *doc) error { d.Items = append(d.Items, "new"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := string(read(t, bak)); got != v1 {
		t.Errorf("backup:\n%s\nwant:\n%s", got, v1)
	}
	var env envelope
	if err := json.Unmarshal(read(t, path), &env); err != nil || env.Schema != 2 {
		t.Errorf("state file schema %d (%v), want 2", env.Schema, err)
	}

	// Another file of schema 1 is migrated, but the first backup stays.
	write(t, path, `{"schema": 1, "data": {"items": ["old", "older"]}}`)
	if err := s.Update(func(*doc) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := string(read(t, bak)); got != v1 {
		t.Errorf("backup replaced by:\n%s", got)
	}
	if got := view(t, s).Items; !slices.Equal(got, []string{"migrated", "older"}) {
		t.Errorf("Items = %q", got)
	}

	// Files of the store's own schema are not backed up.
	if err := s.Update(func(d *doc) error { d.Items = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"test.json", "test.json.schema1.bak", "test.lock"}; !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
}
