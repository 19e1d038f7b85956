package bpf

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf"
)

// SetAttachStep sets the function Attach calls after each step.
func SetAttachStep(fn func(step string)) { attachStep = fn }

// SetPinRoot points the pins elsewhere on a BPF file system and returns
// the old root.
func SetPinRoot(dir string) string {
	old := pinRoot
	pinRoot = dir
	return old
}

// PinRoot is where the pins go.
func PinRoot() string { return pinRoot }

// Objects is a loaded classifier that is not attached anywhere, for
// BPF_PROG_TEST_RUN.
type Objects struct {
	Program *ebpf.Program
	objs    counterObjects
}

// LoadObjects loads a fresh classifier.
func LoadObjects() (*Objects, error) {
	o := &Objects{}
	if err := loadClassifier(&o.objs); err != nil {
		return nil, err
	}
	o.Program = o.objs.CountFrames
	return o, nil
}

// Counts reads its counters.
func (o *Objects) Counts() (Counts, error) { return readCounts(o.objs.Classes, o.objs.Vlans) }

// Close releases it.
func (o *Objects) Close() error { return o.objs.Close() }

// MakeStale rewrites the record of the pinned hook in dir, and the
// clsact marks beside it, as if a namespace that is gone, with the same
// inode number, had left them.
func MakeStale(dir string) error {
	r, err := readRecord(dir)
	if err != nil {
		return err
	}
	r.Cookie++
	if err := writeRecord(dir, r); err != nil {
		return err
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range ents {
		p := filepath.Join(filepath.Dir(dir), e.Name())
		if s, err := os.Readlink(p); err == nil && strings.HasPrefix(e.Name(), "clsact-") {
			os.Remove(p)
			if err := os.Symlink(markText(qdiscKey{cookie: markCookie(s) + 1}), p); err != nil {
				return err
			}
		}
	}
	return nil
}
