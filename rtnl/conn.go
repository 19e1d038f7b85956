package rtnl

import (
	"encoding"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// maxDumpRetries bounds how often a dump marked NLM_F_DUMP_INTR is retried.
const maxDumpRetries = 10

// Conn is an rtnetlink connection bound to one network namespace, opened
// with strict checking and extended acknowledgements.
type Conn struct {
	c *netlink.Conn
}

// Dial opens a Conn in the namespace ns, or in the caller's current
// namespace when ns is nil.
func Dial(ns *netns.NS) (*Conn, error) {
	cfg := &netlink.Config{Strict: true}
	if ns != nil {
		cfg.NetNS = ns.FD()
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, fmt.Errorf("dial rtnetlink: %w", err)
	}
	return &Conn{c: c}, nil
}

// NewConn wraps an existing netlink connection, such as one from
// github.com/mdlayher/netlink/nltest for tests of error paths.
func NewConn(c *netlink.Conn) *Conn { return &Conn{c: c} }

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Execute sends one request and waits for its replies or acknowledgement.
// Errors are *OpError values named by op and name.
func (c *Conn) Execute(op, name string, typ netlink.HeaderType, flags netlink.HeaderFlags, m encoding.BinaryMarshaler) ([]netlink.Message, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("%s %s: encode: %w", op, name, err)
	}
	msgs, err := c.c.Execute(netlink.Message{
		Header: netlink.Header{Type: typ, Flags: netlink.Request | flags},
		Data:   b,
	})
	if err != nil {
		return nil, newOpError(op, name, err)
	}
	return msgs, nil
}

// Dump sends a dump request and returns every reply. A dump that the
// kernel marks as interrupted by concurrent changes is taken again, up to
// a bound; after that it fails with ErrDumpInterrupted.
func (c *Conn) Dump(op string, typ netlink.HeaderType, m encoding.BinaryMarshaler) ([]netlink.Message, error) {
	for range maxDumpRetries {
		msgs, err := c.Execute(op, "", typ, netlink.Dump, m)
		if err != nil {
			return nil, err
		}
		if !interrupted(msgs) {
			return msgs, nil
		}
	}
	return nil, fmt.Errorf("%s: %w (tried %d times)", op, ErrDumpInterrupted, maxDumpRetries)
}

func interrupted(msgs []netlink.Message) bool {
	for _, m := range msgs {
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			return true
		}
	}
	return false
}
