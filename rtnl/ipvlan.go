package rtnl

import (
	"fmt"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// IFLA_IPVLAN_* attribute types (include/uapi/linux/if_link.h).
const (
	iflaIPVlanMode  = 1
	iflaIPVlanFlags = 2
)

// IPVlanMode is an ipvlan port's mode (IPVLAN_MODE_*).
type IPVlanMode uint16

// ipvlan modes.
const (
	IPVlanModeL2  IPVlanMode = 0
	IPVlanModeL3  IPVlanMode = 1
	IPVlanModeL3S IPVlanMode = 2
)

// String returns the mode as iproute2 writes it.
func (m IPVlanMode) String() string {
	switch m {
	case IPVlanModeL2:
		return "l2"
	case IPVlanModeL3:
		return "l3"
	case IPVlanModeL3S:
		return "l3s"
	}
	return fmt.Sprintf("IPVlanMode(%d)", uint16(m))
}

// IPVlanFlag is an ipvlan port's flag (IPVLAN_F_*). Zero means bridge.
type IPVlanFlag uint16

// ipvlan flags.
const (
	IPVlanFlagBridge  IPVlanFlag = 0
	IPVlanFlagPrivate IPVlanFlag = 0x01
	IPVlanFlagVEPA    IPVlanFlag = 0x02
)

// String returns the flag as iproute2 writes it.
func (f IPVlanFlag) String() string {
	switch f {
	case IPVlanFlagBridge:
		return "bridge"
	case IPVlanFlagPrivate:
		return "private"
	case IPVlanFlagVEPA:
		return "vepa"
	}
	return fmt.Sprintf("IPVlanFlag(%#x)", uint16(f))
}

// IPVlan is the IFLA_INFO_DATA of an ipvlan link. Nil fields are not
// sent. Mode and flags belong to the parent's ipvlan port: every ipvlan on
// one parent shares them, and the latest change wins.
type IPVlan struct {
	Mode  *IPVlanMode
	Flags *IPVlanFlag
}

var _ rtnetlink.LinkDriver = (*IPVlan)(nil)

// New implements rtnetlink.LinkDriver.
func (*IPVlan) New() rtnetlink.LinkDriver { return &IPVlan{} }

// Kind implements rtnetlink.LinkDriver.
func (*IPVlan) Kind() string { return "ipvlan" }

// Encode implements rtnetlink.LinkDriver, in iproute2's order.
func (v *IPVlan) Encode(ae *netlink.AttributeEncoder) error {
	if v.Mode != nil {
		ae.Uint16(iflaIPVlanMode, uint16(*v.Mode))
	}
	if v.Flags != nil {
		ae.Uint16(iflaIPVlanFlags, uint16(*v.Flags))
	}
	return nil
}

// Decode implements rtnetlink.LinkDriver.
func (v *IPVlan) Decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case iflaIPVlanMode:
			m := IPVlanMode(ad.Uint16())
			v.Mode = &m
		case iflaIPVlanFlags:
			f := IPVlanFlag(ad.Uint16())
			v.Flags = &f
		}
	}
	return ad.Err()
}

// IPVtap is the IFLA_INFO_DATA of an ipvtap link: an ipvlan with a tap
// character device.
type IPVtap struct{ IPVlan }

// New implements rtnetlink.LinkDriver.
func (*IPVtap) New() rtnetlink.LinkDriver { return &IPVtap{} }

// Kind implements rtnetlink.LinkDriver.
func (*IPVtap) Kind() string { return "ipvtap" }
