package bpf

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// netnsCookie returns the cookie of the namespace ns (or the caller's),
// which, unlike its inode number, the kernel never gives to another
// namespace (SO_NETNS_COOKIE, Linux 5.14); 0 when it cannot tell.
func netnsCookie(ns *netns.NS) uint64 {
	var cookie uint64
	ns.Do(func() error {
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

// netnsName names the namespace with inode ino for people: the name of
// a namespace under /run/netns with that inode, "" for the namespace of
// process 1 (the host's), or "netns:[INODE]" as /proc shows it.
func netnsName(ino uint64) string {
	if id, err := netns.IDAt("/proc/1/ns/net"); err == nil && id.Inode == ino {
		return ""
	}
	names, _ := netns.List()
	for _, name := range names {
		if id, err := netns.IDAt(filepath.Join(netns.Dir, name)); err == nil && id.Inode == ino {
			return name
		}
	}
	return netns.ID{Inode: ino}.String()
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
