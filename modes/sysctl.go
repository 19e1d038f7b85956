package modes

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/internal/osfile"
	"github.com/vlanraw/vlanraw/netns"
)

// sysctl is one /proc/sys value.
type sysctl struct {
	path, value string
	optional    bool
}

// sysctlSet is a list of /proc/sys values whose directories are open.
// Directories opened by a thread inside a namespace are that namespace's,
// so the values can be written later from any thread. Opening a file
// relative to its directory also saves a walk from /proc/sys, whose cost
// grows with the number of namespaces that have used it: the kernel keeps
// an entry per namespace for net, ipv4 and ipv6, all in one hash chain
// (with 1000 such namespaces, opening a path under /proc/sys/net takes
// about 230 µs, against under 1 µs relative to its directory).
type sysctlSet struct {
	kv []sysctl
	// dirs[i] is the directory of kv[i]; nil when it does not exist and
	// kv[i] is optional.
	dirs []*os.File
}

// openSysctls opens the directories of kv, paths relative to /proc/sys
// such as net/ipv4/conf/eth0/arp_notify, in the calling thread's network
// namespace, each once, through the procfs root proc (nil for /proc). A
// directory that does not exist is an error unless its values are
// optional (the IPv6 knobs on a kernel without IPv6).
func openSysctls(proc *os.File, kv []sysctl) (*sysctlSet, error) {
	// The top directories, such as net, are opened once and the others
	// relative to them.
	tops := map[string]*os.File{}
	defer closeTops(tops)
	return openSysctlsWith(kv, func(dir string) (*os.File, error) { return openSysctlDir(proc, tops, dir) })
}

// ipv6Conf is the directory of the IPv6 settings of each link, relative
// to /proc/sys.
const ipv6Conf = "net/ipv6/conf"

// openSysctlBase opens dir, relative to /proc/sys, such as net/ipv6/conf,
// in the calling thread's network namespace, through the procfs root proc
// (nil for /proc); nil when it does not exist (IPv6 on a kernel without
// it). The directories below it then open through it from any thread, in
// that namespace (see openSysctlsAt).
func openSysctlBase(proc *os.File, dir string) (*os.File, error) {
	tops := map[string]*os.File{}
	defer closeTops(tops)
	f, err := openSysctlDir(proc, tops, dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return f, err
}

// openSysctlsAt opens the directories of kv as openSysctls does, from any
// thread, relative to base, the directory basePath under /proc/sys that
// openSysctlBase opened inside a namespace: below a namespace's own
// directory the kernel looks names up in that namespace, whatever the
// calling thread's, and finds the directories of links made after base
// was opened too. Every path of kv must be under basePath; a nil base
// means basePath does not exist.
func openSysctlsAt(base *os.File, basePath string, kv []sysctl) (*sysctlSet, error) {
	return openSysctlsWith(kv, func(dir string) (*os.File, error) {
		rest, ok := strings.CutPrefix(dir, basePath+"/")
		switch {
		case !ok:
			return nil, fmt.Errorf("/proc/sys/%s is not under /proc/sys/%s", dir, basePath)
		case base == nil:
			return nil, &os.PathError{Op: "open", Path: "/proc/sys/" + basePath, Err: os.ErrNotExist}
		}
		return openDir(int(base.Fd()), rest, "/proc/sys/"+dir)
	})
}

// closeTops closes the top directories openSysctlDir opened.
func closeTops(tops map[string]*os.File) {
	for _, f := range tops {
		if f != nil {
			f.Close()
		}
	}
}

// openSysctlsWith opens the directory of each value of kv, each once,
// with openDirOf.
func openSysctlsWith(kv []sysctl, openDirOf func(dir string) (*os.File, error)) (*sysctlSet, error) {
	s := &sysctlSet{kv: kv, dirs: make([]*os.File, len(kv))}
	open := map[string]*os.File{}
	for i, c := range kv {
		dir := path.Dir(c.path)
		f, ok := open[dir]
		if !ok {
			var err error
			f, err = openDirOf(dir)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				s.Close()
				return nil, fmt.Errorf("set sysctl %s=%s: %w", c.path, c.value, err)
			}
			open[dir] = f
		}
		if f == nil && !c.optional {
			s.Close()
			return nil, fmt.Errorf("set sysctl %s=%s: %w", c.path, c.value, os.ErrNotExist)
		}
		s.dirs[i] = f
	}
	return s, nil
}

// openSysctlDir opens dir, relative to /proc/sys, through its top
// directory in tops, which it opens under proc (nil for /proc) when
// missing.
func openSysctlDir(proc *os.File, tops map[string]*os.File, dir string) (*os.File, error) {
	top, rest, _ := strings.Cut(dir, "/")
	t, ok := tops[top]
	if !ok {
		at, path := unix.AT_FDCWD, "/proc/sys/"+top
		if proc != nil {
			at, path = int(proc.Fd()), "sys/"+top
		}
		var err error
		if t, err = openDir(at, path, "/proc/sys/"+top); err != nil {
			return nil, err
		}
		tops[top] = t
	}
	if rest == "" {
		rest = "."
	}
	return openDir(int(t.Fd()), rest, "/proc/sys/"+dir)
}

// openDir opens the directory at path relative to the directory at,
// naming it name.
func openDir(at int, path, name string) (*os.File, error) {
	fd, err := unix.Openat(at, path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// write writes the values, in order, from any thread. A file that does
// not exist is skipped when its value is optional.
func (s *sysctlSet) write() error {
	for i, c := range s.kv {
		if s.dirs[i] == nil {
			continue
		}
		fd, err := unix.Openat(int(s.dirs[i].Fd()), path.Base(c.path), unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			_, err = unix.Write(fd, []byte(c.value))
			unix.Close(fd)
		}
		if err != nil && !(c.optional && errors.Is(err, os.ErrNotExist)) {
			return fmt.Errorf("set sysctl %s=%s: %w", c.path, c.value, err)
		}
	}
	return nil
}

// Close closes the directories.
func (s *sysctlSet) Close() {
	closed := map[*os.File]bool{}
	for _, f := range s.dirs {
		if f != nil && !closed[f] {
			f.Close()
			closed[f] = true
		}
	}
}

// writeSysctls writes values under /proc/sys (see openSysctls) from a
// thread inside ns.
func writeSysctls(ns *netns.NS, kv []sysctl) error {
	if len(kv) == 0 {
		return nil
	}
	return ns.Do(func() error {
		s, err := openSysctls(nil, kv)
		if err != nil {
			return err
		}
		defer s.Close()
		return s.write()
	})
}

// readSysctl reads one value under /proc/sys from a thread inside ns.
func readSysctl(ns *netns.NS, path string) (string, error) {
	var v string
	err := ns.Do(func() error {
		b, err := osfile.ReadFile("/proc/sys/" + path)
		v = string(b)
		return err
	})
	if n := len(v); n > 0 && v[n-1] == '\n' {
		v = v[:n-1]
	}
	return v, err
}
