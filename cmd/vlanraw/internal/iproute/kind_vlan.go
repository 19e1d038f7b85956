package iproute

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// vlanKind is 802.1Q and 802.1ad vlan: iproute2's iplink_vlan.c.
var vlanKind = &linkKind{
	names: []string{"vlan"},
	add:   addVLAN,
	set: func(_ string, args []string) (links.Spec, error) {
		v, err := parseVLAN(args)
		if err != nil {
			return nil, err
		}
		return vlanSpec(v), nil
	},
	details: func(data rtnetlink.LinkDriver) []detail {
		if v, ok := data.(*rtnl.VLAN); ok {
			return vlanDetails(v)
		}
		return nil
	},
	help: `TYPE vlan: id VLANID [protocol {802.1Q | 802.1ad}]
          [reorder_hdr {on|off}] [gvrp {on|off}] [mvrp {on|off}]
          [loose_binding {on|off}] [bridge_binding {on|off}]
          [ingress-qos-map FROM:TO ...] [egress-qos-map FROM:TO ...]
  id VLANID            the VLAN id, 0-4094 (required)
  protocol 802.1Q      a customer tag, ethertype 0x8100 (default)
  protocol 802.1ad     a service tag (QinQ), ethertype 0x88a8
  reorder_hdr on|off   hand received frames up untagged (default on)
  gvrp on|off          register the VLAN with GVRP
  mvrp on|off          register the VLAN with MVRP
  loose_binding on|off do not follow the parent's operational state
  bridge_binding on|off follow only the bridge ports in this VLAN
  ingress-qos-map FROM:TO ...  map a received tag's priority code point
                       (FROM, 0-7) to a packet priority (TO)
  egress-qos-map FROM:TO ...   map a packet priority (FROM) to the sent
                       tag's priority code point (TO, 0-7)
  These can only be given to add, for now.
`,
	words: func() []string {
		return slices.Concat(keywordNames(vlanWords), wordsOf(vlanFlagWords), []string{"on", "off", "802.1Q", "802.1ad"})
	},
}

// addVLAN builds a vlan spec from the parsed words.
func addVLAN(a *linkArgs, attrs links.Attrs) (*addRequest, error) {
	if err := checkParent(a, &links.VLAN{}); err != nil {
		return nil, err
	}
	v, err := parseVLAN(a.kindWords)
	if err != nil {
		return nil, err
	}
	if v.ID == nil {
		return nil, cli.Usagef("vlan: no id given: add \"id N\" (0-%d)", vlanIDMax)
	}
	s := vlanSpec(v)
	s.Attrs, s.Parent = attrs, a.parent
	return &addRequest{spec: s}, nil
}

// vlanSpec returns the spec of a vlan with the options v.
func vlanSpec(v *rtnl.VLAN) *links.VLAN {
	s := &links.VLAN{Protocol: v.Protocol, IngressQoS: v.IngressQoS, EgressQoS: v.EgressQoS}
	if v.ID != nil {
		s.ID = *v.ID
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
	return s
}

// vlanWords are iproute2's vlan words, in its order ("i" is id).
var vlanWords = []cli.Keyword{
	{Name: "protocol"},
	{Name: "id"},
	{Name: "reorder_hdr"},
	{Name: "gvrp"},
	{Name: "mvrp"},
	{Name: "loose_binding"},
	{Name: "bridge_binding"},
	{Name: "ingress-qos-map"},
	{Name: "egress-qos-map"},
	{Name: "help"},
}

// vlanFlagWords maps the on|off words to their flag bits.
var vlanFlagWords = []wordValue[rtnl.VLANFlag]{
	{"reorder_hdr", rtnl.VLANFlagReorderHdr},
	{"gvrp", rtnl.VLANFlagGVRP},
	{"mvrp", rtnl.VLANFlagMVRP},
	{"loose_binding", rtnl.VLANFlagLooseBinding},
	{"bridge_binding", rtnl.VLANFlagBridgeBinding},
}

// vlanIDMax is the largest VLAN id: 4095 (VLAN_VID_MASK) is reserved and
// the kernel refuses it with ERANGE.
const vlanIDMax = 4094

// parseVLAN reads vlan options into the wire form, as iproute2's
// vlan_parse_opt does: FLAGS only when an on|off word is given, with
// those bits in its mask.
func parseVLAN(args []string) (*rtnl.VLAN, error) {
	v := &rtnl.VLAN{}
	var flags rtnl.VLANFlags
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		kw, ok := cli.Lookup(vlanWords, word)
		if !ok {
			return nil, cli.Usagef("vlan: unknown option %q: use id, protocol, reorder_hdr, gvrp, mvrp, loose_binding, bridge_binding, ingress-qos-map or egress-qos-map", word)
		}
		var err error
		switch kw.Name {
		case "protocol":
			var p rtnl.VLANProtocol
			if p, err = vlanProtocol(ws); err == nil {
				v.Protocol = &p
			}
		case "id":
			var n uint64
			if n, err = ws.uintValue("id", 0, 0xffff); err != nil {
				break
			}
			if n > vlanIDMax {
				err = cli.Usagef("vlan: id %d is out of range: use 0-%d (4095 is reserved)", n, vlanIDMax)
				break
			}
			id := uint16(n)
			v.ID = &id
		case "reorder_hdr", "gvrp", "mvrp", "loose_binding", "bridge_binding":
			bit, _ := lookupWord(vlanFlagWords, kw.Name)
			var on bool
			if on, err = ws.onOff(kw.Name); err != nil {
				break
			}
			flags.Mask |= bit
			if on {
				flags.Flags |= bit
			} else {
				flags.Flags &^= bit
			}
		case "ingress-qos-map":
			v.IngressQoS, err = qosMap(ws, kw.Name, true)
		case "egress-qos-map":
			v.EgressQoS, err = qosMap(ws, kw.Name, false)
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
		if err != nil {
			return nil, err
		}
	}
	if flags.Mask != 0 {
		v.Flags = &flags
	}
	return v, nil
}

// vlanProtocol reads the protocol after "protocol": 802.1Q or 802.1ad,
// in any case as iproute2 takes them, or their ethertypes.
func vlanProtocol(ws *words) (rtnl.VLANProtocol, error) {
	s, err := ws.value("protocol", "802.1Q or 802.1ad")
	if err != nil {
		return 0, err
	}
	switch strings.ToLower(s) {
	case "802.1q":
		return rtnl.VLANProtocol8021Q, nil
	case "802.1ad":
		return rtnl.VLANProtocol8021AD, nil
	}
	if n, err := parseUint(s, 16); err == nil {
		switch p := rtnl.VLANProtocol(n); p {
		case rtnl.VLANProtocol8021Q, rtnl.VLANProtocol8021AD:
			return p, nil
		}
	}
	return 0, cli.Usagef("vlan: invalid protocol %q: use 802.1Q or 802.1ad", s)
}

// qosMap reads FROM:TO mappings after an *-qos-map word, up to the first
// word without a colon. The PCP side (FROM for ingress, TO for egress)
// must be 0-7; the kernel would silently keep only its low three bits.
func qosMap(ws *words, kw string, ingress bool) ([]rtnl.QoSMapping, error) {
	if !ws.more() {
		return nil, cli.Usagef("%q needs FROM:TO mappings after it", kw)
	}
	maps := []rtnl.QoSMapping{}
	for ws.more() && strings.Contains(ws.peek(), ":") {
		s := ws.next()
		from, to, _ := strings.Cut(s, ":")
		f, ferr := parseUint(from, 32)
		t, terr := parseUint(to, 32)
		pcp := t
		if ingress {
			pcp = f
		}
		if ferr != nil || terr != nil || pcp > 7 {
			side := "TO"
			if ingress {
				side = "FROM"
			}
			return nil, cli.Usagef("vlan: invalid %s mapping %q: use FROM:TO with numbers, %s being a priority code point 0-7", kw, s, side)
		}
		maps = append(maps, rtnl.QoSMapping{From: uint32(f), To: uint32(t)})
	}
	return maps, nil
}

// vlanFlagOrder is the order iproute2 prints the flags in.
var vlanFlagOrder = []struct {
	f    rtnl.VLANFlag
	name string
}{
	{rtnl.VLANFlagReorderHdr, "REORDER_HDR"},
	{rtnl.VLANFlagGVRP, "GVRP"},
	{rtnl.VLANFlagMVRP, "MVRP"},
	{rtnl.VLANFlagLooseBinding, "LOOSE_BINDING"},
	{rtnl.VLANFlagBridgeBinding, "BRIDGE_BINDING"},
}

// vlanDetails renders a vlan's data as iproute2's vlan_print_opt.
func vlanDetails(v *rtnl.VLAN) []detail {
	if v.ID == nil {
		return nil
	}
	proto := "802.1q" // iproute2's word when the kernel sends none
	if v.Protocol != nil {
		switch *v.Protocol {
		case rtnl.VLANProtocol8021Q, rtnl.VLANProtocol8021AD:
			proto = v.Protocol.String()
		default:
			proto = fmt.Sprintf("[%d]", uint16(*v.Protocol))
		}
	}
	d := []detail{
		{key: "protocol", text: "protocol " + proto + " ", val: proto},
		{key: "id", text: fmt.Sprintf("id %d ", *v.ID), val: *v.ID},
	}
	if v.Flags != nil {
		names := []string{}
		rest := v.Flags.Flags
		for _, n := range vlanFlagOrder {
			if rest&n.f != 0 {
				rest &^= n.f
				names = append(names, n.name)
			}
		}
		if rest != 0 {
			names = append(names, fmt.Sprintf("%x", uint32(rest)))
		}
		d = append(d, detail{key: "flags", text: "<" + strings.Join(names, ",") + "> ", val: names})
	}
	if v.IngressQoS != nil {
		d = append(d, qosDetail("ingress_qos", "ingress-qos-map", v.IngressQoS))
	}
	if v.EgressQoS != nil {
		d = append(d, qosDetail("egress_qos", "egress-qos-map", v.EgressQoS))
	}
	return d
}

// qosDetail renders one priority map as iproute2's vlan_print_map.
func qosDetail(key, word string, maps []rtnl.QoSMapping) detail {
	var text strings.Builder
	fmt.Fprintf(&text, "\n      %s { ", word)
	val := make([]*jsonObject, 0, len(maps))
	for _, m := range maps {
		fmt.Fprintf(&text, "%d:%d ", m.From, m.To)
		o := &jsonObject{}
		o.set("from", m.From)
		o.set("to", m.To)
		val = append(val, o)
	}
	text.WriteString("} ")
	return detail{key: key, text: text.String(), val: val}
}
