package rtnl

import (
	"errors"
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// RouteMessage is an RTM_{NEW,DEL,GET}ROUTE message.
type RouteMessage = rtnetlink.RouteMessage

// NewRouteMessage returns a main-table unicast route to dst (nil or a
// zero-length prefix for the default route) through the link with index,
// via gw when gw is not nil. Without a gateway the route is a connected
// one (scope link), as `ip route add default dev X` makes.
func NewRouteMessage(dst *net.IPNet, gw net.IP, index uint32, v6 bool) *RouteMessage {
	family := uint8(unix.AF_INET)
	if v6 {
		family = unix.AF_INET6
	}
	m := &RouteMessage{
		Family:   family,
		Table:    unix.RT_TABLE_MAIN,
		Protocol: unix.RTPROT_BOOT,
		Scope:    unix.RT_SCOPE_UNIVERSE,
		Type:     unix.RTN_UNICAST,
	}
	m.Attributes.OutIface = index
	if dst != nil {
		ones, _ := dst.Mask.Size()
		m.DstLength = uint8(ones)
		if ones > 0 {
			ip := dst.IP
			if !v6 {
				ip = ip.To4()
			}
			m.Attributes.Dst = ip
		}
	}
	if gw != nil {
		if !v6 {
			gw = gw.To4()
		}
		m.Attributes.Gateway = gw
	} else if !v6 {
		m.Scope = unix.RT_SCOPE_LINK
	}
	return m
}

func routeName(m *RouteMessage) string {
	if m.Attributes.Dst == nil {
		return "default"
	}
	return (&net.IPNet{IP: m.Attributes.Dst, Mask: net.CIDRMask(int(m.DstLength), len(m.Attributes.Dst)*8)}).String()
}

// AddRoute adds a route (NLM_F_CREATE|NLM_F_EXCL).
func (c *Conn) AddRoute(m *RouteMessage) error {
	_, err := c.Execute("add route", routeName(m), unix.RTM_NEWROUTE,
		netlink.Acknowledge|netlink.Create|netlink.Excl, m)
	return err
}

// DeleteRoute removes a route.
func (c *Conn) DeleteRoute(m *RouteMessage) error {
	_, err := c.Execute("delete route", routeName(m), unix.RTM_DELROUTE, netlink.Acknowledge, m)
	return err
}

// ListRoutes returns the main table's routes of family (unix.AF_INET or
// unix.AF_INET6), only those through the link with index when it is not 0.
// A namespace that never had an IPv4 route has no main table yet: the
// kernel's ENOENT ("FIB table does not exist") is an empty list.
func (c *Conn) ListRoutes(family uint8, index uint32) ([]RouteMessage, error) {
	req := &RouteMessage{Family: family, Table: unix.RT_TABLE_MAIN}
	req.Attributes.Table = unix.RT_TABLE_MAIN
	msgs, err := c.Dump("list routes", unix.RTM_GETROUTE, req)
	if errors.Is(err, unix.ENOENT) {
		return []RouteMessage{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]RouteMessage, 0, len(msgs))
	for _, nm := range msgs {
		if nm.Header.Type != unix.RTM_NEWROUTE {
			continue
		}
		var m RouteMessage
		if err := m.UnmarshalBinary(nm.Data); err != nil {
			return nil, &OpError{Op: "list routes", Err: err}
		}
		if index != 0 && m.Attributes.OutIface != index {
			continue
		}
		if m.Table != unix.RT_TABLE_MAIN && m.Attributes.Table != unix.RT_TABLE_MAIN {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}
