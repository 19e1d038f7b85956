package links

import (
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/rtnl"
)

// MACVlan is a macvlan (or, with Tap, macvtap) link. Every option can
// change (Change.Options), but the kernel cannot switch a link into or
// out of passthru mode.
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

// NeedsParent implements Spec: a macvlan sits on a lower device.
func (s *MACVlan) NeedsParent() bool { return true }

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

// change checks flags and source-list edits against the mode, the link's
// current one when the spec gives none: the kernel cannot switch a link
// into or out of passthru.
func (s *MACVlan) change(cur rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error) {
	have := macvlanData(cur)
	mode := s.Mode
	if mode == nil && have != nil {
		mode = have.Mode
	}
	if have != nil && have.Mode != nil && s.Mode != nil &&
		(*have.Mode == rtnl.MACVlanModePassthru) != (*s.Mode == rtnl.MACVlanModePassthru) {
		return nil, invalid("macvlan mode", s.Mode.String(), "the kernel cannot switch a link into or out of passthru mode; delete and re-create it")
	}
	if err := checkMACVlan(mode, s.Flags, s.MACAddrMode, s.MACAddrs); err != nil {
		return nil, err
	}
	return s.data()
}

// macvlanData returns the macvlan data of a macvlan's or a macvtap's d,
// nil for other kinds.
func macvlanData(d rtnetlink.LinkDriver) *rtnl.MACVlan {
	switch v := d.(type) {
	case *rtnl.MACVlan:
		return v
	case *rtnl.MACVtap:
		return &v.MACVlan
	}
	return nil
}
