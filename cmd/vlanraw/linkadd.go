package main

import (
	"errors"
	"os"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// kinds are the link kinds `link add` creates.
var kinds = []string{"ipvlan", "ipvtap", "macvlan", "macvtap", "vlan", "dummy", "veth"}

// addRequest is a parsed `link add`: the spec, and the namespaces named
// by netns words, which are opened only when the command runs.
type addRequest struct {
	spec links.Spec
	// netns and peerNetNS are the words after netns, for the link and for
	// a veth's peer: a name under /run/netns or a process id.
	netns     string
	peerNetNS string
}

// parseLinkAdd reads the words after `link add`.
func parseLinkAdd(args []string) (*addRequest, error) {
	a, err := parseLinkArgs(&words{w: args})
	if err != nil {
		return nil, err
	}
	if a.name != a.dev {
		return nil, usagef("both \"name\" (%q) and a device name (%q) given: when creating a link, give its name once", a.name, a.dev)
	}
	if a.name == "" {
		return nil, usagef("no name given for the new link: add \"name NAME\"")
	}
	if !a.hasType {
		return nil, usagef("no link type given: add \"type KIND\", with KIND one of %s", kindList())
	}
	attrs := links.Attrs{Name: a.name, MTU: a.mtu, MAC: a.mac, TxQueueLen: a.txqlen, Group: a.group}
	if a.up != nil {
		attrs.Up = *a.up
	}
	req := &addRequest{netns: a.netns}
	needParent := func() error {
		if a.parent == "" {
			return usagef("%s needs a parent link: add \"link DEV\"", a.kind)
		}
		return nil
	}
	noParent := func() error {
		if a.parent != "" {
			return usagef("%s links have no parent: remove \"link %s\"", a.kind, a.parent)
		}
		return nil
	}
	switch a.kind {
	case "ipvlan", "ipvtap":
		req.spec, err = ipvlanSpec(a, attrs, needParent)
	case "macvlan", "macvtap":
		req.spec, err = macvlanSpec(a, attrs, needParent)
	case "vlan":
		req.spec, err = vlanSpec(a, attrs, needParent)
	case "dummy":
		if err = noParent(); err == nil && len(a.kindWords) > 0 {
			err = usagef("dummy: unknown option %q: dummy links take no options", a.kindWords[0])
		}
		req.spec = &links.Dummy{Attrs: attrs}
	case "veth":
		if err = noParent(); err == nil {
			req.spec, req.peerNetNS, err = vethSpec(a.kindWords, attrs)
		}
	default:
		err = usagef("unknown link type %q: use one of %s", a.kind, kindList())
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// kindList names the kinds for messages: "a, b or c".
func kindList() string {
	s := ""
	for i, k := range kinds {
		switch {
		case i == len(kinds)-1:
			s += " or "
		case i > 0:
			s += ", "
		}
		s += k
	}
	return s
}

// ipvlanSpec builds an ipvlan or ipvtap spec from the parsed words.
func ipvlanSpec(a *linkArgs, attrs links.Attrs, needParent func() error) (links.Spec, error) {
	if err := needParent(); err != nil {
		return nil, err
	}
	if a.mac != nil {
		return nil, usagef("%s links share their parent's MAC address: remove \"address %s\"", a.kind, a.mac)
	}
	v, err := parseIPVlan(a.kind, a.kindWords)
	if err != nil {
		return nil, err
	}
	s := &links.IPVlan{Attrs: attrs, Parent: a.parent, Tap: a.kind == "ipvtap"}
	if v != nil {
		s.Mode, s.Flag = v.Mode, v.Flags
	}
	return s, nil
}

// macvlanSpec builds a macvlan or macvtap spec from the parsed words.
func macvlanSpec(a *linkArgs, attrs links.Attrs, needParent func() error) (links.Spec, error) {
	if err := needParent(); err != nil {
		return nil, err
	}
	v, err := parseMACVlan(a.kind, a.kindWords)
	if err != nil {
		return nil, err
	}
	if v.MACAddrMode != nil && (v.Mode == nil || *v.Mode != rtnl.MACVlanModeSource) {
		return nil, usagef("%s: \"macaddr\" edits the source list of a source-mode link: add \"mode source\"", a.kind)
	}
	s := &links.MACVlan{
		Attrs: attrs, Parent: a.parent, Tap: a.kind == "macvtap",
		Mode: v.Mode, Flags: v.Flags, MACAddrMode: v.MACAddrMode,
		BCQueueLen: v.BCQueueLen, BCCutoff: v.BCCutoff,
	}
	switch {
	case v.MACAddr != nil:
		s.MACAddrs = append(s.MACAddrs, v.MACAddr)
	case v.MACAddrData != nil:
		s.MACAddrs = v.MACAddrData
	}
	return s, nil
}

// vlanSpec builds a vlan spec from the parsed words.
func vlanSpec(a *linkArgs, attrs links.Attrs, needParent func() error) (links.Spec, error) {
	if err := needParent(); err != nil {
		return nil, err
	}
	v, err := parseVLAN(a.kindWords)
	if err != nil {
		return nil, err
	}
	if v.ID == nil {
		return nil, usagef("vlan: no id given: add \"id N\" (0-%d)", vlanIDMax)
	}
	s := &links.VLAN{
		Attrs: attrs, Parent: a.parent, ID: *v.ID, Protocol: v.Protocol,
		IngressQoS: v.IngressQoS, EgressQoS: v.EgressQoS,
	}
	if v.Flags != nil {
		for bit, p := range map[rtnl.VLANFlag]**bool{
			rtnl.VLANFlagReorderHdr:    &s.ReorderHdr,
			rtnl.VLANFlagGVRP:          &s.GVRP,
			rtnl.VLANFlagMVRP:          &s.MVRP,
			rtnl.VLANFlagLooseBinding:  &s.LooseBinding,
			rtnl.VLANFlagBridgeBinding: &s.BridgeBinding,
		} {
			if v.Flags.Mask&bit != 0 {
				on := v.Flags.Flags&bit != 0
				*p = &on
			}
		}
	}
	return s, nil
}

// vethSpec reads `peer [name] NAME [mtu N] [address MAC] ... [netns NS]`.
func vethSpec(args []string, attrs links.Attrs) (links.Spec, string, error) {
	s := &links.Veth{Attrs: attrs}
	if len(args) == 0 {
		// iproute2 lets the kernel name the peer; links.Veth needs a name.
		return nil, "", usagef("veth: name the other end: add \"peer name NAME\"")
	}
	if args[0] != "peer" {
		return nil, "", usagef("veth: unknown option %q: use \"peer name NAME\"", args[0])
	}
	p, err := parseLinkArgs(&words{w: args[1:]})
	if err != nil {
		return nil, "", err
	}
	switch {
	case p.hasType:
		return nil, "", usagef("veth: \"type\" is given twice: the peer is always a veth")
	case p.parent != "":
		return nil, "", usagef("veth: a peer has no parent: remove \"link %s\"", p.parent)
	case p.name != p.dev:
		return nil, "", usagef("veth: both \"name\" (%q) and a device name (%q) given for the peer: give its name once", p.name, p.dev)
	case p.txqlen != nil, p.group != nil:
		// links.Veth does not send them for the peer yet.
		return nil, "", usagef("veth: vlanraw cannot set a peer's txqueuelen or group yet: set them with \"link set\" after creating it")
	}
	s.Peer = links.Attrs{Name: p.name, MTU: p.mtu, MAC: p.mac}
	if p.up != nil {
		s.Peer.Up = *p.up
	}
	return s, p.netns, nil
}

// specAttrs returns the common attributes of a spec.
func specAttrs(s links.Spec) *links.Attrs {
	switch v := s.(type) {
	case *links.IPVlan:
		return &v.Attrs
	case *links.MACVlan:
		return &v.Attrs
	case *links.VLAN:
		return &v.Attrs
	case *links.Dummy:
		return &v.Attrs
	case *links.Veth:
		return &v.Attrs
	}
	return nil
}

// openNetNSWord opens the namespace a "netns" word names (see openNetNS)
// and sets attrs.NetNS to it; the caller closes it. One that does not
// exist is a bad value, as in iproute2.
func openNetNSWord(word string, attrs *links.Attrs) (*netns.NS, error) {
	ns, err := openNetNS(word)
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, errdefs.ErrInvalid):
		return nil, usagef("invalid \"netns\" value %q: %v", word, err)
	case err != nil:
		return nil, err
	}
	attrs.NetNS = ns
	return ns, nil
}

// runLinkAdd creates a link.
func runLinkAdd(e *env, args []string) error {
	req, err := parseLinkAdd(args)
	if err != nil {
		return err
	}
	if req.netns != "" {
		ns, err := openNetNSWord(req.netns, specAttrs(req.spec))
		if err != nil {
			return err
		}
		defer ns.Close()
	}
	if v, ok := req.spec.(*links.Veth); ok && req.peerNetNS != "" {
		ns, err := openNetNSWord(req.peerNetNS, &v.Peer)
		if err != nil {
			return err
		}
		defer ns.Close()
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	return h.Create(req.spec)
}
