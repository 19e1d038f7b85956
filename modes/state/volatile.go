package state

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vlanraw/vlanraw/internal/osfile"
)

// Volatile keeps part of each document out of dir/name.json: the part a
// reboot makes moot, such as records of links in network namespaces,
// which do not outlive the machine. split returns what of v goes to
// dir/name.json (v itself or a copy; it must not change v) and the
// volatile part; join puts a volatile part read back into v.
//
// The volatile part is kept in dir/name.boot-BOOTID.json, BOOTID being
// the kernel's boot ID (/proc/sys/kernel/random/boot_id), and written
// without a sync: an update that changes only that part costs no sync at
// all, and the main file is not rewritten. A power failure may leave
// that file old or torn, but under the boot ID of a boot that is over:
// the next boot reads none, and the next Update removes the files of
// other boots. A volatile file of this boot that does not parse is
// corrupt, like the main file. The intent file, the other record a
// reboot makes moot, is not synced either.
func Volatile[T, V any](split func(v *T) (durable *T, volatile *V), join func(v *T, volatile *V)) Option {
	return func(o *options) {
		o.volatile = &volatileFuncs{
			split: func(v any) (any, any) { d, x := split(v.(*T)); return d, x },
			join: func(v any, data []byte) error {
				x := new(V)
				if err := decodeDocument(data, x); err != nil {
					return err
				}
				join(v.(*T), x)
				return nil
			},
		}
	}
}

// volatileFuncs are Volatile's functions, for any T.
type volatileFuncs struct {
	split func(v any) (durable, volatile any)
	join  func(v any, data []byte) error
}

// bootIDPath is where the kernel tells its boot ID; tests change it.
var bootIDPath = "/proc/sys/kernel/random/boot_id"

// volatileFile returns the name of the volatile file of this boot.
func (s *Store[T]) volatileFile() (string, error) {
	b, err := osfile.ReadFile(bootIDPath)
	if err != nil {
		return "", fmt.Errorf("read the kernel's boot ID: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if id == "" || !validName(id) {
		return "", fmt.Errorf("read the kernel's boot ID: %s holds %q", bootIDPath, b)
	}
	return s.name + ".boot-" + id + ".json", nil
}

// readVolatile joins the volatile file of this boot, if there is one,
// into d.
func (s *Store[T]) readVolatile(d *loaded[T]) error {
	name, err := s.volatileFile()
	if err != nil {
		return err
	}
	d.volName = name
	path := filepath.Join(s.dir, name)
	raw, err := osfile.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state: %w", err)
	}
	env, err := decodeEnvelope(raw)
	if err != nil {
		return s.corruptFile(path, err)
	}
	if env.Schema == nil || *env.Schema != s.schema {
		// Written by another vlanraw during this boot: the main file's
		// schema check stands for both, so this one is not recognised.
		return s.corruptFile(path, fmt.Errorf("its schema is not %d, the main file's", s.schema))
	}
	if err := s.opts.volatile.join(d.v, env.Data); err != nil {
		return s.corruptFile(path, err)
	}
	d.volRaw = raw
	return nil
}

// saveVolatile writes the volatile part, unless the file holds it
// already, without a sync; writing this boot's file for the first time,
// it removes the volatile files of other boots and the temporary files
// any crash left.
func (s *Store[T]) saveVolatile(d *loaded[T], part any) error {
	b, err := s.encodeAny(part)
	if err != nil {
		return err
	}
	if bytes.Equal(b, d.volRaw) {
		return nil
	}
	if d.volRaw == nil {
		s.removeOtherBoots(d.volName)
		removeStale(s.dir)
	}
	if err := replaceFile(s.dir, d.volName, b, noSync); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// removeOtherBoots removes the volatile files of boots other than the one
// named keep: what they record went with their boot.
func (s *Store[T]) removeOtherBoots(keep string) {
	old, _ := filepath.Glob(filepath.Join(s.dir, s.name+".boot-*.json"))
	for _, f := range old {
		if filepath.Base(f) != keep {
			os.Remove(f)
		}
	}
}
