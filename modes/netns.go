package modes

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vlanraw/vlanraw/netns"
	"golang.org/x/sys/unix"
)

// targetNS is an open network namespace with what identifies it.
type targetNS struct {
	ns *netns.NS
	// given is the namespace as the caller named it.
	given string
	// path is the path it was opened from: /run/netns/NAME,
	// /proc/PID/ns/net, or an absolute path.
	path string
	// dev and inode are the device and inode of the namespace's nsfs
	// file, which identify it while it exists.
	dev, inode uint64
}

// nsPath returns the path a namespace given as a name under
// /run/netns, a path or a process id is opened from.
func nsPath(s string) (string, error) {
	if s == "" {
		return "", invalidf("no network namespace given: name one under %s, give a path, or a process id", netns.Dir)
	}
	if pid, err := strconv.Atoi(s); err == nil {
		if pid <= 0 {
			return "", invalidf("invalid process id %s", s)
		}
		return "/proc/" + s + "/ns/net", nil
	}
	if filepath.Base(s) != s {
		return filepath.Abs(s)
	}
	if s == "." || s == ".." {
		return "", invalidf("invalid network namespace name %q", s)
	}
	return filepath.Join(netns.Dir, s), nil
}

// byPID reports whether a namespace was given as a process id: such a
// namespace is only the same while the inode is.
func byPID(given string) bool {
	_, err := strconv.Atoi(given)
	return err == nil
}

// openNetNS opens a namespace given as a name under /run/netns, a path or
// a process id. A namespace that does not exist gives an error matching
// os.ErrNotExist.
func openNetNS(given string) (*targetNS, error) {
	path, err := nsPath(given)
	if err != nil {
		return nil, err
	}
	t, err := openNSPath(path)
	if err != nil {
		return nil, fmt.Errorf("network namespace %s: %w%s", given, err, errnoName(err))
	}
	t.given = given
	return t, nil
}

// openNSPath opens the namespace at path. A path where no namespace is
// mounted (a missing file, or a plain file left over) gives an error
// matching os.ErrNotExist.
func openNSPath(path string) (*targetNS, error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(path, &fs); err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
			return nil, fmt.Errorf("%s: %w", path, os.ErrNotExist)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if fs.Type != unix.NSFS_MAGIC && fs.Type != unix.PROC_SUPER_MAGIC {
		return nil, notNetNS(path, "nothing is mounted there", true)
	}
	ns, err := netns.OpenPath(path)
	if err != nil {
		return nil, err
	}
	if err := checkNSType(ns.FD(), path); err != nil {
		ns.Close()
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(ns.FD(), &st); err != nil {
		ns.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &targetNS{ns: ns, given: path, path: path, dev: st.Dev, inode: st.Ino}, nil
}

// gone reports whether err says that a namespace no longer exists.
func gone(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH)
}
