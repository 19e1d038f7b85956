package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// backupName is the name of the copy of the state file name as it was
// with the older schema before it was migrated.
func backupName(name string, schema int) string {
	return fmt.Sprintf("%s.schema%d.bak", name, schema)
}

// backup saves raw, the state file as written with the older schema,
// durably as dir/NAME.json.schemaN.bak, unless that file exists already:
// the first backup of a schema is the one to keep.
func (s *Store[T]) backup(raw []byte, schema int) error {
	name := backupName(s.file(), schema)
	_, err := os.Lstat(filepath.Join(s.dir, name))
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = replaceFile(s.dir, name, raw, true)
	}
	if err != nil {
		return fmt.Errorf("back up state file %s before migrating it from schema %d: %w", s.Path(), schema, err)
	}
	return nil
}
