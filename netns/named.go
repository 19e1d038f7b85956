package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Dir is where named network namespaces are bind-mounted, as by
// `ip netns add`.
const Dir = "/run/netns"

// checkName refuses a name that cannot be a file in Dir, with an error
// matching errdefs.ErrInvalid.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return &invalidError{msg: fmt.Sprintf("invalid namespace name %q: use a plain name such as \"blue\"", name)}
	}
	return nil
}

// Add creates a new network namespace and bind-mounts it as Dir/name, as
// `ip netns add` does, and returns it open. It fails with an error
// matching os.ErrExist when the name is taken.
func Add(name string) (*NS, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := ensureDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(Dir, name)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return nil, fmt.Errorf("create network namespace %q: %w", name, err)
	}
	f.Close()

	// The new namespace is the thread's after unshare; a thread left
	// there would keep it alive after its name is deleted (see onThread).
	unshare := func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		return nil
	}
	pin := func() error { return unix.Mount("/proc/thread-self/ns/net", path, "none", unix.MS_BIND, "") }
	if err := onThread(unshare, pin); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create network namespace %q: %w", name, err)
	}
	n, err := OpenPath(path)
	if err != nil {
		return nil, err
	}
	n.word = name
	return n, nil
}

// Delete unmounts and removes the named namespace, as `ip netns del`
// does. The namespace itself lives on while anything still holds it. A
// name that does not exist gives an error matching os.ErrNotExist.
func Delete(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	path := filepath.Join(Dir, name)
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

// List returns the names of the namespaces under Dir, sorted.
func List() ([]string, error) {
	ents, err := os.ReadDir(Dir)
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

// ensureDir makes Dir a shared mount point, so that namespace bind
// mounts propagate to other mount namespaces, as iproute2 does.
func ensureDir() error {
	if err := os.MkdirAll(Dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", Dir, err)
	}
	err := unix.Mount("", Dir, "none", unix.MS_SHARED|unix.MS_REC, "")
	if errors.Is(err, unix.EINVAL) {
		// Not a mount point yet: bind it onto itself, then share it.
		if err := unix.Mount(Dir, Dir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind-mount %s: %w", Dir, err)
		}
		err = unix.Mount("", Dir, "none", unix.MS_SHARED|unix.MS_REC, "")
	}
	if err != nil {
		return fmt.Errorf("share %s: %w", Dir, err)
	}
	return nil
}
