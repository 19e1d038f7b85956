package links_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

func TestIPVlanModesAndFlags(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, tap := range []bool{false, true} {
		if tap {
			testenv.RequireKind(t, "ipvtap")
		}
		for _, mode := range []rtnl.IPVlanMode{rtnl.IPVlanModeL2, rtnl.IPVlanModeL3, rtnl.IPVlanModeL3S} {
			for _, flag := range []rtnl.IPVlanFlag{rtnl.IPVlanFlagBridge, rtnl.IPVlanFlagPrivate, rtnl.IPVlanFlagVEPA} {
				// A fresh parent each time: mode and flag belong to the port.
				h, _ := setup(t)
				s := &links.IPVlan{Attrs: links.Attrs{Name: "ipv0", Up: true}, Parent: "p0", Mode: &mode, Flag: &flag, Tap: tap}
				if err := h.Create(s); err != nil {
					t.Fatalf("create %s %s %s: %v", s.Kind(), mode, flag, err)
				}
				l, err := h.Get("ipv0")
				if err != nil {
					t.Fatal(err)
				}
				var got *rtnl.IPVlan
				switch d := l.Data.(type) {
				case *rtnl.IPVlan:
					got = d
				case *rtnl.IPVtap:
					got = &d.IPVlan
				}
				want := &rtnl.IPVlan{Mode: &mode, Flags: &flag}
				if l.Kind != s.Kind() || !cmp.Equal(want, got) {
					t.Errorf("%s %s %s: kernel reports kind %q %+v", s.Kind(), mode, flag, l.Kind, got)
				}
				if l.MAC.String() != mustGet(t, h, "p0").MAC.String() {
					t.Errorf("ipvlan MAC %v differs from its parent's", l.MAC)
				}
			}
		}
	}
}

func mustGet(t *testing.T, h *links.Handle, name string) *links.Link {
	t.Helper()
	l, err := h.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestVLANOptions(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	on, off := true, false
	tests := []struct {
		name string
		spec links.VLAN
		want rtnl.VLAN
	}{
		{"plain", links.VLAN{ID: 50},
			rtnl.VLAN{ID: ptr[uint16](50), Protocol: ptr(rtnl.VLANProtocol8021Q), Flags: &rtnl.VLANFlags{Flags: rtnl.VLANFlagReorderHdr, Mask: 0xffffffff}}},
		{"802.1ad reorder off", links.VLAN{ID: 4094, Protocol: ptr(rtnl.VLANProtocol8021AD), ReorderHdr: &off},
			rtnl.VLAN{ID: ptr[uint16](4094), Protocol: ptr(rtnl.VLANProtocol8021AD)}},
		{"all flags", links.VLAN{ID: 7, GVRP: &on, MVRP: &on, LooseBinding: &on, BridgeBinding: &on},
			rtnl.VLAN{ID: ptr[uint16](7), Protocol: ptr(rtnl.VLANProtocol8021Q), Flags: &rtnl.VLANFlags{
				Flags: rtnl.VLANFlagReorderHdr | rtnl.VLANFlagGVRP | rtnl.VLANFlagMVRP | rtnl.VLANFlagLooseBinding | rtnl.VLANFlagBridgeBinding, Mask: 0xffffffff}}},
		{"qos maps", links.VLAN{ID: 0, IngressQoS: []rtnl.QoSMapping{{From: 1, To: 2}, {From: 3, To: 4}}, EgressQoS: []rtnl.QoSMapping{{From: 5, To: 6}}},
			rtnl.VLAN{ID: ptr[uint16](0), Protocol: ptr(rtnl.VLANProtocol8021Q), Flags: &rtnl.VLANFlags{Flags: rtnl.VLANFlagReorderHdr, Mask: 0xffffffff},
				IngressQoS: []rtnl.QoSMapping{{From: 1, To: 2}, {From: 3, To: 4}}, EgressQoS: []rtnl.QoSMapping{{From: 5, To: 6}}}},
	}
	h, _ := setup(t)
	for _, tt := range tests {
		s := tt.spec
		s.Name, s.Parent = "v0", "p0"
		if err := h.Create(&s); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		l := mustGet(t, h, "v0")
		if d := cmp.Diff(&tt.want, l.Data); d != "" {
			t.Errorf("%s: kernel reports (-want +got):\n%s", tt.name, d)
		}
		if err := h.Delete("v0"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDummy(t *testing.T) {
	testenv.RequireKind(t, "dummy")
	h, _ := setup(t)
	if err := h.Create(&links.Dummy{Attrs: links.Attrs{Name: "dm0", Up: true, MTU: 9000}}); err != nil {
		t.Fatal(err)
	}
	l := mustGet(t, h, "dm0")
	if l.Kind != "dummy" || l.MTU != 9000 || !l.Up() {
		t.Errorf("dummy: kind %q mtu %d up %v", l.Kind, l.MTU, l.Up())
	}
}
