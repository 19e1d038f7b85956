package state

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Inode flags of linux/fs.h, which golang.org/x/sys/unix lacks.
const (
	fsImmutableFL = 0x00000010 // FS_IMMUTABLE_FL, chattr +i
	fsAppendFL    = 0x00000020 // FS_APPEND_FL, chattr +a
)

// fileFlags returns the inode flags (FS_IOC_GETFLAGS, as lsattr shows
// them) of the file at path. A missing file, a symbolic link and a file
// system without inode flags have none.
func fileFlags(path string) (uint32, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ELOOP) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	switch {
	case errors.Is(err, unix.ENOTTY), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EINVAL):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return flags, nil
}

// flagsFix says why a file with flags cannot be replaced or written in,
// and what to do, or returns "" if its flags allow it.
func flagsFix(flags uint32) string {
	switch {
	case flags&fsImmutableFL != 0:
		return "immutable: chattr -i it"
	case flags&fsAppendFL != 0:
		return "append-only: chattr -a it"
	}
	return ""
}
