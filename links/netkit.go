package links

import (
	"reflect"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Netkit is a netkit pair (Linux 6.7): the link, the primary, which
// carries the BPF programs of both ends, and its Peer. Without programs,
// each end forwards what it sends to the other or drops it, as its policy
// says. Policy and PeerPolicy can change (Change.Options, on the
// primary); the mode cannot.
type Netkit struct {
	Attrs
	// Peer is the other end. Its NetNS may differ from the link's.
	Peer Attrs
	// Mode is sent when not nil; the kernel's default is l3, where
	// neither end has a MAC address (MAC must then be nil).
	Mode *rtnl.NetkitMode
	// Policy and PeerPolicy are the ends' policies, sent when not nil;
	// the kernel's default is forward.
	Policy, PeerPolicy *rtnl.NetkitPolicy
}

// Kind implements Spec.
func (s *Netkit) Kind() string { return "netkit" }

// NeedsParent implements Spec: a netkit has a peer, not a lower device.
func (s *Netkit) NeedsParent() bool { return false }

func (s *Netkit) parent() string { return "" }

func (s *Netkit) peer() *Attrs { return &s.Peer }

func (s *Netkit) validate() error {
	if s.Mode != nil && *s.Mode != rtnl.NetkitModeL2 && *s.Mode != rtnl.NetkitModeL3 {
		return invalid("netkit mode", s.Mode.String(), "use l2 or l3")
	}
	if err := checkNetkitPolicies(s.Policy, s.PeerPolicy); err != nil {
		return err
	}
	l2 := s.Mode != nil && *s.Mode == rtnl.NetkitModeL2
	for _, a := range []*Attrs{&s.Attrs, &s.Peer} {
		if a.MAC != nil && !l2 {
			return invalid("address", a.MAC.String(), "netkit links have MAC addresses only in mode l2: add \"mode l2\" or remove the address")
		}
	}
	return checkAttrs(&s.Peer)
}

// checkNetkitPolicies checks the policies that are set.
func checkNetkitPolicies(ps ...*rtnl.NetkitPolicy) error {
	for _, p := range ps {
		if p != nil && *p != rtnl.NetkitForward && *p != rtnl.NetkitBlackhole {
			return invalid("netkit policy", p.String(), "use forward or blackhole")
		}
	}
	return nil
}

func (s *Netkit) data() (rtnetlink.LinkDriver, error) {
	p := &s.Peer
	pm := &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: p.Name, MTU: p.MTU, Address: p.MAC}}
	p.setNetNS(&pm.Attributes)
	// Peer.Up is applied after creation (see Handle.Create): the kernel
	// ignores the peer's flags.
	return &rtnl.Netkit{Mode: s.Mode, Policy: s.Policy, PeerPolicy: s.PeerPolicy, Peer: pm}, nil
}

// change sends the policies: the kernel cannot change the mode or the
// peer of a pair (and changes the policies only through the primary,
// which it says itself).
func (s *Netkit) change(rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error) {
	if s.Mode != nil {
		return nil, invalid("netkit mode", s.Mode.String(), "the kernel cannot change the mode of a netkit pair; delete and re-create it")
	}
	if !reflect.ValueOf(s.Peer).IsZero() {
		return nil, invalid("netkit peer", s.Peer.Name, "the peer of a netkit pair cannot change; only its policy can (PeerPolicy)")
	}
	if err := checkNetkitPolicies(s.Policy, s.PeerPolicy); err != nil {
		return nil, err
	}
	return &rtnl.Netkit{Policy: s.Policy, PeerPolicy: s.PeerPolicy}, nil
}
