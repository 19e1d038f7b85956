package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
)

// IFLA_VLAN_* attribute types (include/uapi/linux/if_link.h).
const (
	iflaVLANID         = 1
	iflaVLANFlags      = 2
	iflaVLANEgressQoS  = 3
	iflaVLANIngressQoS = 4
	iflaVLANProtocol   = 5

	iflaVLANQoSMapping = 1
)

// VLANProtocol is a VLAN tag's ethertype.
type VLANProtocol uint16

// VLAN protocols.
const (
	VLANProtocol8021Q  VLANProtocol = 0x8100
	VLANProtocol8021AD VLANProtocol = 0x88a8
)

// String returns the protocol as iproute2 writes it.
func (p VLANProtocol) String() string {
	switch p {
	case VLANProtocol8021Q:
		return "802.1Q"
	case VLANProtocol8021AD:
		return "802.1ad"
	}
	return fmt.Sprintf("VLANProtocol(%#04x)", uint16(p))
}

// VLANFlag is a set of VLAN_FLAG_* bits (include/uapi/linux/if_vlan.h).
type VLANFlag uint32

// VLAN flags.
const (
	VLANFlagReorderHdr    VLANFlag = 0x1
	VLANFlagGVRP          VLANFlag = 0x2
	VLANFlagLooseBinding  VLANFlag = 0x4
	VLANFlagMVRP          VLANFlag = 0x8
	VLANFlagBridgeBinding VLANFlag = 0x10
)

var vlanFlagNames = []struct {
	f    VLANFlag
	name string
}{
	{VLANFlagReorderHdr, "REORDER_HDR"},
	{VLANFlagGVRP, "GVRP"},
	{VLANFlagLooseBinding, "LOOSE_BINDING"},
	{VLANFlagMVRP, "MVRP"},
	{VLANFlagBridgeBinding, "BRIDGE_BINDING"},
}

// String returns the flags as iproute2 prints them, comma-separated.
func (f VLANFlag) String() string {
	var s []string
	for _, n := range vlanFlagNames {
		if f&n.f != 0 {
			s = append(s, n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		s = append(s, fmt.Sprintf("%#x", uint32(f)))
	}
	return strings.Join(s, ",")
}

// VLANFlags is struct ifla_vlan_flags: the bits of Flags selected by Mask
// are set or cleared.
type VLANFlags struct {
	Flags VLANFlag
	Mask  VLANFlag
}

// QoSMapping maps one priority to another: for ingress, a tag's PCP to an
// skb priority; for egress, an skb priority to a PCP.
type QoSMapping struct {
	From uint32
	To   uint32
}

// VLAN is the IFLA_INFO_DATA of a vlan link. Nil fields are not sent.
type VLAN struct {
	ID       *uint16
	Protocol *VLANProtocol
	// IngressQoS and EgressQoS are sent when not nil.
	IngressQoS []QoSMapping
	EgressQoS  []QoSMapping
	Flags      *VLANFlags
}

var _ rtnetlink.LinkDriver = (*VLAN)(nil)

// New implements rtnetlink.LinkDriver.
func (*VLAN) New() rtnetlink.LinkDriver { return &VLAN{} }

// Kind implements rtnetlink.LinkDriver.
func (*VLAN) Kind() string { return "vlan" }

// Encode implements rtnetlink.LinkDriver, in iproute2's order for
// `id N protocol P ingress-qos-map ... egress-qos-map ... <flags>`.
func (v *VLAN) Encode(ae *netlink.AttributeEncoder) error {
	if v.ID != nil {
		ae.Uint16(iflaVLANID, *v.ID)
	}
	if v.Protocol != nil {
		// The protocol is big-endian on the wire.
		b := make([]byte, 2)
		binary.BigEndian.PutUint16(b, uint16(*v.Protocol))
		ae.Bytes(iflaVLANProtocol, b)
	}
	if v.IngressQoS != nil {
		ae.Bytes(iflaVLANIngressQoS, encodeQoS(v.IngressQoS))
	}
	if v.EgressQoS != nil {
		ae.Bytes(iflaVLANEgressQoS, encodeQoS(v.EgressQoS))
	}
	if v.Flags != nil {
		b := make([]byte, 8)
		nlenc.PutUint32(b[0:4], uint32(v.Flags.Flags))
		nlenc.PutUint32(b[4:8], uint32(v.Flags.Mask))
		ae.Bytes(iflaVLANFlags, b)
	}
	return nil
}

func encodeQoS(maps []QoSMapping) []byte {
	b := make([]byte, 0, len(maps)*12)
	for _, m := range maps {
		a := make([]byte, 12)
		nlenc.PutUint16(a[0:2], 12)
		nlenc.PutUint16(a[2:4], iflaVLANQoSMapping)
		nlenc.PutUint32(a[4:8], m.From)
		nlenc.PutUint32(a[8:12], m.To)
		b = append(b, a...)
	}
	return b
}

var errShortVLANAttr = errors.New("vlan attribute is too short")

// Decode implements rtnetlink.LinkDriver.
func (v *VLAN) Decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case iflaVLANID:
			id := ad.Uint16()
			v.ID = &id
		case iflaVLANProtocol:
			b := ad.Bytes()
			if len(b) != 2 {
				return errShortVLANAttr
			}
			p := VLANProtocol(binary.BigEndian.Uint16(b))
			v.Protocol = &p
		case iflaVLANFlags:
			b := ad.Bytes()
			if len(b) != 8 {
				return errShortVLANAttr
			}
			v.Flags = &VLANFlags{Flags: VLANFlag(nlenc.Uint32(b[0:4])), Mask: VLANFlag(nlenc.Uint32(b[4:8]))}
		case iflaVLANIngressQoS:
			v.IngressQoS = []QoSMapping{}
			ad.Nested(decodeQoS(&v.IngressQoS))
		case iflaVLANEgressQoS:
			v.EgressQoS = []QoSMapping{}
			ad.Nested(decodeQoS(&v.EgressQoS))
		}
	}
	return ad.Err()
}

func decodeQoS(maps *[]QoSMapping) func(*netlink.AttributeDecoder) error {
	return func(ad *netlink.AttributeDecoder) error {
		for ad.Next() {
			if ad.Type() != iflaVLANQoSMapping {
				continue
			}
			b := ad.Bytes()
			if len(b) != 8 {
				return errShortVLANAttr
			}
			*maps = append(*maps, QoSMapping{From: nlenc.Uint32(b[0:4]), To: nlenc.Uint32(b[4:8])})
		}
		return ad.Err()
	}
}
