package bpf

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/vlanraw/vlanraw/netns"
	"golang.org/x/sys/unix"
)

// netnsInode returns the inode number that identifies the network
// namespace ns, or the calling thread's when ns is nil.
func netnsInode(ns *netns.NS) (uint64, error) {
	var st unix.Stat_t
	if ns != nil {
		if err := unix.Fstat(ns.FD(), &st); err != nil {
			return 0, fmt.Errorf("stat network namespace %s: %w", ns.Path(), err)
		}
		return st.Ino, nil
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		return 0, fmt.Errorf("stat the current network namespace: %w", err)
	}
	return st.Ino, nil
}

// netnsCookie returns the cookie of the namespace ns (or the caller's),
// which, unlike its inode number, the kernel never gives to another
// namespace (SO_NETNS_COOKIE, Linux 5.14); 0 when it cannot tell.
func netnsCookie(ns *netns.NS) uint64 {
	var cookie uint64
	inNetNS(ns, func() error {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		cookie, err = unix.GetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_NETNS_COOKIE)
		return err
	})
	return cookie
}

// sameNetNS reports whether two cookies name the same namespace; an
// unknown cookie (0) matches any.
func sameNetNS(a, b uint64) bool { return a == 0 || b == 0 || a == b }

// inNetNS runs fn in ns, or right here when ns is nil.
func inNetNS(ns *netns.NS, fn func() error) error {
	if ns == nil {
		return fn()
	}
	return ns.Do(fn)
}

// netnsName names the namespace with inode ino for people: the name of
// a namespace under /run/netns with that inode, "" for the namespace of
// process 1 (the host's), or "netns:[INODE]" as /proc shows it.
func netnsName(ino uint64) string {
	var st unix.Stat_t
	if unix.Stat("/proc/1/ns/net", &st) == nil && st.Ino == ino {
		return ""
	}
	ents, _ := os.ReadDir(netns.Dir)
	for _, e := range ents {
		if unix.Stat(filepath.Join(netns.Dir, e.Name()), &st) == nil && st.Ino == ino {
			return e.Name()
		}
	}
	return fmt.Sprintf("net:[%d]", ino)
}

// describeNetNS names the namespace with inode ino in messages.
func describeNetNS(ino uint64) string {
	if name := netnsName(ino); name != "" {
		return name
	}
	return fmt.Sprintf("net:[%d] (process 1's)", ino)
}

// kernelRelease returns `uname -r`, for messages.
func kernelRelease() string {
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return "(unknown release)"
	}
	return unix.ByteSliceToString(uts.Release[:])
}
