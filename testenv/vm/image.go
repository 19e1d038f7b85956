package vm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// entryKind is the type of an image member.
type entryKind int

const (
	entryDir entryKind = iota
	entryFile
	entrySymlink
	entryCharDev
)

// entry is one member of an image: a directory, a regular file whose content
// comes from a host file or from memory, a symbolic link or a device node.
type entry struct {
	kind   entryKind
	perm   uint32
	source string // host file, for entryFile
	data   []byte // content, for entryFile without source
	target string // for entrySymlink
	major  uint32 // for entryCharDev
	minor  uint32
}

// image is the file tree of an initramfs, keyed by absolute guest path.
type image struct {
	entries map[string]*entry
}

func newImage() *image {
	return &image{entries: make(map[string]*entry)}
}

// put records e at name, creating missing parent directories. Adding the
// same thing twice is fine; adding something else at a taken path is not.
func (im *image) put(name string, e *entry) error {
	name = filepath.Clean("/" + name)
	if name == "/" {
		if e.kind != entryDir {
			return errors.New("image: / must be a directory")
		}
		return nil
	}
	if err := im.parents(name); err != nil {
		return err
	}
	if old, ok := im.entries[name]; ok {
		if old.kind == entryDir && e.kind == entryDir {
			old.perm = e.perm // an explicit directory beats an implicit parent
			return nil
		}
		if sameEntry(old, e) {
			return nil
		}
		return fmt.Errorf("image: %s added twice with different content", name)
	}
	im.entries[name] = e
	return nil
}

func sameEntry(a, b *entry) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case entryDir:
		return true
	case entrySymlink:
		return a.target == b.target
	case entryCharDev:
		return a.major == b.major && a.minor == b.minor
	default:
		if a.source != "" || b.source != "" {
			return a.source == b.source
		}
		return bytes.Equal(a.data, b.data)
	}
}

// parents creates the missing parent directories of name.
func (im *image) parents(name string) error {
	dir := filepath.Dir(name)
	if dir == "/" {
		return nil
	}
	if e, ok := im.entries[dir]; ok {
		if e.kind != entryDir {
			return fmt.Errorf("image: parent %s of %s is not a directory", dir, name)
		}
		return nil
	}
	if err := im.parents(dir); err != nil {
		return err
	}
	im.entries[dir] = &entry{kind: entryDir, perm: 0o755}
	return nil
}

// Dir adds a directory.
func (im *image) Dir(name string, perm uint32) error {
	return im.put(name, &entry{kind: entryDir, perm: perm})
}

// Bytes adds a regular file with the given content.
func (im *image) Bytes(name string, data []byte, perm uint32) error {
	return im.put(name, &entry{kind: entryFile, perm: perm, data: data})
}

// HostFile adds the host's regular file source under the guest path name.
func (im *image) HostFile(name, source string) error {
	fi, err := os.Stat(source)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("image: %s is not a regular file", source)
	}
	return im.put(name, &entry{kind: entryFile, perm: unixPerm(fi.Mode()), source: source})
}

// Symlink adds a symbolic link.
func (im *image) Symlink(name, target string) error {
	return im.put(name, &entry{kind: entrySymlink, target: target})
}

// CharDev adds a character device node.
func (im *image) CharDev(name string, perm, major, minor uint32) error {
	return im.put(name, &entry{kind: entryCharDev, perm: perm, major: major, minor: minor})
}

// Mirror adds the host path p at the same guest path, with every symbolic
// link met on the way (such as /lib -> usr/lib on a merged-/usr system)
// recreated, so that the guest resolves p exactly as the host does. A
// directory is added without its content.
func (im *image) Mirror(p string) error {
	p, err := filepath.Abs(p)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	for range 64 {
		next, err := im.mirrorStep(p)
		if err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		p = next
	}
	return fmt.Errorf("image: %s: too many levels of symbolic links", p)
}

// mirrorStep mirrors p up to the first symbolic link and returns the path
// that the link leads to, or "" once p is mirrored completely.
func (im *image) mirrorStep(p string) (string, error) {
	comps := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	cur := "/"
	for i, c := range comps {
		if c == "" {
			continue
		}
		cur = filepath.Join(cur, c)
		fi, err := os.Lstat(cur)
		if err != nil {
			return "", fmt.Errorf("image: %w", err)
		}
		last := i == len(comps)-1
		switch mode := fi.Mode(); {
		case mode&fs.ModeSymlink != 0:
			target, err := os.Readlink(cur)
			if err != nil {
				return "", fmt.Errorf("image: %w", err)
			}
			if err := im.Symlink(cur, target); err != nil {
				return "", err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			return filepath.Join(append([]string{target}, comps[i+1:]...)...), nil
		case mode.IsDir():
			if err := im.Dir(cur, unixPerm(mode)); err != nil {
				return "", err
			}
		case last && mode.IsRegular():
			if err := im.put(cur, &entry{kind: entryFile, perm: unixPerm(mode), source: cur}); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("image: %s: unsupported file type %v", cur, mode.Type())
		}
	}
	return "", nil
}

// MirrorTree mirrors the host directory root and everything below it.
// Symbolic links inside the tree are copied as links, not followed.
func (im *image) MirrorTree(root string) error {
	if err := im.Mirror(root); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("image: %w", err)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("image: %w", err)
		}
		switch mode := info.Mode(); {
		case mode.IsDir():
			return im.Dir(p, unixPerm(mode))
		case mode&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("image: %w", err)
			}
			return im.Symlink(p, target)
		case mode.IsRegular():
			return im.put(p, &entry{kind: entryFile, perm: unixPerm(mode), source: p})
		default:
			return nil // sockets, fifos and devices are left out
		}
	})
}

// WriteTo writes the image as a newc cpio archive, parents before children.
func (im *image) WriteTo(w io.Writer) (int64, error) {
	names := make([]string, 0, len(im.entries))
	for name := range im.entries {
		names = append(names, name)
	}
	sort.Strings(names) // a parent is a prefix of its children
	cw := newCPIOWriter(w)
	for _, name := range names {
		if err := im.writeEntry(cw, name, im.entries[name]); err != nil {
			return cw.off, err
		}
	}
	err := cw.Close()
	return cw.off, err
}

func (im *image) writeEntry(cw *cpioWriter, name string, e *entry) error {
	switch e.kind {
	case entryDir:
		return cw.Dir(name, e.perm)
	case entrySymlink:
		return cw.Symlink(name, e.target)
	case entryCharDev:
		return cw.CharDev(name, e.perm, e.major, e.minor)
	}
	if e.source == "" {
		return cw.File(name, e.perm, bytes.NewReader(e.data), int64(len(e.data)))
	}
	f, err := os.Open(e.source)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return cw.File(name, e.perm, f, fi.Size())
}
