package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// itemsVolatile keeps doc's Items in the volatile file.
func itemsVolatile() Option {
	return Volatile(func(d *doc) (*doc, *[]string) {
		durable := *d
		durable.Items = nil
		return &durable, &d.Items
	}, func(d *doc, items *[]string) { d.Items = *items })
}

// bootAs makes the Store see boot ID id, as a file in dir.
func bootAs(t *testing.T, dir, id string) {
	t.Helper()
	p := filepath.Join(dir, "boot_id")
	if err := os.WriteFile(p, []byte(id+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := bootIDPath
	bootIDPath = p
	t.Cleanup(func() { bootIDPath = old })
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func viewDoc(t *testing.T, s *Store[doc]) doc {
	t.Helper()
	var got doc
	if err := s.View(func(d *doc) error { got = *d; return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// An update that changes only the volatile part leaves the main file as
// it is and syncs nothing; one that changes the rest syncs the directory.
// The volatile part is read back with the rest.
func TestVolatileUpdateSyncsNothing(t *testing.T) {
	dir := t.TempDir()
	bootAs(t, t.TempDir(), "b1")
	s := open(t, dir, 1, itemsVolatile())
	var syncs int
	testHookSyncDir = func(string) { syncs++ }
	t.Cleanup(func() { testHookSyncDir = nil })

	if err := s.Update(func(d *doc) error { d.Ints = []int{1}; return nil }); err != nil {
		t.Fatal(err)
	}
	if syncs != 1 {
		t.Errorf("a change of the durable part synced the directory %d times, want 1", syncs)
	}
	main := inode(t, s.Path())
	syncs = 0
	for _, item := range []string{"a", "b"} {
		if err := s.Update(func(d *doc) error { d.Items = append(d.Items, item); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if syncs != 0 {
		t.Errorf("changes of the volatile part synced the directory %d times, want 0", syncs)
	}
	if got := inode(t, s.Path()); got != main {
		t.Errorf("changes of the volatile part replaced %s", s.Path())
	}
	// The volatile file is swapped in (RENAME_EXCHANGE) and the old one
	// removed: nothing else is left.
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"test.boot-b1.json", "test.json", "test.lock"}, names); diff != "" {
		t.Errorf("state directory (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(`{
  "schema": 1,
  "data": {
    "ints": [
      1
    ]
  }
}
`, string(read(t, s.Path()))); diff != "" {
		t.Errorf("main file (-want +got):\n%s", diff)
	}
	if got := read(t, filepath.Join(dir, "test.boot-b1.json")); !sameJSON(t, got, `{"schema":1,"data":["a","b"]}`) {
		t.Errorf("volatile file holds %s", got)
	}
	if diff := cmp.Diff(doc{Ints: []int{1}, Items: []string{"a", "b"}}, viewDoc(t, s)); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
}

// After a reboot (another boot ID) the volatile part of the previous boot
// is not read, torn or not, and the next update removes its file.
func TestVolatileOfOtherBootIsGone(t *testing.T) {
	dir, ids := t.TempDir(), t.TempDir()
	bootAs(t, ids, "b1")
	s := open(t, dir, 1, itemsVolatile())
	if err := s.Update(func(d *doc) error { d.Ints, d.Items = []int{1}, []string{"a"}; return nil }); err != nil {
		t.Fatal(err)
	}
	// A power failure tore b1's file.
	old := filepath.Join(dir, "test.boot-b1.json")
	if err := os.WriteFile(old, []byte(`{"schema":1,"da`), 0o600); err != nil {
		t.Fatal(err)
	}
	bootAs(t, ids, "b2")
	if diff := cmp.Diff(doc{Ints: []int{1}}, viewDoc(t, s)); diff != "" {
		t.Errorf("document after a reboot (-want +got):\n%s", diff)
	}
	if err := s.Update(func(d *doc) error { d.Items = []string{"b"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the previous boot's volatile file is still there (%v)", err)
	}
	if diff := cmp.Diff(doc{Ints: []int{1}, Items: []string{"b"}}, viewDoc(t, s)); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
}

// A volatile file of this boot that does not parse, or was written with
// another schema, is corrupt, named, never reset; so is a document the
// validator refuses once both parts are joined.
func TestVolatileCorrupt(t *testing.T) {
	for _, tt := range []struct {
		name, content string
	}{
		{"torn", `{"schema":1,"da`},
		{"other schema", `{"schema":2,"data":["a"]}`},
		{"wrong type", `{"schema":1,"data":{"a":1}}`},
		{"refused by the validator", `{"schema":1,"data":["bad"]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			bootAs(t, t.TempDir(), "b1")
			s := open(t, dir, 1, itemsVolatile())
			s.SetValidate(func(d *doc) error {
				for _, it := range d.Items {
					if it == "bad" {
						return errors.New("a bad item")
					}
				}
				return nil
			})
			path := filepath.Join(dir, "test.boot-b1.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			err := s.Update(func(*doc) error { t.Error("Update called fn on a corrupt document"); return nil })
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Update: %v, want ErrCorrupt", err)
			}
			if got := read(t, path); string(got) != tt.content {
				t.Errorf("the corrupt file was changed to %s", got)
			}
		})
	}
}

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(t *testing.T, a []byte, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return cmp.Equal(x, y)
}
