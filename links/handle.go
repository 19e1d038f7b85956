package links

import (
	"fmt"

	"github.com/vlanraw/vlanraw/rtnl"
)

// Handle performs link operations in one network namespace.
type Handle struct {
	c  *rtnl.Conn
	ns *rtnl.NetNS // owned when opened by name
}

// Open returns a Handle for the namespace ns, or for the caller's current
// namespace when ns is nil. The Handle does not take ownership of ns.
func Open(ns *rtnl.NetNS) (*Handle, error) {
	c, err := rtnl.Dial(ns)
	if err != nil {
		return nil, err
	}
	return &Handle{c: c}, nil
}

// OpenName returns a Handle for the named namespace under /run/netns, or
// for the current namespace when name is empty.
func OpenName(name string) (*Handle, error) {
	if name == "" {
		return Open(nil)
	}
	ns, err := rtnl.OpenNetNSName(name)
	if err != nil {
		return nil, fmt.Errorf("network namespace %q: %w", name, err)
	}
	h, err := Open(ns)
	if err != nil {
		ns.Close()
		return nil, err
	}
	h.ns = ns
	return h, nil
}

// Conn returns the Handle's rtnetlink connection, for what this package
// has no typed form of, such as the raw dumps the CLI prints. Creating,
// changing and deleting links goes through the Handle's methods.
func (h *Handle) Conn() *rtnl.Conn { return h.c }

// Close releases the Handle.
func (h *Handle) Close() error {
	err := h.c.Close()
	if h.ns != nil {
		h.ns.Close()
	}
	return err
}
