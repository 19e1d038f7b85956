package state

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The state files are read and written through bare descriptors (see
// osfile.OpenFD), with these helpers, which retry what a signal
// interrupts.

// writeFD writes data into the file fd, opened from path, syncs it when
// mode says so, and closes it.
func writeFD(fd int, path string, data []byte, mode syncMode) error {
	err := pwriteAll(fd, path, data, 0)
	if err == nil && mode == synced {
		if err = fsync(fd); err != nil {
			err = fmt.Errorf("sync %s: %w", path, err)
		}
	}
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = &os.PathError{Op: "close", Path: path, Err: cerr}
	}
	return err
}

// pwriteAll writes b at off in the file fd, opened from path.
func pwriteAll(fd int, path string, b []byte, off int64) error {
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "write", Path: path, Err: err}
		}
		b, off = b[n:], off+int64(n)
	}
	return nil
}

// preadFull reads b from off in the file fd, until b is full or the
// file ends, and returns how much it read.
func preadFull(fd int, b []byte, off int64) (int, error) {
	got := 0
	for got < len(b) {
		n, err := unix.Pread(fd, b[got:], off+int64(got))
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return got, err
		}
		got += n
	}
	return got, nil
}

// fsync calls fsync(2) until a signal does not interrupt it.
func fsync(fd int) error {
	for {
		err := unix.Fsync(fd)
		if err != unix.EINTR {
			return err
		}
	}
}
