package bgp

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// maxBody is what an UPDATE holds besides its header and its two length
// fields (withdrawn routes, path attributes): BGP messages are at most
// 4096 bytes (RFC 4271 section 4; the extended messages of RFC 8654 are
// not negotiated).
const maxBody = gobgp.BGP_MAX_MESSAGE_LENGTH - gobgp.BGP_HEADER_LENGTH - 4

// mpAttrHeader is the size of an MP_REACH_NLRI or MP_UNREACH_NLRI
// attribute's header with an extended length: flags, type, length.
const mpAttrHeader = 4

// openMessage is the speaker's OPEN: version 4, the local AS (AS_TRANS
// when it takes four octets, RFC 6793), the hold time offered, the BGP
// identifier, and the capabilities: multiprotocol IPv4 and IPv6 unicast
// (RFC 4760) and four-octet AS numbers.
func openMessage(asn uint32, hold time.Duration, id netip.Addr) (*gobgp.BGPMessage, error) {
	myAS := uint16(gobgp.AS_TRANS)
	if asn <= 0xffff {
		myAS = uint16(asn)
	}
	caps := gobgp.NewOptionParameterCapability([]gobgp.ParameterCapabilityInterface{
		gobgp.NewCapMultiProtocol(gobgp.RF_IPv4_UC),
		gobgp.NewCapMultiProtocol(gobgp.RF_IPv6_UC),
		gobgp.NewCapFourOctetASNumber(asn),
	})
	return gobgp.NewBGPOpenMessage(myAS, uint16(hold/time.Second), id, []gobgp.OptionParameterInterface{caps})
}

// negotiated is what the two OPEN messages of a session agree on.
type negotiated struct {
	// hold is the smaller of the two hold times; zero sends no
	// keepalives and runs no hold timer (RFC 4271 section 4.2).
	hold time.Duration
	// id is the peer's BGP identifier.
	id netip.Addr
	// as4 is whether the peer takes four-octet AS numbers (RFC 6793).
	as4 bool
	// families are the address families both sides announced: without
	// multiprotocol capabilities, IPv4 unicast alone (RFC 4760).
	families map[gobgp.Family]gobgp.BGPAddPathMode
}

// checkOpen checks the peer's OPEN against p (version 4, a BGP
// identifier, the configured peer AS, a hold time of 0 or 3 s and more)
// and returns what the session negotiated, or a *gobgp.MessageError to
// send the peer as a NOTIFICATION.
func checkOpen(o *gobgp.BGPOpen, p Peer, localASN uint32, localID netip.Addr, hold time.Duration) (negotiated, error) {
	if _, err := gobgp.ValidateOpenMsg(o, p.ASN, localASN, localID); err != nil {
		return negotiated{}, err
	}
	n := negotiated{id: o.ID, hold: min(hold, time.Duration(o.HoldTime)*time.Second), families: map[gobgp.Family]gobgp.BGPAddPathMode{}}
	mp := false
	for _, op := range o.OptParams {
		c, ok := op.(*gobgp.OptionParameterCapability)
		if !ok {
			continue
		}
		for _, c := range c.Capability {
			switch c := c.(type) {
			case *gobgp.CapFourOctetASNumber:
				n.as4 = true
			case *gobgp.CapMultiProtocol:
				mp = true
				if c.CapValue == gobgp.RF_IPv4_UC || c.CapValue == gobgp.RF_IPv6_UC {
					n.families[c.CapValue] = gobgp.BGP_ADD_PATH_NONE
				}
			}
		}
	}
	if !mp {
		n.families[gobgp.RF_IPv4_UC] = gobgp.BGP_ADD_PATH_NONE
	}
	return n, nil
}

// export is how routes go to one peer.
type export struct {
	localASN uint32
	// ibgp is a session within the local AS: an empty AS_PATH and a
	// LOCAL_PREF; eBGP sessions get the local AS in the AS_PATH.
	ibgp bool
	// as4 writes the AS_PATH in four-octet AS numbers; a peer without
	// the capability gets two octets, AS_TRANS for a larger AS, and the
	// real AS in AS4_PATH (RFC 6793 section 4.2.2).
	as4 bool
	// families are the families the peer takes; routes of others are
	// not sent.
	families map[gobgp.Family]gobgp.BGPAddPathMode
}

// defaultLocalPref is the LOCAL_PREF of routes sent to iBGP peers, the
// usual default.
const defaultLocalPref = 100

// updates are the UPDATE messages that withdraw withdraw and announce
// announce: IPv4 in the classic fields with NEXT_HOP, IPv6 in
// MP_UNREACH_NLRI and MP_REACH_NLRI (RFC 4760), one message per next
// hop and family, split to fit 4096 bytes. Withdrawals come first.
func (e export) updates(withdraw []netip.Prefix, announce []Route) ([]*gobgp.BGPMessage, error) {
	var out []*gobgp.BGPMessage
	var w4, w6 []netip.Prefix
	for _, p := range withdraw {
		if p.Addr().Is4() {
			w4 = append(w4, p)
		} else {
			w6 = append(w6, p)
		}
	}
	if _, ok := e.families[gobgp.RF_IPv4_UC]; ok {
		for _, nlri := range chunk(w4, maxBody) {
			out = append(out, gobgp.NewBGPUpdateMessage(nlri, nil, nil))
		}
	}
	if _, ok := e.families[gobgp.RF_IPv6_UC]; ok {
		for _, nlri := range chunk(w6, maxBody-mpAttrHeader-3) {
			a, err := gobgp.NewPathAttributeMpUnreachNLRI(gobgp.RF_IPv6_UC, nlri)
			if err != nil {
				return nil, err
			}
			out = append(out, gobgp.NewBGPUpdateMessage(nil, []gobgp.PathAttributeInterface{a}, nil))
		}
	}
	for _, g := range byNextHop(announce) {
		fam := family(g.prefixes[0])
		if _, ok := e.families[fam]; !ok {
			continue
		}
		msgs, err := e.announce(fam, g.nextHop, g.prefixes)
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// announce are the UPDATEs of prefixes of family fam via nextHop.
func (e export) announce(fam gobgp.Family, nextHop netip.Addr, prefixes []netip.Prefix) ([]*gobgp.BGPMessage, error) {
	attrs := e.attrs()
	size := 0
	for _, a := range attrs {
		size += a.Len()
	}
	var out []*gobgp.BGPMessage
	if fam == gobgp.RF_IPv4_UC {
		nh, err := gobgp.NewPathAttributeNextHop(nextHop)
		if err != nil {
			return nil, fmt.Errorf("next hop %s: %w", nextHop, err)
		}
		attrs = insertAttr(attrs, nh)
		for _, nlri := range chunk(prefixes, maxBody-size-nh.Len()) {
			out = append(out, gobgp.NewBGPUpdateMessage(nil, attrs, nlri))
		}
		return out, nil
	}
	// AFI, SAFI, next hop length, the next hop, reserved.
	budget := maxBody - size - mpAttrHeader - 5 - len(nextHop.AsSlice())
	for _, nlri := range chunk(prefixes, budget) {
		mp, err := gobgp.NewPathAttributeMpReachNLRI(fam, nlri, nextHop)
		if err != nil {
			return nil, fmt.Errorf("next hop %s: %w", nextHop, err)
		}
		out = append(out, gobgp.NewBGPUpdateMessage(nil, insertAttr(slices.Clone(attrs), mp), nil))
	}
	return out, nil
}

// attrs are the path attributes every announced route carries besides
// its next hop: ORIGIN IGP, AS_PATH, and LOCAL_PREF for iBGP.
func (e export) attrs() []gobgp.PathAttributeInterface {
	attrs := []gobgp.PathAttributeInterface{gobgp.NewPathAttributeOrigin(gobgp.BGP_ORIGIN_ATTR_TYPE_IGP)}
	switch {
	case e.ibgp:
		attrs = append(attrs, gobgp.NewPathAttributeAsPath(nil), gobgp.NewPathAttributeLocalPref(defaultLocalPref))
	case e.as4:
		attrs = append(attrs, gobgp.NewPathAttributeAsPath([]gobgp.AsPathParamInterface{
			gobgp.NewAs4PathParam(gobgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{e.localASN}),
		}))
	default:
		as := uint16(gobgp.AS_TRANS)
		if e.localASN <= 0xffff {
			as = uint16(e.localASN)
		}
		attrs = append(attrs, gobgp.NewPathAttributeAsPath([]gobgp.AsPathParamInterface{
			gobgp.NewAsPathParam(gobgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint16{as}),
		}))
		if e.localASN > 0xffff {
			attrs = append(attrs, gobgp.NewPathAttributeAs4Path([]*gobgp.As4PathParam{
				gobgp.NewAs4PathParam(gobgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{e.localASN}),
			}))
		}
	}
	return attrs
}

// insertAttr inserts a into attrs, kept in type code order (RFC 4271
// section 5 asks for it).
func insertAttr(attrs []gobgp.PathAttributeInterface, a gobgp.PathAttributeInterface) []gobgp.PathAttributeInterface {
	i, _ := slices.BinarySearchFunc(attrs, a, func(x, y gobgp.PathAttributeInterface) int { return cmp.Compare(x.GetType(), y.GetType()) })
	return slices.Insert(attrs, i, a)
}

// family is the address family of p's unicast routes.
func family(p netip.Prefix) gobgp.Family {
	if p.Addr().Is4() {
		return gobgp.RF_IPv4_UC
	}
	return gobgp.RF_IPv6_UC
}

// nextHopGroup is prefixes announced via one next hop.
type nextHopGroup struct {
	nextHop  netip.Addr
	prefixes []netip.Prefix
}

// byNextHop groups routes by next hop, in the order each next hop first
// appears.
func byNextHop(routes []Route) []nextHopGroup {
	var out []nextHopGroup
	at := map[netip.Addr]int{}
	for _, r := range routes {
		i, ok := at[r.NextHop]
		if !ok {
			i = len(out)
			at[r.NextHop] = i
			out = append(out, nextHopGroup{nextHop: r.NextHop})
		}
		out[i].prefixes = append(out[i].prefixes, r.Prefix)
	}
	return out
}

// chunk splits prefixes into NLRI lists whose encoding takes at most
// budget bytes each.
func chunk(prefixes []netip.Prefix, budget int) [][]gobgp.PathNLRI {
	var out [][]gobgp.PathNLRI
	var cur []gobgp.PathNLRI
	used := 0
	for _, p := range prefixes {
		n, err := gobgp.NewIPAddrPrefix(p)
		if err != nil {
			continue // Announce checked every prefix
		}
		if used+n.Len() > budget && len(cur) > 0 {
			out, cur, used = append(out, cur), nil, 0
		}
		cur = append(cur, gobgp.PathNLRI{NLRI: n})
		used += n.Len()
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
