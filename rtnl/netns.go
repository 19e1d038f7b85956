package rtnl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// NetNSDir is where named network namespaces are bind-mounted, as by
// `ip netns add`.
const NetNSDir = "/run/netns"

// NetNS is an open handle on a network namespace.
type NetNS struct {
	f *os.File
}

// OpenNetNS opens the network namespace at path, such as /proc/1/ns/net or
// /run/netns/blue.
func OpenNetNS(path string) (*NetNS, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open network namespace: %w", err)
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("open network namespace %s: %w", path, err)
	}
	if st.Type != unix.NSFS_MAGIC && st.Type != unix.PROC_SUPER_MAGIC {
		f.Close()
		return nil, fmt.Errorf("open network namespace %s: not a namespace file", path)
	}
	return &NetNS{f: f}, nil
}

// OpenNetNSName opens the named network namespace under NetNSDir.
func OpenNetNSName(name string) (*NetNS, error) {
	if err := checkNetNSName(name); err != nil {
		return nil, err
	}
	return OpenNetNS(filepath.Join(NetNSDir, name))
}

// OpenNetNSPID opens the network namespace of process pid.
func OpenNetNSPID(pid int) (*NetNS, error) {
	return OpenNetNS("/proc/" + strconv.Itoa(pid) + "/ns/net")
}

// OpenNetNSAny opens a namespace given as a name under NetNSDir, a path
// (anything with a slash) or a process id.
func OpenNetNSAny(s string) (*NetNS, error) {
	if pid, err := strconv.Atoi(s); err == nil && pid > 0 {
		return OpenNetNSPID(pid)
	}
	if filepath.Base(s) != s {
		return OpenNetNS(s)
	}
	return OpenNetNSName(s)
}

// FD returns the namespace's file descriptor. It stays valid until Close.
func (n *NetNS) FD() int { return int(n.f.Fd()) }

// Path returns the path the namespace was opened from.
func (n *NetNS) Path() string { return n.f.Name() }

// Close releases the handle.
func (n *NetNS) Close() error { return n.f.Close() }

// Do runs fn on an OS thread that has entered the namespace. The thread
// returns to its original namespace afterwards; if it cannot, the thread is
// left locked so that the Go runtime discards it.
func (n *NetNS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open current network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := unix.Setns(n.FD(), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter network namespace %s: %w", n.Path(), err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: it dies with this goroutine.
			errc <- errors.Join(ferr, fmt.Errorf("return to original network namespace: %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

func checkNetNSName(name string) error {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return fmt.Errorf("invalid network namespace name %q: use a plain name such as \"blue\"", name)
	}
	return nil
}

// AddNetNS creates a new network namespace and bind-mounts it as
// NetNSDir/name, as `ip netns add` does. It fails with an error matching
// os.ErrExist when the name is taken.
func AddNetNS(name string) (*NetNS, error) {
	if err := checkNetNSName(name); err != nil {
		return nil, err
	}
	if err := ensureNetNSDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(NetNSDir, name)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return nil, fmt.Errorf("create network namespace %q: %w", name, err)
	}
	f.Close()

	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// After unshare the thread is in the new namespace. It goes back
		// to its own before it is unlocked; when it cannot, it stays
		// locked and the runtime discards it when this goroutine ends.
		// Not on the main thread, which the runtime cannot discard: it
		// would stay, idle, in the new namespace and keep it alive after
		// its name is deleted.
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare: %w", err)
			return
		}
		err = unix.Mount("/proc/thread-self/ns/net", path, "none", unix.MS_BIND, "")
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	if err := <-errc; err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create network namespace %q: %w", name, err)
	}
	return OpenNetNS(path)
}

// DeleteNetNS unmounts and removes the named namespace, as `ip netns del`
// does. The namespace itself lives on while anything still holds it.
func DeleteNetNS(name string) error {
	if err := checkNetNSName(name); err != nil {
		return err
	}
	path := filepath.Join(NetNSDir, name)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		if errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("delete network namespace %q: %w", name, os.ErrNotExist)
		}
		return fmt.Errorf("delete network namespace %q: %w", name, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("delete network namespace %q: %w", name, err)
	}
	return nil
}

// ListNetNS returns the names of the namespaces under NetNSDir.
func ListNetNS() ([]string, error) {
	ents, err := os.ReadDir(NetNSDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list network namespaces: %w", err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, nil
}

// ensureNetNSDir makes NetNSDir a shared mount point, so that namespace
// bind mounts propagate to other mount namespaces, as iproute2 does.
func ensureNetNSDir() error {
	if err := os.MkdirAll(NetNSDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", NetNSDir, err)
	}
	err := unix.Mount("", NetNSDir, "none", unix.MS_SHARED|unix.MS_REC, "")
	if errors.Is(err, unix.EINVAL) {
		// Not a mount point yet: bind it onto itself, then share it.
		if err := unix.Mount(NetNSDir, NetNSDir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind-mount %s: %w", NetNSDir, err)
		}
		err = unix.Mount("", NetNSDir, "none", unix.MS_SHARED|unix.MS_REC, "")
	}
	if err != nil {
		return fmt.Errorf("share %s: %w", NetNSDir, err)
	}
	return nil
}
