package bgp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// decoded is what an UPDATE says, read back with GoBGP's decoder.
type decoded struct {
	Withdrawn []string // classic and MP_UNREACH_NLRI
	NLRI      []string // classic and MP_REACH_NLRI
	NextHop   string   // NEXT_HOP or MP_REACH_NLRI's
	Origin    string
	ASPath    string // the segment type (2: sequence) and the ASes
	AS4Path   string
	LocalPref uint32
	Types     []gobgp.BGPAttrType
}

// decodeUpdate serializes m, checks its length, and decodes it, with
// two-octet AS numbers unless as4.
func decodeUpdate(t *testing.T, m *gobgp.BGPMessage, as4 bool) decoded {
	t.Helper()
	b, err := m.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > gobgp.BGP_MAX_MESSAGE_LENGTH {
		t.Errorf("an UPDATE of %d bytes; BGP allows 4096", len(b))
	}
	back, err := gobgp.ParseBGPMessage(b, &gobgp.MarshallingOption{Use2ByteAS: !as4})
	if err != nil {
		t.Fatalf("GoBGP's decoder: %v", err)
	}
	u, ok := back.Body.(*gobgp.BGPUpdate)
	if !ok {
		t.Fatalf("a %T, not an UPDATE", back.Body)
	}
	if _, err := gobgp.ValidateUpdateMsg(u, map[gobgp.Family]gobgp.BGPAddPathMode{gobgp.RF_IPv4_UC: 0, gobgp.RF_IPv6_UC: 0}, true, false, false); err != nil {
		t.Errorf("GoBGP's validation: %v", err)
	}
	var d decoded
	for _, w := range u.WithdrawnRoutes {
		d.Withdrawn = append(d.Withdrawn, w.NLRI.String())
	}
	for _, n := range u.NLRI {
		d.NLRI = append(d.NLRI, n.NLRI.String())
	}
	for _, a := range u.PathAttributes {
		d.Types = append(d.Types, a.GetType())
		switch a := a.(type) {
		case *gobgp.PathAttributeOrigin:
			d.Origin = a.String()
		case *gobgp.PathAttributeAsPath:
			d.ASPath = "[]"
			for _, seg := range a.Value {
				switch seg := seg.(type) {
				case *gobgp.As4PathParam:
					d.ASPath = fmt.Sprintf("four-octet %d %v", seg.Type, seg.AS)
				case *gobgp.AsPathParam:
					d.ASPath = fmt.Sprintf("two-octet %d %v", seg.Type, seg.AS)
				}
			}
		case *gobgp.PathAttributeAs4Path:
			d.AS4Path = a.String()
		case *gobgp.PathAttributeNextHop:
			d.NextHop = a.Value.String()
		case *gobgp.PathAttributeLocalPref:
			d.LocalPref = a.Value
		case *gobgp.PathAttributeMpReachNLRI:
			d.NextHop = a.Nexthop.String()
			for _, n := range a.Value {
				d.NLRI = append(d.NLRI, n.NLRI.String())
			}
		case *gobgp.PathAttributeMpUnreachNLRI:
			for _, n := range a.Value {
				d.Withdrawn = append(d.Withdrawn, n.NLRI.String())
			}
		}
	}
	return d
}

var bothFamilies = map[gobgp.Family]gobgp.BGPAddPathMode{gobgp.RF_IPv4_UC: 0, gobgp.RF_IPv6_UC: 0}

func TestUpdates(t *testing.T) {
	const (
		o = gobgp.BGP_ATTR_TYPE_ORIGIN
		p = gobgp.BGP_ATTR_TYPE_AS_PATH
		n = gobgp.BGP_ATTR_TYPE_NEXT_HOP
		l = gobgp.BGP_ATTR_TYPE_LOCAL_PREF
		r = gobgp.BGP_ATTR_TYPE_MP_REACH_NLRI
		u = gobgp.BGP_ATTR_TYPE_MP_UNREACH_NLRI
		a = gobgp.BGP_ATTR_TYPE_AS4_PATH
	)
	ebgp := export{localASN: 65001, as4: true, families: bothFamilies}
	const seq65001 = "four-octet 2 [65001]"
	for _, tt := range []struct {
		name     string
		e        export
		withdraw []string
		announce []Route
		want     []decoded
	}{{
		name:     "eBGP IPv4, one next hop",
		e:        ebgp,
		announce: []Route{route("10.10.0.0/24", "192.0.2.2"), route("10.20.0.0/23", "192.0.2.2")},
		want: []decoded{{NLRI: []string{"10.10.0.0/24", "10.20.0.0/23"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: seq65001,
			Types: []gobgp.BGPAttrType{o, p, n}}},
	}, {
		name:     "iBGP: empty AS_PATH and LOCAL_PREF",
		e:        export{localASN: 65001, ibgp: true, as4: true, families: bothFamilies},
		announce: []Route{route("10.10.0.0/24", "192.0.2.2")},
		want: []decoded{{NLRI: []string{"10.10.0.0/24"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: "[]", LocalPref: 100,
			Types: []gobgp.BGPAttrType{o, p, n, l}}},
	}, {
		name:     "IPv6 in MP_REACH_NLRI",
		e:        ebgp,
		announce: []Route{route("2001:db8:10::/64", "2001:db8::2")},
		want: []decoded{{NLRI: []string{"2001:db8:10::/64"}, NextHop: "2001:db8::2", Origin: "{Origin: i}", ASPath: seq65001,
			Types: []gobgp.BGPAttrType{o, p, r}}},
	}, {
		name:     "two next hops, two families",
		e:        ebgp,
		announce: []Route{route("10.10.0.0/24", "192.0.2.3"), route("10.20.0.0/24", "192.0.2.2"), route("10.30.0.0/24", "192.0.2.3"), route("2001:db8:10::/64", "2001:db8::2")},
		want: []decoded{
			{NLRI: []string{"10.10.0.0/24", "10.30.0.0/24"}, NextHop: "192.0.2.3", Origin: "{Origin: i}", ASPath: seq65001, Types: []gobgp.BGPAttrType{o, p, n}},
			{NLRI: []string{"10.20.0.0/24"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: seq65001, Types: []gobgp.BGPAttrType{o, p, n}},
			{NLRI: []string{"2001:db8:10::/64"}, NextHop: "2001:db8::2", Origin: "{Origin: i}", ASPath: seq65001, Types: []gobgp.BGPAttrType{o, p, r}},
		},
	}, {
		name:     "withdrawals first, IPv6 in MP_UNREACH_NLRI",
		e:        ebgp,
		withdraw: []string{"10.10.0.0/24", "10.20.0.0/24", "2001:db8:10::/64"},
		announce: []Route{route("10.30.0.0/24", "192.0.2.2")},
		want: []decoded{
			{Withdrawn: []string{"10.10.0.0/24", "10.20.0.0/24"}},
			{Withdrawn: []string{"2001:db8:10::/64"}, Types: []gobgp.BGPAttrType{u}},
			{NLRI: []string{"10.30.0.0/24"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: seq65001, Types: []gobgp.BGPAttrType{o, p, n}},
		},
	}, {
		name:     "a peer without IPv6 unicast gets no IPv6 route",
		e:        export{localASN: 65001, as4: true, families: map[gobgp.Family]gobgp.BGPAddPathMode{gobgp.RF_IPv4_UC: 0}},
		withdraw: []string{"2001:db8:20::/64"},
		announce: []Route{route("10.10.0.0/24", "192.0.2.2"), route("2001:db8:10::/64", "2001:db8::2")},
		want:     []decoded{{NLRI: []string{"10.10.0.0/24"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: seq65001, Types: []gobgp.BGPAttrType{o, p, n}}},
	}, {
		name:     "a two-octet peer: AS_TRANS in AS_PATH, the AS in AS4_PATH",
		e:        export{localASN: 4200000000, families: bothFamilies},
		announce: []Route{route("10.10.0.0/24", "192.0.2.2")},
		want: []decoded{{NLRI: []string{"10.10.0.0/24"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: "two-octet 2 [23456]", AS4Path: "4200000000",
			Types: []gobgp.BGPAttrType{o, p, n, a}}},
	}, {
		name:     "a two-octet peer and a two-octet AS",
		e:        export{localASN: 65001, families: bothFamilies},
		announce: []Route{route("10.10.0.0/24", "192.0.2.2")},
		want: []decoded{{NLRI: []string{"10.10.0.0/24"}, NextHop: "192.0.2.2", Origin: "{Origin: i}", ASPath: "two-octet 2 [65001]",
			Types: []gobgp.BGPAttrType{o, p, n}}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			var withdraw []netip.Prefix
			for _, w := range tt.withdraw {
				withdraw = append(withdraw, netip.MustParsePrefix(w))
			}
			msgs, err := tt.e.updates(withdraw, tt.announce)
			if err != nil {
				t.Fatal(err)
			}
			var got []decoded
			for _, m := range msgs {
				got = append(got, decodeUpdate(t, m, tt.e.as4))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded UPDATEs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpdatesSplit: a thousand prefixes of each family, announced and
// withdrawn, fill several messages of at most 4096 bytes, each prefix
// in exactly one.
func TestUpdatesSplit(t *testing.T) {
	var routes []Route
	var prefixes []netip.Prefix
	var want4, want6 []string
	for i := range 1000 {
		p4 := fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)
		p6 := netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 8), byte(i)}), 48).String()
		routes = append(routes, route(p4, "192.0.2.2"), route(p6, "2001:db8::2"))
		prefixes = append(prefixes, netip.MustParsePrefix(p4), netip.MustParsePrefix(p6))
		want4, want6 = append(want4, p4), append(want6, p6)
	}
	e := export{localASN: 65001, as4: true, families: bothFamilies}
	for _, tt := range []struct {
		name     string
		withdraw []netip.Prefix
		announce []Route
	}{{"announce", nil, routes}, {"withdraw", prefixes, nil}} {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := e.updates(tt.withdraw, tt.announce)
			if err != nil {
				t.Fatal(err)
			}
			var got4, got6 []string
			for _, m := range msgs {
				d := decodeUpdate(t, m, true)
				for _, p := range append(d.NLRI, d.Withdrawn...) {
					if netip.MustParsePrefix(p).Addr().Is4() {
						got4 = append(got4, p)
					} else {
						got6 = append(got6, p)
					}
				}
			}
			// 1000 IPv4 /24s take 4000 bytes, 1000 IPv6 /48s 7000.
			if len(msgs) < 3 {
				t.Errorf("%d messages; want the prefixes split over 3 or more", len(msgs))
			}
			if !slices.Equal(got4, want4) || !slices.Equal(got6, want6) {
				t.Errorf("%d IPv4 and %d IPv6 prefixes came back; want each of the 1000 once, in order:\n%s", len(got4), len(got6), cmp.Diff(want6, got6))
			}
		})
	}
}

func TestOpenMessage(t *testing.T) {
	for _, tt := range []struct {
		asn    uint32
		wantAS uint16
	}{{65001, 65001}, {4200000000, gobgp.AS_TRANS}} {
		m, err := openMessage(tt.asn, 9*time.Second, netip.MustParseAddr("192.0.2.2"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		back, err := gobgp.ParseBGPMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		o := back.Body.(*gobgp.BGPOpen)
		var caps []string
		for _, p := range o.OptParams {
			for _, c := range p.(*gobgp.OptionParameterCapability).Capability {
				switch c := c.(type) {
				case *gobgp.CapMultiProtocol:
					caps = append(caps, "mp "+c.CapValue.String())
				case *gobgp.CapFourOctetASNumber:
					caps = append(caps, fmt.Sprint("as4 ", c.CapValue))
				default:
					caps = append(caps, fmt.Sprintf("%T", c))
				}
			}
		}
		got := fmt.Sprintf("version %d, AS %d, hold %d, ID %s, %q", o.Version, o.MyAS, o.HoldTime, o.ID, caps)
		want := fmt.Sprintf("version 4, AS %d, hold 9, ID 192.0.2.2, %q", tt.wantAS, []string{"mp ipv4-unicast", "mp ipv6-unicast", fmt.Sprint("as4 ", tt.asn)})
		if got != want {
			t.Errorf("AS %d: OPEN %s; want %s", tt.asn, got, want)
		}
	}
}

func TestCheckOpen(t *testing.T) {
	id := netip.MustParseAddr("192.0.2.1")
	capsOf := func(cs ...gobgp.ParameterCapabilityInterface) []gobgp.OptionParameterInterface {
		return []gobgp.OptionParameterInterface{gobgp.NewOptionParameterCapability(cs)}
	}
	full := capsOf(gobgp.NewCapMultiProtocol(gobgp.RF_IPv4_UC), gobgp.NewCapMultiProtocol(gobgp.RF_IPv6_UC), gobgp.NewCapFourOctetASNumber(65000))
	open := func(version uint8, as uint16, hold uint16, params []gobgp.OptionParameterInterface) *gobgp.BGPOpen {
		return &gobgp.BGPOpen{Version: version, MyAS: as, HoldTime: hold, ID: id, OptParams: params}
	}
	for _, tt := range []struct {
		name     string
		open     *gobgp.BGPOpen
		peerASN  uint32
		wantErr  uint16 // code<<8 | subcode
		wantHold time.Duration
		wantAS4  bool
		wantFams []gobgp.Family
	}{
		{"both families, four octets", open(4, 65000, 90, full), 65000, 0, 9 * time.Second, true, []gobgp.Family{gobgp.RF_IPv4_UC, gobgp.RF_IPv6_UC}},
		{"the peer's shorter hold time", open(4, 65000, 3, full), 65000, 0, 3 * time.Second, true, []gobgp.Family{gobgp.RF_IPv4_UC, gobgp.RF_IPv6_UC}},
		{"hold time 0: no keepalives", open(4, 65000, 0, full), 65000, 0, 0, true, []gobgp.Family{gobgp.RF_IPv4_UC, gobgp.RF_IPv6_UC}},
		{"no capability: IPv4, two octets", open(4, 65000, 90, nil), 65000, 0, 9 * time.Second, false, []gobgp.Family{gobgp.RF_IPv4_UC}},
		{"IPv6 alone", open(4, 65000, 90, capsOf(gobgp.NewCapMultiProtocol(gobgp.RF_IPv6_UC))), 65000, 0, 9 * time.Second, false, []gobgp.Family{gobgp.RF_IPv6_UC}},
		{"a four-octet peer AS", open(4, gobgp.AS_TRANS, 90, capsOf(gobgp.NewCapFourOctetASNumber(4200000000))), 4200000000, 0, 9 * time.Second, true, []gobgp.Family{gobgp.RF_IPv4_UC}},
		{"bad peer AS", open(4, 65099, 90, nil), 65000, 2<<8 | 2, 0, false, nil},
		{"bad four-octet peer AS", open(4, gobgp.AS_TRANS, 90, capsOf(gobgp.NewCapFourOctetASNumber(4200000001))), 4200000000, 2<<8 | 2, 0, false, nil},
		{"hold time 2", open(4, 65000, 2, full), 65000, 2<<8 | 6, 0, false, nil},
		{"version 3", open(3, 65000, 90, full), 65000, 2<<8 | 1, 0, false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := checkOpen(tt.open, Peer{Addr: id, ASN: tt.peerASN}, 65001, netip.MustParseAddr("192.0.2.2"), 9*time.Second)
			var me *gobgp.MessageError
			switch {
			case tt.wantErr != 0 && !errors.As(err, &me):
				t.Fatalf("checkOpen: %v; want NOTIFICATION %d/%d", err, tt.wantErr>>8, tt.wantErr&0xff)
			case tt.wantErr != 0 && uint16(me.TypeCode)<<8|uint16(me.SubTypeCode) != tt.wantErr:
				t.Errorf("checkOpen: NOTIFICATION %d/%d (%v); want %d/%d", me.TypeCode, me.SubTypeCode, err, tt.wantErr>>8, tt.wantErr&0xff)
			case tt.wantErr != 0:
			case err != nil:
				t.Fatalf("checkOpen: %v", err)
			default:
				var fams []gobgp.Family
				for f := range n.families {
					fams = append(fams, f)
				}
				slices.Sort(fams)
				if n.hold != tt.wantHold || n.as4 != tt.wantAS4 || !slices.Equal(fams, tt.wantFams) || n.id != id {
					t.Errorf("negotiated hold %s, as4 %v, families %v, id %s; want %s, %v, %v, %s", n.hold, n.as4, fams, n.id, tt.wantHold, tt.wantAS4, tt.wantFams, id)
				}
			}
		})
	}
}
