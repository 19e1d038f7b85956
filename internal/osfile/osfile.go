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
// an emulated guest. The files these functions return are *os.File as
// ever, in blocking mode (os.NewFile of a blocking descriptor registers
// nothing), with errors that match fs.ErrNotExist and the like as os's
// do.
package osfile

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// OpenFile opens path as os.OpenFile(path, flag, perm) does, for files
// the poller cannot serve: regular files, directories, procfs and nsfs
// files. (Not FIFOs, terminals or sockets.)
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// Open opens path for reading, as os.Open does (see OpenFile).
func Open(path string) (*os.File, error) { return OpenFile(path, os.O_RDONLY, 0) }

// ReadFile reads the file at path whole, as os.ReadFile does (see
// OpenFile).
func ReadFile(path string) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := 512 // procfs files say 0
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < 1<<30 {
		size = int(fi.Size()) + 1
	}
	b := make([]byte, 0, size)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
