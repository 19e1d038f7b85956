package rtnl

import (
	"fmt"
	"net"
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// IFLA_MACVLAN_* attribute types (include/uapi/linux/if_link.h).
const (
	iflaMACVlanMode           = 1
	iflaMACVlanFlags          = 2
	iflaMACVlanMACAddrMode    = 3
	iflaMACVlanMACAddr        = 4
	iflaMACVlanMACAddrData    = 5
	iflaMACVlanMACAddrCount   = 6
	iflaMACVlanBCQueueLen     = 7
	iflaMACVlanBCQueueLenUsed = 8
	iflaMACVlanBCCutoff       = 9
)

// MACVlanMode is a macvlan's mode (MACVLAN_MODE_*).
type MACVlanMode uint32

// macvlan modes.
const (
	MACVlanModePrivate  MACVlanMode = 1
	MACVlanModeVEPA     MACVlanMode = 2
	MACVlanModeBridge   MACVlanMode = 4
	MACVlanModePassthru MACVlanMode = 8
	MACVlanModeSource   MACVlanMode = 16
)

// String returns the mode as iproute2 writes it.
func (m MACVlanMode) String() string {
	switch m {
	case MACVlanModePrivate:
		return "private"
	case MACVlanModeVEPA:
		return "vepa"
	case MACVlanModeBridge:
		return "bridge"
	case MACVlanModePassthru:
		return "passthru"
	case MACVlanModeSource:
		return "source"
	}
	return fmt.Sprintf("MACVlanMode(%d)", uint32(m))
}

// MACVlanFlag is a set of macvlan flags (MACVLAN_FLAG_*).
type MACVlanFlag uint16

// macvlan flags.
const (
	// MACVlanFlagNoPromisc keeps a passthru macvlan's parent out of
	// promiscuous mode.
	MACVlanFlagNoPromisc MACVlanFlag = 1
	// MACVlanFlagNoDst stops a source-mode macvlan from also receiving
	// frames addressed to its own MAC.
	MACVlanFlagNoDst MACVlanFlag = 2
)

// String returns the flags as iproute2 writes them, space-separated.
func (f MACVlanFlag) String() string {
	var s []string
	if f&MACVlanFlagNoPromisc != 0 {
		s = append(s, "nopromisc")
	}
	if f&MACVlanFlagNoDst != 0 {
		s = append(s, "nodst")
	}
	if rest := f &^ (MACVlanFlagNoPromisc | MACVlanFlagNoDst); rest != 0 {
		s = append(s, fmt.Sprintf("%#x", uint16(rest)))
	}
	return strings.Join(s, " ")
}

// MACAddrMode says how IFLA_MACVLAN_MACADDR(_DATA) edit a source-mode
// macvlan's list of source MACs (MACVLAN_MACADDR_*).
type MACAddrMode uint32

// Source-list edits.
const (
	MACAddrAdd   MACAddrMode = 0
	MACAddrDel   MACAddrMode = 1
	MACAddrFlush MACAddrMode = 2
	MACAddrSet   MACAddrMode = 3
)

// String returns the edit as iproute2 writes it.
func (m MACAddrMode) String() string {
	switch m {
	case MACAddrAdd:
		return "add"
	case MACAddrDel:
		return "del"
	case MACAddrFlush:
		return "flush"
	case MACAddrSet:
		return "set"
	}
	return fmt.Sprintf("MACAddrMode(%d)", uint32(m))
}

// MACVlan is the IFLA_INFO_DATA of a macvlan link. Nil fields are not
// sent. The Count, BCQueueLenUsed fields are only reported by the kernel.
type MACVlan struct {
	Mode  *MACVlanMode
	Flags *MACVlanFlag

	// MACAddrMode edits the source list: with Add or Del, MACAddr is the
	// address; with Set, MACAddr (if any) and MACAddrData replace the list.
	MACAddrMode *MACAddrMode
	MACAddr     net.HardwareAddr
	// MACAddrData is the source list: sent with Set, reported by the
	// kernel when the list is not empty.
	MACAddrData []net.HardwareAddr

	// BCQueueLen is the broadcast/multicast queue length this link asks
	// for; the port uses the largest over its links.
	BCQueueLen *uint32
	// BCCutoff (iproute2's bclim, Linux 6.4) is the number of macvlans on
	// the port above which multicast goes through the broadcast queue.
	BCCutoff *int32

	// MACAddrCount is the length of the source list (read-only).
	MACAddrCount *uint32
	// BCQueueLenUsed is the port's queue length in use (read-only).
	BCQueueLenUsed *uint32
}

var _ rtnetlink.LinkDriver = (*MACVlan)(nil)

// New implements rtnetlink.LinkDriver.
func (*MACVlan) New() rtnetlink.LinkDriver { return &MACVlan{} }

// Kind implements rtnetlink.LinkDriver.
func (*MACVlan) Kind() string { return "macvlan" }

// Encode implements rtnetlink.LinkDriver, in iproute2's order: the
// source-list edit, the queue settings, then mode and flags.
func (v *MACVlan) Encode(ae *netlink.AttributeEncoder) error {
	if v.MACAddrMode != nil {
		ae.Uint32(iflaMACVlanMACAddrMode, uint32(*v.MACAddrMode))
	}
	if len(v.MACAddr) != 0 {
		ae.Bytes(iflaMACVlanMACAddr, v.MACAddr)
	}
	if v.MACAddrData != nil {
		nae := netlink.NewAttributeEncoder()
		for _, mac := range v.MACAddrData {
			nae.Bytes(iflaMACVlanMACAddr, mac)
		}
		b, err := nae.Encode()
		if err != nil {
			return err
		}
		// Sent without NLA_F_NESTED, as iproute2 does.
		ae.Bytes(iflaMACVlanMACAddrData, b)
	}
	if v.BCQueueLen != nil {
		ae.Uint32(iflaMACVlanBCQueueLen, *v.BCQueueLen)
	}
	if v.BCCutoff != nil {
		ae.Int32(iflaMACVlanBCCutoff, *v.BCCutoff)
	}
	if v.Mode != nil {
		ae.Uint32(iflaMACVlanMode, uint32(*v.Mode))
	}
	if v.Flags != nil {
		ae.Uint16(iflaMACVlanFlags, uint16(*v.Flags))
	}
	return nil
}

// Decode implements rtnetlink.LinkDriver.
func (v *MACVlan) Decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case iflaMACVlanMode:
			m := MACVlanMode(ad.Uint32())
			v.Mode = &m
		case iflaMACVlanFlags:
			f := MACVlanFlag(ad.Uint16())
			v.Flags = &f
		case iflaMACVlanMACAddrMode:
			m := MACAddrMode(ad.Uint32())
			v.MACAddrMode = &m
		case iflaMACVlanMACAddr:
			v.MACAddr = net.HardwareAddr(ad.Bytes())
		case iflaMACVlanMACAddrData:
			v.MACAddrData = []net.HardwareAddr{}
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					if nad.Type() == iflaMACVlanMACAddr {
						v.MACAddrData = append(v.MACAddrData, net.HardwareAddr(nad.Bytes()))
					}
				}
				return nad.Err()
			})
		case iflaMACVlanMACAddrCount:
			n := ad.Uint32()
			v.MACAddrCount = &n
		case iflaMACVlanBCQueueLen:
			n := ad.Uint32()
			v.BCQueueLen = &n
		case iflaMACVlanBCQueueLenUsed:
			n := ad.Uint32()
			v.BCQueueLenUsed = &n
		case iflaMACVlanBCCutoff:
			n := ad.Int32()
			v.BCCutoff = &n
		}
	}
	return ad.Err()
}

// MACVtap is the IFLA_INFO_DATA of a macvtap link: a macvlan with a tap
// character device. It carries the same attributes.
type MACVtap struct{ MACVlan }

// New implements rtnetlink.LinkDriver.
func (*MACVtap) New() rtnetlink.LinkDriver { return &MACVtap{} }

// Kind implements rtnetlink.LinkDriver.
func (*MACVtap) Kind() string { return "macvtap" }
