package cli

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
)

// OpenNetNS opens the namespace that word names, in any form package
// netns reads (a name under /run/netns, an absolute path or a process
// id), or returns nil, the current namespace, for "". Every NETNS word
// the CLI opens itself, -n first of all, goes through it, so that each is
// read and refused alike. A word of no form gives an error matching
// errdefs.ErrInvalid (exit 2). The caller closes the namespace.
func OpenNetNS(word string) (*netns.NS, error) {
	if word == "" {
		return nil, nil
	}
	ns, err := netns.Open(word)
	if err != nil && !errors.Is(err, errdefs.ErrInvalid) {
		return nil, fmt.Errorf("cannot open network namespace %q (see \"vlanraw netns ls\"): %w", word, err)
	}
	return ns, err
}
