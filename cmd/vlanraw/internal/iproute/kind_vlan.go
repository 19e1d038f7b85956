package iproute

import (
	"fmt"
	"strings"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/rtnl"
)

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
var vlanFlagWords = map[string]rtnl.VLANFlag{
	"reorder_hdr":    rtnl.VLANFlagReorderHdr,
	"gvrp":           rtnl.VLANFlagGVRP,
	"mvrp":           rtnl.VLANFlagMVRP,
	"loose_binding":  rtnl.VLANFlagLooseBinding,
	"bridge_binding": rtnl.VLANFlagBridgeBinding,
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
			bit := vlanFlagWords[kw.Name]
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
