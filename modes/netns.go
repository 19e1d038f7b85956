package modes

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// targetNS is an open network namespace with what identifies it.
type targetNS struct {
	ns *netns.NS
	// given is the namespace as the caller named it.
	given string
	// path is the path it was opened from: /run/netns/NAME,
	// /proc/PID/ns/net, or an absolute path.
	path string
	// id identifies it while it exists.
	id netns.ID
}

// nsPath returns the path a namespace given as a word of package netns (a
// name under /run/netns, an absolute path or a process id) is opened
// from. A word of none of these forms gives an error matching ErrInvalid.
func nsPath(given string) (string, error) {
	path, err := netns.Path(given)
	if err != nil {
		return "", nsCategory(err)
	}
	return path, nil
}

// openNetNS opens a namespace given as a word of package netns. A
// namespace that does not exist gives an error matching ErrNotFound and
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
// matching ErrNotFound and os.ErrNotExist; another kind of namespace one
// matching ErrInvalid.
func openNSPath(path string) (*targetNS, error) {
	ns, err := netns.OpenPath(path)
	if err != nil {
		return nil, nsCategory(err)
	}
	id, err := ns.ID()
	if err != nil {
		ns.Close()
		return nil, err
	}
	return &targetNS{ns: ns, given: path, path: path, id: id}, nil
}

// nsCategory makes an error of package netns for a namespace that is
// gone match ErrNotFound as well, keeping its message (one for a word of
// no accepted form already matches errdefs.ErrInvalid).
func nsCategory(err error) error {
	if gone(err) {
		return asCategory(ErrNotFound, err)
	}
	return err
}

// gone reports whether err says that a namespace no longer exists.
func gone(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH)
}
