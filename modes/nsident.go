package modes

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// A network namespace is known by its identity, the device and inode of
// its nsfs file, never by its name: a name under /run/netns can be
// deleted and made again for a new namespace, and a process id can be
// reused. A path or name is kept only to find the namespace again and to
// show it.

// sameNS reports whether t is the namespace of e.
func (e *Endpoint) sameNS(t *targetNS) bool { return e.isNS(t.id) }

// isNS reports whether id is the namespace of e. An endpoint recorded
// without the device (0) matches by inode.
func (e *Endpoint) isNS(id netns.ID) bool {
	return e.NetNSInode == id.Inode && (e.NetNSDev == 0 || e.NetNSDev == id.Dev)
}

// nsHolders maps the identity of every network namespace this process
// can see held by something other than a name under /run/netns to a path
// it can be opened through: a bind mount elsewhere, a process or thread
// living in it, or a file descriptor open on it. A namespace held by none
// of these (and by no name) is gone: the kernel deleted it, and every
// link in it.
type nsHolders map[netns.ID]string

// scanNamespaces finds every network namespace held by a mount, a
// process, a thread or an open file descriptor. It costs a walk of /proc:
// use it where a namespace is not found at its recorded path.
func scanNamespaces() nsHolders {
	h := nsHolders{}
	var nsfs uint64 // the device of the nsfs file system
	if self, err := netns.IDAt("/proc/self/ns/net"); err == nil {
		nsfs = self.Dev
	}
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		s := bufio.NewScanner(f)
		s.Buffer(nil, 1<<20)
		for s.Scan() {
			// ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE ...
			fields := strings.Fields(s.Text())
			if len(fields) < 5 {
				continue
			}
			if ino, ok := netInode(fields[3]); ok {
				h.add(netns.ID{Dev: nsfs, Inode: ino}, unescapeMount(fields[4]))
			}
		}
		f.Close()
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		if _, err := strconv.Atoi(p.Name()); err != nil {
			continue
		}
		dir := filepath.Join("/proc", p.Name())
		h.addLink(filepath.Join(dir, "ns/net"), nsfs)
		tasks, _ := os.ReadDir(filepath.Join(dir, "task"))
		for _, t := range tasks {
			if t.Name() != p.Name() {
				h.addLink(filepath.Join(dir, "task", t.Name(), "ns/net"), nsfs)
			}
		}
		fds, _ := os.ReadDir(filepath.Join(dir, "fd"))
		for _, fd := range fds {
			h.addLink(filepath.Join(dir, "fd", fd.Name()), nsfs)
		}
	}
	return h
}

func (h nsHolders) add(id netns.ID, path string) {
	if _, ok := h[id]; !ok {
		h[id] = path
	}
}

// find returns a path through which the namespace of e is held.
func (h nsHolders) find(e *Endpoint) (string, bool) {
	if e.NetNSDev != 0 {
		path, ok := h[netns.ID{Dev: e.NetNSDev, Inode: e.NetNSInode}]
		return path, ok
	}
	for id, path := range h {
		if e.isNS(id) {
			return path, true
		}
	}
	return "", false
}

// addLink adds the namespace the magic link at path points to, if it is
// a network namespace. A namespace file opened through a bind mount (a
// name under /run/netns) does not read as "net:[INODE]" but as the
// mount's path, or as "/" once the name is deleted, which is when the
// open file is all that holds the namespace: such a link, when it leads
// to a file of nsfs (the file system of device nsfs), is opened and asked
// its namespace type.
func (h nsHolders) addLink(path string, nsfs uint64) {
	target, err := os.Readlink(path)
	if err != nil {
		return
	}
	if ino, ok := netInode(target); ok {
		h.add(netns.ID{Dev: nsfs, Inode: ino}, path)
		return
	}
	if !strings.HasPrefix(target, "/") || nsfs == 0 {
		return // a socket, a pipe, an anonymous inode, another namespace
	}
	id, err := netns.IDAt(path)
	if err != nil || id.Dev != nsfs {
		return
	}
	if _, ok := h[id]; ok {
		return
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	typ, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	unix.Close(fd)
	if err == nil && typ == unix.CLONE_NEWNET {
		h.add(id, path)
	}
}

// netInode reads "net:[INODE]", as nsfs names a network namespace.
func netInode(s string) (uint64, bool) {
	rest, ok := strings.CutPrefix(s, "net:[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return 0, false
	}
	ino, err := strconv.ParseUint(strings.TrimSuffix(rest, "]"), 10, 64)
	return ino, err == nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// locate opens the namespace of e: at its recorded path when that still
// holds it, else through whatever holds it (see nsHolders; scanned once
// by the caller, nil to scan here when needed). It returns nil and no
// error when the namespace is gone.
func locate(e *Endpoint, holders *nsHolders) (*targetNS, error) {
	t, err := openNSPath(e.NetNSPath)
	switch {
	case err == nil && e.sameNS(t):
		t.given = e.NetNS
		return t, nil
	case err == nil:
		t.ns.Close()
	case !gone(err):
		return nil, err
	}
	if *holders == nil {
		*holders = scanNamespaces()
	}
	path, ok := holders.find(e)
	if !ok {
		return nil, nil
	}
	t, err = openNSPath(path)
	if gone(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !e.sameNS(t) {
		t.ns.Close()
		return nil, nil
	}
	t.given = e.NetNS
	return t, nil
}
