package links

import (
	"fmt"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Handle performs link operations in one network namespace.
type Handle struct {
	c *rtnl.Conn
}

// Open returns a Handle for the namespace ns, or for the caller's current
// namespace when ns is nil. The Handle does not take ownership of ns: its
// connection stays in that namespace whether or not ns is closed.
func Open(ns *netns.NS) (*Handle, error) {
	c, err := rtnl.Dial(ns)
	if err != nil {
		return nil, err
	}
	return &Handle{c: c}, nil
}

// OpenName returns a Handle for the namespace word names, in any form
// netns.Open reads (a name under /run/netns, an absolute path or a
// process id), or for the current namespace when word is empty.
func OpenName(word string) (*Handle, error) {
	if word == "" {
		return Open(nil)
	}
	ns, err := netns.Open(word)
	if err != nil {
		return nil, fmt.Errorf("network namespace %q: %w", word, err)
	}
	defer ns.Close()
	return Open(ns)
}

// Conn returns the Handle's rtnetlink connection, for what this package
// has no typed form of, such as the raw dumps the CLI prints. Creating,
// changing and deleting links goes through the Handle's methods.
func (h *Handle) Conn() *rtnl.Conn { return h.c }

// Close releases the Handle.
func (h *Handle) Close() error { return h.c.Close() }
