package rtnl

import (
	"errors"
	"fmt"
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"golang.org/x/sys/unix"
)

// ifinfomsgLen is the size of struct ifinfomsg.
const ifinfomsgLen = 16

var errShortLinkMessage = errors.New("link message is too short")

// LinkMessage is an RTM_{NEW,DEL,GET}LINK message: a struct ifinfomsg and
// the link attributes vlanraw uses.
type LinkMessage struct {
	// Family is ifi_family, AF_UNSPEC for links.
	Family uint8
	// Type is the ARPHRD_* device type (ifi_type).
	Type uint16
	// Index is the interface index; 0 when creating.
	Index int32
	// Flags are the IFF_* device flags.
	Flags uint32
	// Change is the mask of Flags to change.
	Change uint32
	// Attributes are the IFLA_* attributes.
	Attributes LinkAttributes
}

// LinkAttributes are the IFLA_* attributes of a link. Zero values and nil
// pointers are not sent.
//
// MarshalBinary encodes them in the order iproute2's `ip link add` sends
// them when its options are given in this order: mtu, address,
// txqueuelen, group, netns, then link, name and type.
type LinkAttributes struct {
	MTU        uint32           // IFLA_MTU
	Address    net.HardwareAddr // IFLA_ADDRESS
	TxQueueLen *uint32          // IFLA_TXQLEN
	Group      *uint32          // IFLA_GROUP
	NetNSFD    *uint32          // IFLA_NET_NS_FD: create or move the link into this namespace
	NetNSPID   *uint32          // IFLA_NET_NS_PID
	Parent     uint32           // IFLA_LINK: index of the lower device
	Name       string           // IFLA_IFNAME
	Info       *LinkInfo        // IFLA_LINKINFO
	// Alias is IFLA_IFALIAS, the link's free-form description (ip link
	// set DEV alias TEXT). The kernel ignores it in a request that
	// creates a link; an empty string clears it.
	Alias *string

	// IPv4Conf are per-link IPv4 settings to change, sent in
	// IFLA_AF_SPEC as AF_INET's IFLA_INET_CONF and never decoded. The
	// kernel applies them after the request's flags, and refuses them
	// when creating a link: a setting that must hold when the link comes
	// up, such as arp_notify, needs a request of its own before.
	IPv4Conf []IPv4Conf

	// The rest are reported by the kernel and never sent.

	Broadcast   net.HardwareAddr // IFLA_BROADCAST
	Master      uint32           // IFLA_MASTER
	OperState   uint8            // IFLA_OPERSTATE
	LinkMode    uint8            // IFLA_LINKMODE
	Promiscuity uint32           // IFLA_PROMISCUITY
	MinMTU      uint32           // IFLA_MIN_MTU
	MaxMTU      uint32           // IFLA_MAX_MTU
	Qdisc       string           // IFLA_QDISC
	NumTx       uint32           // IFLA_NUM_TX_QUEUES
	NumRx       uint32           // IFLA_NUM_RX_QUEUES
	LinkNetNSID *int32           // IFLA_LINK_NETNSID: Parent lives in that peer namespace
}

// LinkInfo is IFLA_LINKINFO: the kind and its kind-specific data.
type LinkInfo struct {
	// Kind is IFLA_INFO_KIND, such as "ipvlan".
	Kind string
	// Data is IFLA_INFO_DATA. When decoding, it is one of this package's
	// drivers for the kinds it knows, nil otherwise.
	Data rtnetlink.LinkDriver
	// SlaveKind is IFLA_INFO_SLAVE_KIND, reported for bridge ports and the
	// like.
	SlaveKind string
}

// MarshalBinary encodes the message as iproute2 would.
func (m *LinkMessage) MarshalBinary() ([]byte, error) {
	b := make([]byte, ifinfomsgLen)
	b[0] = m.Family
	nlenc.PutUint16(b[2:4], m.Type)
	nlenc.PutInt32(b[4:8], m.Index)
	nlenc.PutUint32(b[8:12], m.Flags)
	nlenc.PutUint32(b[12:16], m.Change)

	ae := netlink.NewAttributeEncoder()
	if err := m.Attributes.encode(ae); err != nil {
		return nil, err
	}
	a, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(b, a...), nil
}

func (a *LinkAttributes) encode(ae *netlink.AttributeEncoder) error {
	if a.MTU != 0 {
		ae.Uint32(unix.IFLA_MTU, a.MTU)
	}
	if len(a.Address) != 0 {
		ae.Bytes(unix.IFLA_ADDRESS, a.Address)
	}
	if a.TxQueueLen != nil {
		ae.Uint32(unix.IFLA_TXQLEN, *a.TxQueueLen)
	}
	if a.Group != nil {
		ae.Uint32(unix.IFLA_GROUP, *a.Group)
	}
	if a.NetNSFD != nil {
		ae.Uint32(unix.IFLA_NET_NS_FD, *a.NetNSFD)
	}
	if a.NetNSPID != nil {
		ae.Uint32(unix.IFLA_NET_NS_PID, *a.NetNSPID)
	}
	if a.Parent != 0 {
		ae.Uint32(unix.IFLA_LINK, a.Parent)
	}
	if a.Name != "" {
		ae.String(unix.IFLA_IFNAME, a.Name)
	}
	if a.Info != nil {
		b, err := a.Info.marshal()
		if err != nil {
			return err
		}
		// Like iproute2, nests are sent without NLA_F_NESTED.
		ae.Bytes(unix.IFLA_LINKINFO, b)
	}
	if a.Alias != nil {
		// As iproute2: the text without its NUL, so "" clears it.
		ae.Bytes(unix.IFLA_IFALIAS, []byte(*a.Alias))
	}
	if len(a.IPv4Conf) > 0 {
		b, err := encodeIPv4Conf(a.IPv4Conf)
		if err != nil {
			return fmt.Errorf("encode IPv4 settings: %w", err)
		}
		ae.Bytes(unix.IFLA_AF_SPEC, b)
	}
	return nil
}

func (i *LinkInfo) marshal() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	// iproute2 sends the kind without its terminating NUL.
	ae.Bytes(unix.IFLA_INFO_KIND, []byte(i.Kind))
	if i.Data != nil {
		if k := i.Data.Kind(); k != i.Kind {
			return nil, fmt.Errorf("link info kind %q does not match its data's kind %q", i.Kind, k)
		}
		dae := netlink.NewAttributeEncoder()
		if err := i.Data.Encode(dae); err != nil {
			return nil, fmt.Errorf("encode %s data: %w", i.Kind, err)
		}
		b, err := dae.Encode()
		if err != nil {
			return nil, fmt.Errorf("encode %s data: %w", i.Kind, err)
		}
		// iproute2 adds IFLA_INFO_DATA only when there are kind options.
		if len(b) > 0 {
			ae.Bytes(unix.IFLA_INFO_DATA, b)
		}
	}
	return ae.Encode()
}

// UnmarshalBinary decodes a link message from the kernel.
func (m *LinkMessage) UnmarshalBinary(b []byte) error {
	if len(b) < ifinfomsgLen {
		return errShortLinkMessage
	}
	m.Family = b[0]
	m.Type = nlenc.Uint16(b[2:4])
	m.Index = nlenc.Int32(b[4:8])
	m.Flags = nlenc.Uint32(b[8:12])
	m.Change = nlenc.Uint32(b[12:16])
	m.Attributes = LinkAttributes{}
	ad, err := netlink.NewAttributeDecoder(b[ifinfomsgLen:])
	if err != nil {
		return err
	}
	return m.Attributes.decode(ad)
}

func u32p(v uint32) *uint32 { return &v }

func (a *LinkAttributes) decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_MTU:
			a.MTU = ad.Uint32()
		case unix.IFLA_ADDRESS:
			a.Address = net.HardwareAddr(ad.Bytes())
		case unix.IFLA_BROADCAST:
			a.Broadcast = net.HardwareAddr(ad.Bytes())
		case unix.IFLA_TXQLEN:
			a.TxQueueLen = u32p(ad.Uint32())
		case unix.IFLA_GROUP:
			a.Group = u32p(ad.Uint32())
		case unix.IFLA_NET_NS_FD:
			a.NetNSFD = u32p(ad.Uint32())
		case unix.IFLA_NET_NS_PID:
			a.NetNSPID = u32p(ad.Uint32())
		case unix.IFLA_LINK:
			a.Parent = ad.Uint32()
		case unix.IFLA_IFNAME:
			a.Name = ad.String()
		case unix.IFLA_IFALIAS:
			v := ad.String()
			a.Alias = &v
		case unix.IFLA_MASTER:
			a.Master = ad.Uint32()
		case unix.IFLA_OPERSTATE:
			a.OperState = ad.Uint8()
		case unix.IFLA_LINKMODE:
			a.LinkMode = ad.Uint8()
		case unix.IFLA_PROMISCUITY:
			a.Promiscuity = ad.Uint32()
		case unix.IFLA_MIN_MTU:
			a.MinMTU = ad.Uint32()
		case unix.IFLA_MAX_MTU:
			a.MaxMTU = ad.Uint32()
		case unix.IFLA_QDISC:
			a.Qdisc = ad.String()
		case unix.IFLA_NUM_TX_QUEUES:
			a.NumTx = ad.Uint32()
		case unix.IFLA_NUM_RX_QUEUES:
			a.NumRx = ad.Uint32()
		case unix.IFLA_LINK_NETNSID:
			v := ad.Int32()
			a.LinkNetNSID = &v
		case unix.IFLA_LINKINFO:
			a.Info = &LinkInfo{}
			ad.Nested(a.Info.decode)
		}
	}
	return ad.Err()
}

func (i *LinkInfo) decode(ad *netlink.AttributeDecoder) error {
	var data []byte
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_INFO_KIND:
			i.Kind = ad.String()
		case unix.IFLA_INFO_DATA:
			data = ad.Bytes()
		case unix.IFLA_INFO_SLAVE_KIND:
			i.SlaveKind = ad.String()
		}
	}
	if err := ad.Err(); err != nil {
		return err
	}
	d := NewDriver(i.Kind)
	if d == nil {
		return nil
	}
	dad, err := netlink.NewAttributeDecoder(data)
	if err != nil {
		return fmt.Errorf("decode %s data: %w", i.Kind, err)
	}
	if err := d.Decode(dad); err != nil {
		return fmt.Errorf("decode %s data: %w", i.Kind, err)
	}
	if err := dad.Err(); err != nil {
		return fmt.Errorf("decode %s data: %w", i.Kind, err)
	}
	i.Data = d
	return nil
}
