package links

import (
	"net"
	"strconv"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/jsimonetti/rtnetlink/v2/driver"
	"github.com/vlanraw/vlanraw/rtnl"
)

// IPVlan is an ipvlan (or, with Tap, ipvtap) link. Its mode and flag are
// the parent's: every ipvlan on one parent shares them.
type IPVlan struct {
	Attrs
	// Parent is the lower device.
	Parent string
	// Mode is sent when not nil; the kernel's default is l3.
	Mode *rtnl.IPVlanMode
	// Flag is sent when not nil (as bridge when only Mode is set, as
	// iproute2 does).
	Flag *rtnl.IPVlanFlag
	// Tap makes an ipvtap link.
	Tap bool
}

// Kind implements Spec.
func (s *IPVlan) Kind() string {
	if s.Tap {
		return "ipvtap"
	}
	return "ipvlan"
}

func (s *IPVlan) parent() string { return s.Parent }

func (s *IPVlan) validate() error {
	if s.MAC != nil {
		return invalid("address", s.MAC.String(), "ipvlan links share their parent's MAC address and cannot have their own; remove the address")
	}
	if s.Mode != nil && *s.Mode > rtnl.IPVlanModeL3S {
		return invalid("ipvlan mode", s.Mode.String(), "use l2, l3 or l3s")
	}
	if s.Flag != nil && *s.Flag > rtnl.IPVlanFlagVEPA {
		return invalid("ipvlan flag", s.Flag.String(), "use one of bridge, private or vepa")
	}
	return nil
}

func (s *IPVlan) data() (rtnetlink.LinkDriver, error) {
	d := rtnl.IPVlan{Mode: s.Mode, Flags: s.Flag}
	if d.Mode != nil && d.Flags == nil {
		f := rtnl.IPVlanFlagBridge
		d.Flags = &f
	}
	if s.Tap {
		return &rtnl.IPVtap{IPVlan: d}, nil
	}
	return &d, nil
}

// MACVlan is a macvlan (or, with Tap, macvtap) link.
type MACVlan struct {
	Attrs
	// Parent is the lower device.
	Parent string
	// Mode is sent when not nil; the kernel's default is vepa.
	Mode *rtnl.MACVlanMode
	// Flags are sent when not nil. nopromisc needs passthru mode, nodst
	// needs source mode.
	Flags *rtnl.MACVlanFlag
	// MACAddrMode and MACAddrs edit a source-mode link's list of source
	// MACs: Add and Del take one address, Set any number, Flush none.
	MACAddrMode *rtnl.MACAddrMode
	MACAddrs    []net.HardwareAddr
	// BCQueueLen is the broadcast queue length to ask for.
	BCQueueLen *uint32
	// BCCutoff is iproute2's bclim (Linux 6.4 and later).
	BCCutoff *int32
	// Tap makes a macvtap link.
	Tap bool
}

// Kind implements Spec.
func (s *MACVlan) Kind() string {
	if s.Tap {
		return "macvtap"
	}
	return "macvlan"
}

func (s *MACVlan) parent() string { return s.Parent }

func (s *MACVlan) validate() error {
	return checkMACVlan(s.Mode, s.Flags, s.MACAddrMode, s.MACAddrs)
}

// checkMACVlan checks that flags and a source-list edit fit mode, which is
// nil when unknown.
func checkMACVlan(mode *rtnl.MACVlanMode, flags *rtnl.MACVlanFlag, am *rtnl.MACAddrMode, macs []net.HardwareAddr) error {
	if mode != nil {
		switch *mode {
		case rtnl.MACVlanModePrivate, rtnl.MACVlanModeVEPA, rtnl.MACVlanModeBridge,
			rtnl.MACVlanModePassthru, rtnl.MACVlanModeSource:
		default:
			return invalid("macvlan mode", mode.String(), "use private, vepa, bridge, passthru or source")
		}
	}
	is := func(m rtnl.MACVlanMode) bool { return mode != nil && *mode == m }
	if flags != nil {
		if *flags&^(rtnl.MACVlanFlagNoPromisc|rtnl.MACVlanFlagNoDst) != 0 {
			return invalid("macvlan flag", flags.String(), "only nopromisc and nodst exist")
		}
		if *flags&rtnl.MACVlanFlagNoPromisc != 0 && !is(rtnl.MACVlanModePassthru) {
			return invalid("macvlan flag", "nopromisc", "it only applies to mode passthru")
		}
		if *flags&rtnl.MACVlanFlagNoDst != 0 && !is(rtnl.MACVlanModeSource) {
			return invalid("macvlan flag", "nodst", "it only applies to mode source")
		}
	}
	if am == nil {
		if len(macs) != 0 {
			return invalid("macaddr", macs[0].String(), "say how to edit the source list: add, del or set")
		}
		return nil
	}
	if !is(rtnl.MACVlanModeSource) {
		return invalid("macaddr", am.String(), "a source MAC list needs mode source")
	}
	switch *am {
	case rtnl.MACAddrAdd, rtnl.MACAddrDel:
		if len(macs) != 1 {
			return invalid("macaddr", am.String(), "%s takes exactly one MAC address", am)
		}
	case rtnl.MACAddrFlush:
		if len(macs) != 0 {
			return invalid("macaddr", am.String(), "flush takes no address")
		}
	case rtnl.MACAddrSet:
	default:
		return invalid("macaddr", am.String(), "use add, del, set or flush")
	}
	for _, m := range macs {
		if len(m) != 6 || m[0]&1 != 0 || isZero(m) {
			return invalid("macaddr", m.String(), "source MACs must be 6-byte unicast addresses")
		}
	}
	return nil
}

func (s *MACVlan) data() (rtnetlink.LinkDriver, error) {
	d := rtnl.MACVlan{
		Mode:        s.Mode,
		Flags:       s.Flags,
		MACAddrMode: s.MACAddrMode,
		BCQueueLen:  s.BCQueueLen,
		BCCutoff:    s.BCCutoff,
	}
	if s.MACAddrMode != nil {
		switch *s.MACAddrMode {
		case rtnl.MACAddrAdd, rtnl.MACAddrDel:
			if len(s.MACAddrs) > 0 {
				d.MACAddr = s.MACAddrs[0]
			}
		case rtnl.MACAddrSet:
			d.MACAddrData = append([]net.HardwareAddr{}, s.MACAddrs...)
		}
	}
	if s.Tap {
		return &rtnl.MACVtap{MACVlan: d}, nil
	}
	return &d, nil
}

// VLAN is an 802.1Q or 802.1ad vlan link.
type VLAN struct {
	Attrs
	// Parent is the lower device.
	Parent string
	// ID is the VLAN id, 0 to 4094.
	ID uint16
	// Protocol is sent when not nil; the kernel's default is 802.1Q.
	Protocol *rtnl.VLANProtocol
	// Each flag is set (true) or cleared (false) when not nil.
	ReorderHdr, GVRP, MVRP, LooseBinding, BridgeBinding *bool
	// IngressQoS and EgressQoS are priority maps, sent when not nil.
	IngressQoS, EgressQoS []rtnl.QoSMapping
}

// Kind implements Spec.
func (s *VLAN) Kind() string { return "vlan" }

func (s *VLAN) parent() string { return s.Parent }

// MaxVLANID is the largest VLAN id; 4095 is reserved.
const MaxVLANID = 4094

func (s *VLAN) validate() error {
	if s.ID > MaxVLANID {
		return invalid("vlan id", strconv.Itoa(int(s.ID)), "VLAN ids run from 0 to %d (4095 is reserved)", MaxVLANID)
	}
	if s.Protocol != nil && *s.Protocol != rtnl.VLANProtocol8021Q && *s.Protocol != rtnl.VLANProtocol8021AD {
		return invalid("vlan protocol", s.Protocol.String(), "use 802.1Q or 802.1ad")
	}
	for _, m := range s.IngressQoS {
		if m.From > 7 {
			return invalid("ingress-qos-map", strconv.Itoa(int(m.From))+":"+strconv.Itoa(int(m.To)), "an ingress map's FROM is a VLAN priority, 0 to 7")
		}
	}
	for _, m := range s.EgressQoS {
		if m.To > 7 {
			return invalid("egress-qos-map", strconv.Itoa(int(m.From))+":"+strconv.Itoa(int(m.To)), "an egress map's TO is a VLAN priority, 0 to 7")
		}
	}
	return nil
}

func (s *VLAN) data() (rtnetlink.LinkDriver, error) {
	id := s.ID
	d := &rtnl.VLAN{ID: &id, Protocol: s.Protocol, IngressQoS: s.IngressQoS, EgressQoS: s.EgressQoS}
	var f rtnl.VLANFlags
	for _, b := range []struct {
		v    *bool
		flag rtnl.VLANFlag
	}{
		{s.ReorderHdr, rtnl.VLANFlagReorderHdr},
		{s.GVRP, rtnl.VLANFlagGVRP},
		{s.MVRP, rtnl.VLANFlagMVRP},
		{s.LooseBinding, rtnl.VLANFlagLooseBinding},
		{s.BridgeBinding, rtnl.VLANFlagBridgeBinding},
	} {
		if b.v == nil {
			continue
		}
		f.Mask |= b.flag
		if *b.v {
			f.Flags |= b.flag
		}
	}
	if f.Mask != 0 {
		d.Flags = &f
	}
	return d, nil
}

// Dummy is a dummy link.
type Dummy struct {
	Attrs
}

// Kind implements Spec.
func (s *Dummy) Kind() string { return "dummy" }

func (s *Dummy) parent() string { return "" }

func (s *Dummy) validate() error { return nil }

func (s *Dummy) data() (rtnetlink.LinkDriver, error) { return &rtnl.Dummy{}, nil }

// Veth is a veth pair: the link and its Peer.
type Veth struct {
	Attrs
	// Peer is the other end. Its NetNS may differ from the link's.
	Peer Attrs
}

// Kind implements Spec.
func (s *Veth) Kind() string { return "veth" }

func (s *Veth) parent() string { return "" }

func (s *Veth) validate() error { return checkAttrs(&s.Peer) }

func (s *Veth) data() (rtnetlink.LinkDriver, error) {
	p := &s.Peer
	pm := &rtnetlink.LinkMessage{Attributes: &rtnetlink.LinkAttributes{
		Name:    p.Name,
		MTU:     p.MTU,
		Address: p.MAC,
	}}
	if p.NetNS != nil {
		pm.Attributes.NetNS = rtnetlink.NetNSForFD(uint32(p.NetNS.FD()))
	}
	if p.NetNSPID != 0 {
		pm.Attributes.NetNS = rtnetlink.NetNSForPID(uint32(p.NetNSPID))
	}
	// Peer.Up is applied after creation (see Handle.Create): the kernel
	// cannot open a veth end whose peer is not registered yet.
	return &driver.Veth{PeerInfo: pm}, nil
}
