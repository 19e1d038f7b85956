package netns

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// ID identifies a network namespace while it exists: the device and
// inode of its nsfs file. /proc shows the inode as net:[INODE].
type ID struct {
	Dev, Inode uint64
}

// String returns the ID as /proc shows it: net:[INODE].
func (id ID) String() string { return fmt.Sprintf("net:[%d]", id.Inode) }

// ID returns the identity of the namespace; on nil, that of the calling
// thread's.
func (n *NS) ID() (ID, error) {
	var st unix.Stat_t
	if n == nil {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
			return ID{}, fmt.Errorf("stat the current network namespace: %w", err)
		}
		return ID{Dev: st.Dev, Inode: st.Ino}, nil
	}
	if err := unix.Fstat(n.FD(), &st); err != nil {
		return ID{}, fmt.Errorf("stat network namespace %s: %w", n.Path(), err)
	}
	return ID{Dev: st.Dev, Inode: st.Ino}, nil
}

// IDAt returns the identity of the file at path, following links, such
// as /proc/1/ns/net or /run/netns/blue. It does not check that the file
// is a network namespace.
func IDAt(path string) (ID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return ID{}, pathError(path, err)
	}
	return ID{Dev: st.Dev, Inode: st.Ino}, nil
}
