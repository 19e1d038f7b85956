package rtnl

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// AddrEvent is one address notification.
type AddrEvent struct {
	// Type is unix.RTM_NEWADDR (an address was added or changed) or
	// unix.RTM_DELADDR (one was removed).
	Type netlink.HeaderType
	// Address is the address as the kernel describes it.
	Address AddressMessage
}

// AddrEvents receives the IPv4 and IPv6 address notifications of one
// network namespace. Its methods are not safe for concurrent use, except
// Close. As with LinkEvents, subscribe first, then read the addresses,
// then receive: no change is lost between the two.
type AddrEvents struct {
	c      *netlink.Conn
	closed atomic.Bool
}

// DialAddrEvents subscribes to the address notifications (RTNLGRP_IPV4_IFADDR
// and RTNLGRP_IPV6_IFADDR) of the namespace ns, or of the caller's current
// namespace when ns is nil.
func DialAddrEvents(ns *netns.NS) (*AddrEvents, error) {
	cfg := &netlink.Config{Groups: unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR}
	if ns != nil {
		cfg.NetNS = ns.FD()
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, fmt.Errorf("subscribe to address notifications: %w", err)
	}
	return &AddrEvents{c: c}, nil
}

// Receive blocks until notifications arrive and returns them, oldest
// first. When the kernel dropped some because the receive buffer was
// full it fails with an error matching ErrOverrun: read the addresses
// again, then go on receiving. After Close it fails with an error
// matching net.ErrClosed.
func (e *AddrEvents) Receive() ([]AddrEvent, error) {
	msgs, err := e.c.Receive()
	switch {
	case errors.Is(err, unix.ENOBUFS):
		return nil, fmt.Errorf("receive address notifications: %w: %w", ErrOverrun, err)
	case err != nil && e.closed.Load():
		return nil, fmt.Errorf("receive address notifications: %w", net.ErrClosed)
	case err != nil:
		return nil, fmt.Errorf("receive address notifications: %w", err)
	}
	evs := make([]AddrEvent, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR && m.Header.Type != unix.RTM_DELADDR {
			continue
		}
		ev := AddrEvent{Type: m.Header.Type}
		if err := ev.Address.UnmarshalBinary(m.Data); err != nil {
			return nil, fmt.Errorf("decode address notification: %w", err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// Close ends the subscription and a pending Receive.
func (e *AddrEvents) Close() error {
	e.closed.Store(true)
	return e.c.Close()
}
