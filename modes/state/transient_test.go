package state

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A transient update is saved like any other, the file synced before the
// rename, but the directory is not synced after it; every other update,
// and the save that finishes a stopped command's intent, syncs it.
func TestTransientSkipsDirectorySync(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, 1)
	var syncs []string
	testHookSyncDir = func(d string) { syncs = append(syncs, d) }
	t.Cleanup(func() { testHookSyncDir = nil })

	for _, tt := range []struct {
		name      string
		transient bool
		item      string
		wantSyncs int
	}{
		{"durable", false, "a", 1},
		{"transient", true, "b", 0},
		{"durable again", false, "c", 1},
	} {
		syncs = nil
		err := s.Update(func(d *doc) error {
			if tt.transient {
				s.Transient()
			}
			d.Items = append(d.Items, tt.item)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(syncs) != tt.wantSyncs {
			t.Errorf("%s: the directory was synced %d times, want %d", tt.name, len(syncs), tt.wantSyncs)
		}
	}
	var got doc
	if err := s.View(func(d *doc) error { got = *d; return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, got.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	// Transient outside an Update does nothing.
	s.Transient()
}
