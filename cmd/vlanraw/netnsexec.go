package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// runNetNSExec runs `vlanraw netns exec NETNS CMD [ARGS...]`: it replaces
// vlanraw with CMD running in the network namespace NETNS (a name, an
// absolute path or a pid), as `ip netns exec` does for a name. On success
// it does not return.
//
// The switch happens on one locked OS thread: setns(2) into the network
// namespace, unshare(2) of the mount namespace, /sys remounted so that
// /sys/class/net lists the namespace's links, /etc/netns/NAME/*
// bind-mounted over /etc/* for a namespace under /run/netns, then
// execve(2) from that thread, which takes the whole process into the new
// program with the thread's namespaces.
func runNetNSExec(e *env, args []string) error {
	if len(args) >= 1 && args[0] == "help" {
		return &helpRequested{topic: "netns"}
	}
	if len(args) < 2 {
		return usagef("netns exec takes a namespace name and a command, got %d words", len(args))
	}
	if args[0] == "" {
		return usagef("netns exec: no network namespace given: give %s", netns.Forms)
	}
	ns, err := openNetNS(args[0])
	if err != nil {
		return fmt.Errorf("netns exec: %w", err)
	}
	defer ns.Close()
	// A namespace under /run/netns has a name, and maybe files under
	// /etc/netns/NAME; one given by pid or another path has neither.
	name := ""
	if dir, base := filepath.Split(ns.Path()); filepath.Clean(dir) == netns.Dir {
		name = base
	}
	prog, err := exec.LookPath(args[1])
	if err != nil {
		return fmt.Errorf("netns exec: %w", err)
	}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: on success the process becomes prog; on failure
		// the thread, in a half-changed state, ends with this goroutine.
		runtime.LockOSThread()
		errc <- enterAndExec(ns, name, prog, args[1:])
	}()
	return <-errc
}

// enterAndExec switches the calling, locked thread into ns and a private
// mount namespace, then execs prog. name is the namespace's name under
// /run/netns, or "". It returns only on failure.
func enterAndExec(ns *netns.NS, name, prog string, argv []string) error {
	if err := unix.Setns(ns.FD(), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("netns exec: enter network namespace %q: %w", ns, err)
	}
	if err := privateMounts(name); err != nil {
		return fmt.Errorf("netns exec %s: %w", ns, err)
	}
	err := syscall.Exec(prog, argv, os.Environ())
	return fmt.Errorf("netns exec: run %s: %w", prog, err)
}

// privateMounts gives the thread a mount namespace of its own in which /sys
// shows the current network namespace and, when name is not "", the files
// under /etc/netns/NAME replace their namesakes in /etc, as `ip netns
// exec` does.
func privateMounts(name string) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	// Keep our mounts from propagating back to the host.
	if err := unix.Mount("", "/", "none", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make / a slave mount: %w", err)
	}
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("unmount /sys: %w", err)
	}
	src := name
	if src == "" {
		src = "sysfs"
	}
	err := unix.Mount(src, "/sys", "sysfs", 0, "")
	if errors.Is(err, unix.EPERM) {
		// In a user namespace, sysfs can be mounted only read-only.
		err = unix.Mount(src, "/sys", "sysfs", unix.MS_RDONLY, "")
	}
	if err != nil {
		return fmt.Errorf("mount sysfs on /sys: %w", err)
	}
	if name == "" {
		return nil
	}
	return bindEtc(name)
}

// bindEtc bind-mounts each /etc/netns/NAME/FILE over /etc/FILE.
func bindEtc(name string) error {
	dir := filepath.Join("/etc/netns", name)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, ent := range ents {
		src, dst := filepath.Join(dir, ent.Name()), filepath.Join("/etc", ent.Name())
		if err := unix.Mount(src, dst, "none", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind %s to %s: %w", src, dst, err)
		}
	}
	return nil
}
