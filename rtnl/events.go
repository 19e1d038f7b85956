package rtnl

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// rtmgrpLink is RTMGRP_LINK, the legacy multicast group bit of link
// notifications (RTNLGRP_LINK).
const rtmgrpLink = 1

// ErrOverrun is matched by the error LinkEvents.Receive (and
// AddrEvents.Receive) returns when the kernel dropped notifications
// because the socket's receive buffer was full (ENOBUFS). Which links
// (addresses) changed is then unknown: look at everything again, then go
// on receiving.
var ErrOverrun = errors.New("notifications were lost (receive buffer overrun)")

// LinkEvent is one link notification.
type LinkEvent struct {
	// Type is unix.RTM_NEWLINK (a link appeared, was renamed or changed)
	// or unix.RTM_DELLINK (a link is gone).
	Type netlink.HeaderType
	// Link is the link as the kernel describes it.
	Link LinkMessage
}

// LinkEvents receives the link notifications (RTM_NEWLINK and
// RTM_DELLINK) of one network namespace. Its methods are not safe for
// concurrent use, except Close.
//
// To wait for a state, open LinkEvents first, then check the state, then
// receive: a change made between the check and the first Receive is
// queued, not lost.
type LinkEvents struct {
	c *netlink.Conn
	// deadline is the caller's read deadline, set again after a drain.
	deadline time.Time
	closed   atomic.Bool
}

// DialLinkEvents subscribes to the link notifications of the namespace ns,
// or of the caller's current namespace when ns is nil.
func DialLinkEvents(ns *netns.NS) (*LinkEvents, error) {
	cfg := &netlink.Config{Groups: rtmgrpLink}
	if ns != nil {
		cfg.NetNS = ns.FD()
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, fmt.Errorf("subscribe to link notifications: %w", err)
	}
	return &LinkEvents{c: c}, nil
}

// Receive blocks until notifications arrive and returns them, oldest
// first. A notification that cannot be decoded fails it, and the rest
// of its batch is lost.
//
// When the kernel dropped notifications because the socket's receive
// buffer was full (or because it could not build one, EMSGSIZE),
// Receive discards those still queued, which are stale,
// and fails with an error matching ErrOverrun: every change from then on
// is received again, so check the whole state, then go on receiving.
//
// Receive fails with an error matching os.ErrDeadlineExceeded when the
// deadline set with SetReadDeadline passes, and with one matching
// net.ErrClosed after Close, which also ends a pending Receive.
func (e *LinkEvents) Receive() ([]LinkEvent, error) {
	msgs, err := e.c.Receive()
	// EMSGSIZE: the kernel could not build a notification and dropped
	// it (rtnl_set_sk_err), as kernels whose macvlan_get_size lacked
	// IFLA_MACVLAN_BC_CUTOFF did for a macvlan with bclim other than 1
	// (see getLinkFromDump). That loses a notification just as an
	// overrun does.
	if errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.EMSGSIZE) {
		if derr := e.drain(); derr != nil {
			return nil, e.receiveError(derr)
		}
		return nil, fmt.Errorf("receive link notifications: %w: %w", ErrOverrun, err)
	}
	if err != nil {
		return nil, e.receiveError(err)
	}
	evs := make([]LinkEvent, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK && m.Header.Type != unix.RTM_DELLINK {
			continue
		}
		ev := LinkEvent{Type: m.Header.Type}
		if err := ev.Link.UnmarshalBinary(m.Data); err != nil {
			return nil, fmt.Errorf("decode link notification: %w", err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// drain reads and discards what is queued, without waiting. The kernel
// reports further drops, and delivers notifications again, only once
// the queue has been emptied.
func (e *LinkEvents) drain() error {
	rc, err := e.c.SyscallConn()
	if err != nil {
		return err
	}
	// The runtime refuses to touch a socket whose deadline has passed.
	if err := e.c.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	buf := make([]byte, 4096) // longer notifications are cut: they are discarded anyway
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			_, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
			switch err {
			case nil, unix.ENOBUFS, unix.EINTR:
				continue
			case unix.EAGAIN:
			default:
				rerr = os.NewSyscallError("recvfrom", err)
			}
			return true
		}
	})
	return errors.Join(err, rerr, e.c.SetReadDeadline(e.deadline))
}

// receiveError wraps an error of the socket, telling a closed
// subscription by net.ErrClosed.
func (e *LinkEvents) receiveError(err error) error {
	if e.closed.Load() {
		return fmt.Errorf("receive link notifications: %w", net.ErrClosed)
	}
	return fmt.Errorf("receive link notifications: %w", err)
}

// SetReadDeadline makes Receive fail once t passes; the zero t waits
// forever.
func (e *LinkEvents) SetReadDeadline(t time.Time) error {
	e.deadline = t
	return e.c.SetReadDeadline(t)
}

// SetReadBuffer asks for a socket receive buffer of bytes: a larger one
// holds more notifications before they overrun it.
func (e *LinkEvents) SetReadBuffer(bytes int) error { return e.c.SetReadBuffer(bytes) }

// Close ends the subscription and a pending Receive.
func (e *LinkEvents) Close() error {
	e.closed.Store(true)
	return e.c.Close()
}
