// Package osfile opens files as package os does, without the attempt to
// register them with the Go runtime's network poller.
//
// os.Open and os.OpenFile treat every file as one the poller might
// serve: they set O_NONBLOCK, try epoll_ctl, which Linux refuses for
// regular files, procfs and nsfs files, and clear O_NONBLOCK again: four
// system calls more per open that do nothing. vlanraw opens a dozen such
// files in each command and each CNI ADD or DEL (the state directory's
// lock, intent, state files, the kernel's boot ID, a namespace's file),
// where a system call costs microseconds on a host and tens of them in
// an emulated guest. The files OpenFile and Open return are *os.File as
// ever, in blocking mode (os.NewFile of a blocking descriptor registers
// nothing); OpenFD and ReadFile do without an *os.File. Errors match
// fs.ErrNotExist and the like as os's do.
package osfile

import (
	"os"
	"slices"

	"golang.org/x/sys/unix"
)

// OpenFile opens path as os.OpenFile(path, flag, perm) does, for files
// the poller cannot serve: regular files, directories, procfs and nsfs
// files. (Not FIFOs, terminals or sockets.)
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	fd, err := OpenFD(path, flag, perm)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// Open opens path for reading, as os.Open does (see OpenFile).
func Open(path string) (*os.File, error) { return OpenFile(path, os.O_RDONLY, 0) }

// OpenFD opens path as OpenFile does and returns the bare descriptor
// (close-on-exec), for a caller that reads or writes it with system
// calls of its own and closes it with unix.Close: an *os.File costs one
// fcntl(2) more to make (os.NewFile asks for the descriptor's flags).
func OpenFD(path string, flag int, perm os.FileMode) (int, error) {
	for {
		fd, err := unix.Open(path, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
		switch {
		case err == nil:
			return fd, nil
		case err != unix.EINTR:
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
	}
}

// ReadFile reads the file at path whole, as os.ReadFile does, in four
// system calls for a small file (open, read, the read that finds the end,
// close) where reading it through an *os.File makes six (fcntl and fstat
// more).
func ReadFile(path string) ([]byte, error) {
	fd, err := OpenFD(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	b := make([]byte, 0, 4096)
	for {
		n, err := unix.Read(fd, b[len(b):cap(b)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return b, &os.PathError{Op: "read", Path: path, Err: err}
		case n == 0:
			return b, nil
		}
		b = b[:len(b)+n]
		if len(b) == cap(b) {
			b = slices.Grow(b, cap(b))
		}
	}
}
