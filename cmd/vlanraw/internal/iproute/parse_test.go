package iproute

import (
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

func ptr[T any](v T) *T { return &v }

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// TestParseLinkAdd checks iproute2 command lines against the links spec
// they must produce.
func TestParseLinkAdd(t *testing.T) {
	for _, tt := range []struct {
		line      string
		want      links.Spec
		netns     string
		peerNetNS string
	}{
		{
			line: "link p0 name mv0 type macvlan mode bridge",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)},
		},
		{
			// iproute2's prefixes: l is link, ty type, m mode.
			line: "l p0 mv0 ty macvlan m vepa",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeVEPA)},
		},
		{
			line: "dev mv0 link p0 type macvlan",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0"},
		},
		{
			line: "link p0 name mv0 mtu 1400 address 02:00:00:00:00:aa txqueuelen 100 group 7 up type macvlan mode passthru nopromisc",
			want: &links.MACVlan{
				Attrs:  links.Attrs{Name: "mv0", MTU: 1400, MAC: mac("02:00:00:00:00:aa"), TxQueueLen: ptr[uint32](100), Group: ptr[uint32](7), Up: true},
				Parent: "p0", Mode: ptr(rtnl.MACVlanModePassthru), Flags: ptr(rtnl.MACVlanFlagNoPromisc),
			},
		},
		{
			line: "link p0 mv0 mtu 0x578 t 5 group default type macvlan",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0", MTU: 1400, TxQueueLen: ptr[uint32](5), Group: ptr[uint32](0)}, Parent: "p0"},
		},
		{
			line: "link p0 mv0 qlen 7 type macvlan",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0", TxQueueLen: ptr[uint32](7)}, Parent: "p0"},
		},
		{
			line: "link p0 mv0 txqlen 8 type macvlan",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0", TxQueueLen: ptr[uint32](8)}, Parent: "p0"},
		},
		{
			line: "link p0 mv0 type macvlan mode passthru flag nopromisc",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModePassthru), Flags: ptr(rtnl.MACVlanFlagNoPromisc)},
		},
		{
			line: "link p0 mv0 type macvlan mode bridge flag null",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge), Flags: ptr(rtnl.MACVlanFlag(0))},
		},
		{
			line: "link p0 mv0 type macvtap mode source nodst macaddr set 02:00:00:00:00:01 2:0:0:0:0:2 bcqueuelen 2000",
			want: &links.MACVlan{
				Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Tap: true,
				Mode: ptr(rtnl.MACVlanModeSource), Flags: ptr(rtnl.MACVlanFlagNoDst),
				MACAddrMode: ptr(rtnl.MACAddrSet), MACAddrs: []net.HardwareAddr{mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")},
				BCQueueLen: ptr[uint32](2000),
			},
		},
		{
			line: "link p0 mv0 type macvlan mode source macaddr set",
			want: &links.MACVlan{
				Attrs: links.Attrs{Name: "mv0"}, Parent: "p0",
				Mode: ptr(rtnl.MACVlanModeSource), MACAddrMode: ptr(rtnl.MACAddrSet), MACAddrs: []net.HardwareAddr{},
			},
		},
		{
			line: "link p0 mv0 type macvlan macaddr add 02:00:00:00:00:01 mode source",
			want: &links.MACVlan{
				Attrs: links.Attrs{Name: "mv0"}, Parent: "p0",
				Mode: ptr(rtnl.MACVlanModeSource), MACAddrMode: ptr(rtnl.MACAddrAdd), MACAddrs: []net.HardwareAddr{mac("02:00:00:00:00:01")},
			},
		},
		{
			line: "link p0 mv0 type macvlan mode source macaddr flush",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeSource), MACAddrMode: ptr(rtnl.MACAddrFlush)},
		},
		{
			line: "link p0 mv0 type macvlan mode private bclim -1",
			want: &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModePrivate), BCCutoff: ptr[int32](-1)},
		},
		{
			line:  "link p0 name mv0 netns 1234 type macvlan",
			want:  &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0"},
			netns: "1234",
		},
		{
			line: "link p0 name ipv0 type ipvlan",
			want: &links.IPVlan{Attrs: links.Attrs{Name: "ipv0"}, Parent: "p0"},
		},
		{
			// iproute2 sends FLAGS 0 (bridge) whenever there are options.
			line: "link p0 name ipv0 type ipvlan mode l2",
			want: &links.IPVlan{Attrs: links.Attrs{Name: "ipv0"}, Parent: "p0", Mode: ptr(rtnl.IPVlanModeL2), Flag: ptr(rtnl.IPVlanFlagBridge)},
		},
		{
			line: "link p0 name ipv0 type ipvtap mode l3s private",
			want: &links.IPVlan{Attrs: links.Attrs{Name: "ipv0"}, Parent: "p0", Tap: true, Mode: ptr(rtnl.IPVlanModeL3S), Flag: ptr(rtnl.IPVlanFlagPrivate)},
		},
		{
			line: "link p0 ipv0 type ipvlan v",
			want: &links.IPVlan{Attrs: links.Attrs{Name: "ipv0"}, Parent: "p0", Flag: ptr(rtnl.IPVlanFlagVEPA)},
		},
		{
			line: "link p0 name p0.100 type vlan id 100",
			want: &links.VLAN{Attrs: links.Attrs{Name: "p0.100"}, Parent: "p0", ID: 100},
		},
		{
			line: "link p0 name v5 type vlan protocol 802.1ad i 5 reorder_hdr off gvrp on mvrp on loose_binding on bridge_binding off ingress-qos-map 1:2 3:4 egress-qos-map 5:6",
			want: &links.VLAN{
				Attrs: links.Attrs{Name: "v5"}, Parent: "p0", ID: 5, Protocol: ptr(rtnl.VLANProtocol8021AD),
				ReorderHdr: ptr(false), GVRP: ptr(true), MVRP: ptr(true), LooseBinding: ptr(true), BridgeBinding: ptr(false),
				IngressQoS: []rtnl.QoSMapping{{From: 1, To: 2}, {From: 3, To: 4}},
				EgressQoS:  []rtnl.QoSMapping{{From: 5, To: 6}},
			},
		},
		{
			line: "link p0 name v4094 type vlan id 4094 protocol 802.1q",
			want: &links.VLAN{Attrs: links.Attrs{Name: "v4094"}, Parent: "p0", ID: 4094, Protocol: ptr(rtnl.VLANProtocol8021Q)},
		},
		{
			line: "name d0 type dummy",
			want: &links.Dummy{Attrs: links.Attrs{Name: "d0"}},
		},
		{
			line:      "v0 up type veth peer name v1 mtu 1400 up netns blue",
			want:      &links.Veth{Attrs: links.Attrs{Name: "v0", Up: true}, Peer: links.Attrs{Name: "v1", MTU: 1400, Up: true}},
			peerNetNS: "blue",
		},
		{
			line: "v0 type veth peer v1",
			want: &links.Veth{Attrs: links.Attrs{Name: "v0"}, Peer: links.Attrs{Name: "v1"}},
		},
		{
			line: "nk0 type netkit peer name nk1",
			want: &links.Netkit{Attrs: links.Attrs{Name: "nk0"}, Peer: links.Attrs{Name: "nk1"}},
		},
		{
			line: "name nk0 up type netkit mode l2 blackhole peer forward name nk1 mtu 1400 netns blue up",
			want: &links.Netkit{
				Attrs: links.Attrs{Name: "nk0", Up: true}, Peer: links.Attrs{Name: "nk1", MTU: 1400, Up: true},
				Mode: ptr(rtnl.NetkitModeL2), Policy: ptr(rtnl.NetkitBlackhole), PeerPolicy: ptr(rtnl.NetkitForward),
			},
			peerNetNS: "blue",
		},
		{
			// As in iproute2, mode may follow peer: it is the pair's.
			line: "nk0 type netkit peer blackhole mode l3 nk1",
			want: &links.Netkit{Attrs: links.Attrs{Name: "nk0"}, Peer: links.Attrs{Name: "nk1"}, Mode: ptr(rtnl.NetkitModeL3), PeerPolicy: ptr(rtnl.NetkitBlackhole)},
		},
	} {
		t.Run(tt.line, func(t *testing.T) {
			req, err := parseLinkAdd(strings.Fields(tt.line))
			if err != nil {
				t.Fatalf("parseLinkAdd: %v", err)
			}
			if diff := cmp.Diff(tt.want, req.spec); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
			if req.netns != tt.netns || req.peerNetNS != tt.peerNetNS {
				t.Errorf("netns = %q, peer netns = %q; want %q, %q", req.netns, req.peerNetNS, tt.netns, tt.peerNetNS)
			}
		})
	}
}

// TestParseLinkSet checks `link set` lines against the change they make.
func TestParseLinkSet(t *testing.T) {
	for _, tt := range []struct {
		line string
		dev  string
		want links.Change
	}{
		{line: "dev mv0 up", dev: "mv0", want: links.Change{Up: ptr(true)}},
		{line: "mv0 down mtu 1400", dev: "mv0", want: links.Change{Up: ptr(false), MTU: ptr[uint32](1400)}},
		{line: "mv0 name mv9", dev: "mv0", want: links.Change{Name: "mv9"}},
		{line: "dev mv0 name mv9", dev: "mv0", want: links.Change{Name: "mv9"}},
		{line: "name mv0 up", dev: "mv0", want: links.Change{Up: ptr(true)}},
		{line: "mv0 type macvlan", dev: "mv0"},
		{
			line: "mv0 type macvlan mode vepa",
			dev:  "mv0",
			want: links.Change{Options: &links.MACVlan{Mode: ptr(rtnl.MACVlanModeVEPA)}},
		},
		{
			line: "mv0 type macvtap macaddr del 02:00:00:00:00:01",
			dev:  "mv0",
			want: links.Change{Options: &links.MACVlan{Tap: true, MACAddrMode: ptr(rtnl.MACAddrDel), MACAddrs: []net.HardwareAddr{mac("02:00:00:00:00:01")}}},
		},
		{
			line: "mv0 type macvlan macaddr set 02:00:00:00:00:01 bcqueuelen 10 bclim 3 flag null",
			dev:  "mv0",
			want: links.Change{Options: &links.MACVlan{
				MACAddrMode: ptr(rtnl.MACAddrSet), MACAddrs: []net.HardwareAddr{mac("02:00:00:00:00:01")},
				BCQueueLen: ptr[uint32](10), BCCutoff: ptr[int32](3), Flags: ptr(rtnl.MACVlanFlag(0)),
			}},
		},
		{
			line: "ipv0 type ipvlan mode l3",
			dev:  "ipv0",
			want: links.Change{Options: &links.IPVlan{Mode: ptr(rtnl.IPVlanModeL3), Flag: ptr(rtnl.IPVlanFlagBridge)}},
		},
		{
			line: "ipv0 type ipvtap private",
			dev:  "ipv0",
			want: links.Change{Options: &links.IPVlan{Tap: true, Flag: ptr(rtnl.IPVlanFlagPrivate)}},
		},
		{
			line: "nk0 type netkit forward peer blackhole",
			dev:  "nk0",
			want: links.Change{Options: &links.Netkit{Policy: ptr(rtnl.NetkitForward), PeerPolicy: ptr(rtnl.NetkitBlackhole)}},
		},
		{
			// links refuses it, as the kernel would.
			line: "nk0 type netkit mode l2",
			dev:  "nk0",
			want: links.Change{Options: &links.Netkit{Mode: ptr(rtnl.NetkitModeL2)}},
		},
	} {
		t.Run(tt.line, func(t *testing.T) {
			r, err := parseLinkSet(strings.Fields(tt.line))
			if err != nil {
				t.Fatalf("parseLinkSet: %v", err)
			}
			if r.dev != tt.dev {
				t.Errorf("dev = %q, want %q", r.dev, tt.dev)
			}
			if diff := cmp.Diff(tt.want, r.change); diff != "" {
				t.Errorf("change (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLinkDelShow(t *testing.T) {
	names, err := parseLinkDel(strings.Fields("mv0 dev mv1 mv2"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"mv0", "mv1", "mv2"}, names); diff != "" {
		t.Errorf("del names (-want +got):\n%s", diff)
	}
	r, err := parseLinkShow(strings.Fields("dev mv0 ty macvlan up group 3"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&showRequest{dev: "mv0", kind: "macvlan", up: true, group: ptr[uint32](3)}, r, cmp.AllowUnexported(showRequest{})); diff != "" {
		t.Errorf("show (-want +got):\n%s", diff)
	}
}

// TestBadWords checks that mistakes are usage errors (exit 2) whose
// message names the bad word. None of these reach the kernel.
func TestBadWords(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string // all must appear in stderr
	}{
		{"frob", []string{`"frob"`, "link"}},
		{"--frob link", []string{"--frob"}},
		{"-x link", []string{"-x"}},
		{"link frob", []string{`"frob"`, "add, set, del, show"}},
		{"link replace mv0 type dummy", []string{`"link replace"`}},
		{"link add link p0 mv0 type macvlan mode bogus", []string{`"bogus"`, "passthru"}},
		{"link add link p0 mv0 type macvlan flag bogus", []string{`"bogus"`, "nopromisc"}},
		{"link add link p0 mv0 type macvlan mode bridge frob", []string{`"frob"`, "macvlan"}},
		{"link add link p0 mv0 type macvtap bcl 5", []string{`"bcl"`, "macvtap"}},
		{"link add link p0 mv0 type macvlan bclim x", []string{`"x"`, "bclim"}},
		{"link add link p0 mv0 type macvlan bcqueuelen -1", []string{`"-1"`, "bcqueuelen"}},
		{"link add link p0 mv0 type macvlan mode bridge nopromisc", []string{"nopromisc", "passthru"}},
		{"link add link p0 mv0 type macvlan mode source macaddr add 02:00:00:00:00:01 macaddr add 02:00:00:00:00:02", []string{`"macaddr" is given twice`}},
		{"link add link p0 mv0 type macvlan mode source macaddr put", []string{`"put"`}},
		{"link add link p0 mv0 type macvlan mode source macaddr add 02:00:00:00:00", []string{`"02:00:00:00:00"`}},
		{"link add link p0 mv0 type macvlan mode bridge macaddr add 02:00:00:00:00:01", []string{"macaddr", "mode source"}},
		{"link add link p0 mv0 type bogus", []string{`"bogus"`, "macvlan"}},
		{"link add link p0 mv0 type", []string{`"type"`}},
		{"link add link p0 mv0", []string{"type"}},
		{"link add type dummy", []string{"name"}},
		{"link add mv0 mtu abc type dummy", []string{`"abc"`, "mtu"}},
		{"link add mv0 mtu 0 type dummy", []string{`"0"`, "mtu"}},
		{"link add mv0 mtu 1500 mtu 1400 type dummy", []string{`"mtu" is given twice`}},
		{"link add mv0 address zz:00:00:00:00:01 type dummy", []string{`"zz:00:00:00:00:01"`}},
		{"link add mv0 broadcast ff:ff:ff:ff:ff:ff type dummy", []string{`"broadcast"`}},
		{"link add mv0 master br0 type dummy", []string{`"master"`}},
		{"link add mv0 group nosuchgroup type dummy", []string{`"nosuchgroup"`}},
		{"link add x y type dummy", []string{`"x"`, `"y"`}},
		{"link add name x y type dummy", []string{`"x"`, `"y"`}},
		// As in iproute2, "a" is a prefix of address and "b" of broadcast.
		{"link add x a b type dummy", []string{`"b"`, "address"}},
		{"link add d0 type dummy frob", []string{`"frob"`, "dummy"}},
		{"link add link p0 d0 type dummy", []string{"link p0", "dummy"}},
		{"link add v0 type veth pier v1", []string{`"pier"`, "peer"}},
		{"link add v0 type veth", []string{"peer name"}},
		{"link add v0 type veth peer name v1 type veth", []string{`"type" is given twice`}},
		{"link add v0 type veth peer name v1 txqueuelen 5", []string{"txqueuelen"}},
		{"link add link p0 ipv0 type ipvlan private vepa", []string{`"vepa"`, `"private"`}},
		{"link add link p0 ipv0 type ipvlan mode l4", []string{`"l4"`, "l3s"}},
		{"link add link p0 ipv0 type ipvlan frob", []string{`"frob"`}},
		{"link add link p0 ipv0 address 02:00:00:00:00:01 type ipvlan", []string{"address", "parent's MAC"}},
		{"link add ipv0 type ipvlan", []string{"parent", "link DEV"}},
		{"link add link p0 v0 type vlan", []string{"id"}},
		{"link add link p0 v0 type vlan id 4095", []string{"4095", "0-4094"}},
		{"link add link p0 v0 type vlan id 5000", []string{"5000", "0-4094"}},
		{"link add link p0 v0 type vlan id 70000", []string{`"70000"`}},
		{"link add link p0 v0 type vlan id x", []string{`"x"`}},
		{"link add link p0 v0 type vlan id 5 protocol 802.1x", []string{`"802.1x"`}},
		{"link add link p0 v0 type vlan id 5 reorder_hdr maybe", []string{`"maybe"`, "reorder_hdr"}},
		{"link add link p0 v0 type vlan id 5 ingress-qos-map 9:1", []string{`"9:1"`, "0-7"}},
		{"link add link p0 v0 type vlan id 5 egress-qos-map 1:9", []string{`"1:9"`, "0-7"}},
		{"link add link p0 v0 type vlan id 5 frob", []string{`"frob"`}},
		{"link add link p0 abcdefghijklmnop type macvlan", []string{`"abcdefghijklmnop"`, "16 bytes"}},
		{"link add link p0 a/b type macvlan", []string{`"a/b"`, "'/'"}},
		{"link set", []string{"no link"}},
		{"link set mv0 address 02:00:00:00:00:01", []string{"address"}},
		{"link set mv0 type frob", []string{`"frob"`}},
		{"link set mv0 type macvlan nopromisc", []string{"nopromisc", "passthru"}},
		{"link set mv0 type dummy frob", []string{`"frob"`}},
		{"link del", []string{"no link"}},
		{"link del a:b", []string{`"a:b"`}},
		{"link show a b", []string{`"a"`, `"b"`}},
		{"link show --frob", []string{"--frob"}},
		{"netns add", []string{"one namespace name"}},
		{"netns add a/b", []string{`"a/b"`}},
		{"netns frob", []string{`"frob"`}},
		{"help frob", []string{`"frob"`}},
	} {
		t.Run(tt.line, func(t *testing.T) {
			code, stdout, stderr := runCLI(strings.Fields(tt.line)...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d (stderr %q)", code, exitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, "vlanraw: ") {
				t.Errorf("stderr %q does not start with \"vlanraw: \"", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
		})
	}
}

// TestBadNames checks names the kernel would refuse, which cannot be
// written with strings.Fields.
func TestBadNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		want string
	}{
		{"", "1 to 15 bytes"},
		{"a b", "white space"},
		{"a\tb", "white space"},
		{"ab:c", "':'"},
		{"..", "reserved"},
	} {
		code, _, stderr := runCLI("link", "add", "link", "p0", "name", tt.name, "type", "macvlan")
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("name %q: exit %d, stderr %q; want exit %d mentioning %q", tt.name, code, stderr, exitUsage, tt.want)
		}
	}
}
