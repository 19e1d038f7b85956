package links

import (
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/jsimonetti/rtnetlink/v2/driver"
)

// Veth is a veth pair: the link and its Peer. It has no options to
// change.
type Veth struct {
	Attrs
	// Peer is the other end. Its NetNS may differ from the link's.
	Peer Attrs
}

// Kind implements Spec.
func (s *Veth) Kind() string { return "veth" }

// NeedsParent implements Spec: a veth has a peer, not a lower device.
func (s *Veth) NeedsParent() bool { return false }

func (s *Veth) parent() string { return "" }

func (s *Veth) peer() *Attrs { return &s.Peer }

func (s *Veth) change(rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error) { return nil, noChange(s) }

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
	// Peer.Up is applied after creation (see Handle.Create): the kernel
	// cannot open a veth end whose peer is not registered yet.
	return &driver.Veth{PeerInfo: pm}, nil
}
