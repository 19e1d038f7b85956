package vm

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// File type bits of a cpio mode, as in stat(2).
const (
	cpioTypeDir     = 0o040000
	cpioTypeRegular = 0o100000
	cpioTypeSymlink = 0o120000
	cpioTypeCharDev = 0o020000
)

const (
	cpioMagic   = "070701"
	cpioTrailer = "TRAILER!!!"
)

// cpioWriter writes an archive in the "newc" format that the Linux kernel
// unpacks as an initramfs (Documentation/driver-api/early-userspace/
// buffer-format.rst).
type cpioWriter struct {
	w      io.Writer
	off    int64
	ino    uint32
	closed bool
}

// cpioHeader describes one archive member.
type cpioHeader struct {
	Name     string
	Mode     uint32 // type and permission bits
	Size     int64
	DevMajor uint32 // for device nodes
	DevMinor uint32
}

func newCPIOWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: w, ino: 1}
}

// writeHeader writes the header of one member; exactly hdr.Size bytes of
// content must follow through write.
func (cw *cpioWriter) writeHeader(hdr cpioHeader) error {
	if cw.closed {
		return errors.New("cpio: write after close")
	}
	name := strings.TrimPrefix(hdr.Name, "/")
	if name == "" {
		name = "."
	}
	if hdr.Size < 0 || hdr.Size > 0xffffffff {
		return fmt.Errorf("cpio: %s: size %d out of range", name, hdr.Size)
	}
	nlink := 1
	if hdr.Mode&0o170000 == cpioTypeDir {
		nlink = 2
	}
	ino := cw.ino
	if name == cpioTrailer {
		ino = 0
	}
	cw.ino++
	// magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	// devminor, rdevmajor, rdevminor, namesize, check.
	h := fmt.Sprintf("%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		cpioMagic, ino, hdr.Mode, 0, 0, nlink, 0, hdr.Size, 0, 0,
		hdr.DevMajor, hdr.DevMinor, len(name)+1, 0)
	if err := cw.write([]byte(h + name + "\x00")); err != nil {
		return err
	}
	return cw.pad()
}

// write writes member content.
func (cw *cpioWriter) write(p []byte) error {
	n, err := cw.w.Write(p)
	cw.off += int64(n)
	if err != nil {
		return fmt.Errorf("cpio: %w", err)
	}
	return nil
}

// copyFrom writes exactly size bytes of member content read from r, then the
// padding.
func (cw *cpioWriter) copyFrom(r io.Reader, size int64) error {
	n, err := io.Copy(cw.w, io.LimitReader(r, size))
	cw.off += n
	if err != nil {
		return fmt.Errorf("cpio: %w", err)
	}
	if n != size {
		return fmt.Errorf("cpio: short content: %d of %d bytes", n, size)
	}
	return cw.pad()
}

// pad aligns the output to four bytes.
func (cw *cpioWriter) pad() error {
	if rem := cw.off % 4; rem != 0 {
		return cw.write(make([]byte, 4-rem))
	}
	return nil
}

// Dir adds a directory.
func (cw *cpioWriter) Dir(name string, perm uint32) error {
	return cw.writeHeader(cpioHeader{Name: name, Mode: cpioTypeDir | perm&0o7777})
}

// File adds a regular file of size bytes read from r.
func (cw *cpioWriter) File(name string, perm uint32, r io.Reader, size int64) error {
	if err := cw.writeHeader(cpioHeader{Name: name, Mode: cpioTypeRegular | perm&0o7777, Size: size}); err != nil {
		return err
	}
	return cw.copyFrom(r, size)
}

// Symlink adds a symbolic link to target.
func (cw *cpioWriter) Symlink(name, target string) error {
	if err := cw.writeHeader(cpioHeader{Name: name, Mode: cpioTypeSymlink | 0o777, Size: int64(len(target))}); err != nil {
		return err
	}
	if err := cw.write([]byte(target)); err != nil {
		return err
	}
	return cw.pad()
}

// CharDev adds a character device node.
func (cw *cpioWriter) CharDev(name string, perm, major, minor uint32) error {
	return cw.writeHeader(cpioHeader{Name: name, Mode: cpioTypeCharDev | perm&0o7777, DevMajor: major, DevMinor: minor})
}

// Close writes the trailer. It does not close the underlying writer.
func (cw *cpioWriter) Close() error {
	if cw.closed {
		return nil
	}
	if err := cw.writeHeader(cpioHeader{Name: cpioTrailer}); err != nil {
		return err
	}
	cw.closed = true
	return nil
}
