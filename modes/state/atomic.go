package state

import (
	"fmt"
	"os"
	"path/filepath"
)

// testHookBeforeRename, when set by a test, is called with the name of
// a complete temporary file (synced, for the state file) just before it
// is renamed over the state file or the intent file. An error stops the
// write.
var testHookBeforeRename func(tmp string) error

// tempPattern is the os.CreateTemp pattern of the temporary files for the
// file named name.
func tempPattern(name string) string { return name + ".tmp-*" }

// removeStale removes the temporary files for dir/name that an earlier
// crash left behind. The caller holds the exclusive lock, so no other
// writer can be using them.
func removeStale(dir, name string) {
	stale, _ := filepath.Glob(filepath.Join(dir, tempPattern(name)))
	for _, s := range stale {
		os.Remove(s)
	}
}

// writeAtomic replaces dir/name with data: it writes a temporary file in
// dir, syncs it, renames it over dir/name and, when durable, syncs dir.
// Either way the file holds the old data or the new, complete, whenever
// the machine stops; only durable makes sure it is the new. Temporary
// files left behind by an earlier crash are removed first.
func writeAtomic(dir, name string, data []byte, durable bool) error {
	if err := replaceFile(dir, name, data, durable); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// replaceFile writes data into a temporary file in dir and renames it
// over dir/name, after removing the temporary files an earlier crash
// left. It syncs the file before the rename and, when durable, dir after
// it.
func replaceFile(dir, name string, data []byte, durable bool) (err error) {
	removeStale(dir, name)
	f, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if testHookBeforeRename != nil {
		if err := testHookBeforeRename(tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	if !durable {
		return nil
	}
	return syncDir(dir)
}

// testHookSyncDir, when set by a test, is called with the directory
// each time syncDir runs.
var testHookSyncDir func(dir string)

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	if testHookSyncDir != nil {
		testHookSyncDir(dir)
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
