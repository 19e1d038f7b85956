package links

import (
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/rtnl"
	"golang.org/x/sys/unix"
)

// Link is a link as the kernel reports it.
type Link struct {
	Index int
	Name  string
	// Kind is IFLA_INFO_KIND, such as "macvlan"; empty for physical links
	// and loopback.
	Kind string
	// ParentIndex is the lower device's index, 0 when there is none.
	ParentIndex int
	// Parent is the lower device's name when it lives in the same
	// namespace, else empty.
	Parent     string
	MTU        uint32
	MAC        net.HardwareAddr
	Flags      net.Flags
	Group      uint32
	TxQueueLen uint32
	// Alias is the link's alias (IFLA_IFALIAS), empty when it has none.
	Alias string
	// Data is the kind's data: *rtnl.IPVlan, *rtnl.MACVlan, *rtnl.VLAN and
	// so on, or nil.
	Data rtnetlink.LinkDriver
	// Msg is the whole message the kernel sent.
	Msg *rtnl.LinkMessage
}

// Up reports whether the link is administratively up.
func (l *Link) Up() bool { return l.Flags&net.FlagUp != 0 }

func linkFrom(m *rtnl.LinkMessage) *Link {
	a := &m.Attributes
	l := &Link{
		Index:       int(m.Index),
		Name:        a.Name,
		ParentIndex: int(a.Parent),
		MTU:         a.MTU,
		MAC:         a.Address,
		Flags:       netFlags(m.Flags),
		Msg:         m,
	}
	if a.Group != nil {
		l.Group = *a.Group
	}
	if a.TxQueueLen != nil {
		l.TxQueueLen = *a.TxQueueLen
	}
	if a.Alias != nil {
		l.Alias = *a.Alias
	}
	if a.Info != nil {
		l.Kind = a.Info.Kind
		l.Data = a.Info.Data
	}
	return l
}

// netFlags converts IFF_* bits as package net does.
func netFlags(raw uint32) net.Flags {
	var f net.Flags
	for _, b := range []struct {
		iff uint32
		f   net.Flags
	}{
		{unix.IFF_UP, net.FlagUp},
		{unix.IFF_BROADCAST, net.FlagBroadcast},
		{unix.IFF_LOOPBACK, net.FlagLoopback},
		{unix.IFF_POINTOPOINT, net.FlagPointToPoint},
		{unix.IFF_MULTICAST, net.FlagMulticast},
		{unix.IFF_RUNNING, net.FlagRunning},
	} {
		if raw&b.iff != 0 {
			f |= b.f
		}
	}
	return f
}
