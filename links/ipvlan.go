package links

import (
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/rtnl"
)

// IPVlan is an ipvlan (or, with Tap, ipvtap) link. Its mode and flag are
// the parent's: every ipvlan on one parent shares them. Both can change
// (Change.Options).
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

// NeedsParent implements Spec: an ipvlan sits on a lower device.
func (s *IPVlan) NeedsParent() bool { return true }

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

// change checks the mode and flag, which every ipvlan on the parent
// shares, and sends them.
func (s *IPVlan) change(rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s.data()
}
