package links

import (
	"strconv"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/rtnl"
)

// VLAN is an 802.1Q or 802.1ad vlan link. vlanraw cannot change its
// options yet.
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

// NeedsParent implements Spec: a vlan sits on a lower device.
func (s *VLAN) NeedsParent() bool { return true }

func (s *VLAN) parent() string { return s.Parent }

func (s *VLAN) change(rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error) { return nil, noChange(s) }

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
