package rtnl

import (
	"fmt"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// IFLA_NETKIT_* attribute types (include/uapi/linux/if_link.h).
const (
	iflaNetkitPeerInfo   = 1
	iflaNetkitPrimary    = 2
	iflaNetkitPolicy     = 3
	iflaNetkitPeerPolicy = 4
	iflaNetkitMode       = 5
	iflaNetkitScrub      = 6
	iflaNetkitPeerScrub  = 7
)

// NetkitMode is a netkit pair's mode (enum netkit_mode).
type NetkitMode uint32

// netkit modes.
const (
	// NetkitModeL2 makes both ends Ethernet devices with MAC addresses
	// that do ARP.
	NetkitModeL2 NetkitMode = 0
	// NetkitModeL3, the kernel's default, makes them devices without ARP
	// whose MAC addresses are zero.
	NetkitModeL3 NetkitMode = 1
)

// String returns the mode as iproute2 writes it.
func (m NetkitMode) String() string {
	switch m {
	case NetkitModeL2:
		return "l2"
	case NetkitModeL3:
		return "l3"
	}
	return fmt.Sprintf("NetkitMode(%d)", uint32(m))
}

// NetkitPolicy is what a netkit end does with the packets it sends when
// no BPF program decides (enum netkit_action).
type NetkitPolicy uint32

// netkit policies.
const (
	// NetkitForward (NETKIT_PASS, the kernel's default) hands the packet
	// to the other end.
	NetkitForward NetkitPolicy = 0
	// NetkitBlackhole (NETKIT_DROP) drops it.
	NetkitBlackhole NetkitPolicy = 2
)

// String returns the policy as iproute2 writes it.
func (p NetkitPolicy) String() string {
	switch p {
	case NetkitForward:
		return "forward"
	case NetkitBlackhole:
		return "blackhole"
	}
	return fmt.Sprintf("NetkitPolicy(%d)", uint32(p))
}

// NetkitScrub says how much of a packet's metadata a netkit end clears
// as it passes it on (enum netkit_scrub, which came after netkit itself;
// Debian's 6.12 has it).
type NetkitScrub uint32

// netkit scrub settings.
const (
	// NetkitScrubNone keeps the mark and priority a BPF program set.
	NetkitScrubNone NetkitScrub = 0
	// NetkitScrubDefault clears them, as a veth does.
	NetkitScrubDefault NetkitScrub = 1
)

// String returns the setting as iproute2 writes it.
func (s NetkitScrub) String() string {
	switch s {
	case NetkitScrubNone:
		return "none"
	case NetkitScrubDefault:
		return "default"
	}
	return fmt.Sprintf("NetkitScrub(%d)", uint32(s))
}

// Netkit is the IFLA_INFO_DATA of a netkit link (Linux 6.7), a pair like
// veth whose primary end carries the BPF programs of both. Nil fields are
// not sent. The kernel reports Mode, Policy, PeerPolicy (on the primary)
// and Primary, and Scrub and PeerScrub where it has them.
type Netkit struct {
	Mode *NetkitMode
	// Policy is this end's; PeerPolicy the other end's, which the
	// kernel takes only through the primary.
	Policy     *NetkitPolicy
	Scrub      *NetkitScrub
	PeerPolicy *NetkitPolicy
	PeerScrub  *NetkitScrub
	// Peer is the other end's ifinfomsg and attributes
	// (IFLA_NETKIT_PEER_INFO), sent when creating the pair. Without it
	// the kernel names the other end nk%d.
	Peer *LinkMessage
	// Primary, reported by the kernel only, says whether this end is the
	// primary.
	Primary *bool
}

var _ rtnetlink.LinkDriver = (*Netkit)(nil)

// New implements rtnetlink.LinkDriver.
func (*Netkit) New() rtnetlink.LinkDriver { return &Netkit{} }

// Kind implements rtnetlink.LinkDriver.
func (*Netkit) Kind() string { return "netkit" }

// Encode implements rtnetlink.LinkDriver, in iproute2's order for `mode M
// POLICY scrub S peer POLICY scrub S OPTIONS`: the peer's options last.
func (n *Netkit) Encode(ae *netlink.AttributeEncoder) error {
	if n.Mode != nil {
		ae.Uint32(iflaNetkitMode, uint32(*n.Mode))
	}
	if n.Policy != nil {
		ae.Uint32(iflaNetkitPolicy, uint32(*n.Policy))
	}
	if n.Scrub != nil {
		ae.Uint32(iflaNetkitScrub, uint32(*n.Scrub))
	}
	if n.PeerPolicy != nil {
		ae.Uint32(iflaNetkitPeerPolicy, uint32(*n.PeerPolicy))
	}
	if n.PeerScrub != nil {
		ae.Uint32(iflaNetkitPeerScrub, uint32(*n.PeerScrub))
	}
	if n.Peer != nil {
		b, err := n.Peer.MarshalBinary()
		if err != nil {
			return fmt.Errorf("peer: %w", err)
		}
		// Sent without NLA_F_NESTED, as iproute2 does.
		ae.Bytes(iflaNetkitPeerInfo, b)
	}
	return nil
}

// Decode implements rtnetlink.LinkDriver.
func (n *Netkit) Decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case iflaNetkitMode:
			m := NetkitMode(ad.Uint32())
			n.Mode = &m
		case iflaNetkitPolicy:
			p := NetkitPolicy(ad.Uint32())
			n.Policy = &p
		case iflaNetkitScrub:
			s := NetkitScrub(ad.Uint32())
			n.Scrub = &s
		case iflaNetkitPeerPolicy:
			p := NetkitPolicy(ad.Uint32())
			n.PeerPolicy = &p
		case iflaNetkitPeerScrub:
			s := NetkitScrub(ad.Uint32())
			n.PeerScrub = &s
		case iflaNetkitPrimary:
			p := ad.Uint8() != 0
			n.Primary = &p
		case iflaNetkitPeerInfo:
			m := &LinkMessage{}
			if err := m.UnmarshalBinary(ad.Bytes()); err != nil {
				return fmt.Errorf("peer: %w", err)
			}
			n.Peer = m
		}
	}
	return ad.Err()
}
