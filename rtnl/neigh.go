package rtnl

import (
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// NeighMessage is an RTM_{NEW,DEL,GET}NEIGH message.
type NeighMessage = rtnetlink.NeighMessage

// NewPermanentNeigh returns a permanent neighbour entry mapping ip to mac
// on the link with index, as `ip neigh add IP lladdr MAC dev X nud
// permanent` makes.
func NewPermanentNeigh(index uint32, ip net.IP, mac net.HardwareAddr) *NeighMessage {
	family := uint16(unix.AF_INET6)
	if ip4 := ip.To4(); ip4 != nil {
		family, ip = unix.AF_INET, ip4
	}
	return &NeighMessage{
		Family: family,
		Index:  index,
		State:  unix.NUD_PERMANENT,
		Type:   unix.RTN_UNICAST,
		Attributes: &rtnetlink.NeighAttributes{
			Address:   ip,
			LLAddress: mac,
		},
	}
}

// AddNeigh adds a neighbour entry (NLM_F_CREATE|NLM_F_EXCL).
func (c *Conn) AddNeigh(m *NeighMessage) error {
	_, err := c.Execute("add neighbour", m.Attributes.Address.String(), unix.RTM_NEWNEIGH,
		netlink.Acknowledge|netlink.Create|netlink.Excl, m)
	return err
}

// ReplaceNeigh adds a neighbour entry or replaces the one the kernel has
// for its address (NLM_F_CREATE|NLM_F_REPLACE), as `ip neigh replace`
// does: in one request, so that no entry the kernel makes meanwhile (one
// an ARP attempt leaves) can come between a deletion and an add.
func (c *Conn) ReplaceNeigh(m *NeighMessage) error {
	_, err := c.Execute("replace neighbour", m.Attributes.Address.String(), unix.RTM_NEWNEIGH,
		netlink.Acknowledge|netlink.Create|netlink.Replace, m)
	return err
}

// DeleteNeigh removes a neighbour entry.
func (c *Conn) DeleteNeigh(m *NeighMessage) error {
	_, err := c.Execute("delete neighbour", m.Attributes.Address.String(), unix.RTM_DELNEIGH,
		netlink.Acknowledge, m)
	return err
}

// ListNeighs returns the neighbour entries of family (unix.AF_INET,
// unix.AF_INET6 or 0 for both), only those on the link with index when it
// is not 0.
func (c *Conn) ListNeighs(family uint16, index uint32) ([]NeighMessage, error) {
	msgs, err := c.Dump("list neighbours", unix.RTM_GETNEIGH, &NeighMessage{Family: family})
	if err != nil {
		return nil, err
	}
	out := make([]NeighMessage, 0, len(msgs))
	for _, nm := range msgs {
		if nm.Header.Type != unix.RTM_NEWNEIGH {
			continue
		}
		var m NeighMessage
		if err := m.UnmarshalBinary(nm.Data); err != nil {
			return nil, &OpError{Op: "list neighbours", Err: err}
		}
		if index != 0 && m.Index != index {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}
