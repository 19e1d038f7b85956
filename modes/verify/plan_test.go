package verify

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// testWorld returns a world of n endpoints with a far side.
func testWorld(n int) *world {
	w := &world{wireMAC: net.HardwareAddr{2, 0, 0, 0, 0, 0xee}, wireIP: netip.MustParseAddr("10.0.0.254"),
		unknown: netip.MustParseAddr("10.0.0.253"), port4: 40000, port6: 40001, token: 42, copies: 5}
	for i := range n {
		w.endpoints = append(w.endpoints, endpoint{name: string(rune('a' + i)), ifname: "eth0",
			mac: net.HardwareAddr{2, 0, 0, 0, 0, byte(i)}, ip: netip.AddrFrom4([4]byte{10, 0, 0, byte(10 + i)}), ipv6: true})
	}
	return w
}

// TestPlan checks what each step sends, to whom, and who is observed.
func TestPlan(t *testing.T) {
	w := testWorld(3)
	for _, tt := range []struct {
		step      expect.Step
		sent      int
		addressed []int // per endpoint
		observed  []int
	}{
		{expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeARPTarget}, 5, []int{0, 5, 0}, []int{1, 2}},
		{expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeARPUnknown}, 5, []int{0, 0, 0}, []int{1, 2}},
		{expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeBroadcast}, 5, []int{0, 0, 0}, []int{1, 2}},
		{expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeIPv6Multicast}, 5, []int{0, 0, 0}, []int{1, 2}},
		{expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeUnicast}, 10, []int{0, 5, 5}, []int{1, 2}},
		{expect.Step{From: expect.FromWire, Probe: expect.ProbeARPTarget}, 5, []int{5, 0, 0}, []int{0, 1, 2}},
		{expect.Step{From: expect.FromWire, Probe: expect.ProbeIPv4Multicast}, 5, []int{0, 0, 0}, []int{0, 1, 2}},
		{expect.Step{From: expect.FromWire, Probe: expect.ProbeUnicast}, 15, []int{5, 5, 5}, []int{0, 1, 2}},
	} {
		p := w.plan(tt.step, 0)
		if p.skip != "" {
			t.Errorf("%s: skipped: %s", tt.step, p.skip)
			continue
		}
		if p.sent() != tt.sent {
			t.Errorf("%s: sends %d, want %d", tt.step, p.sent(), tt.sent)
		}
		for i, want := range tt.addressed {
			if got := p.addressedTo(i); got != want {
				t.Errorf("%s: %d addressed to endpoint %d, want %d", tt.step, got, i, want)
			}
		}
		if len(p.observed) != len(tt.observed) {
			t.Errorf("%s: observes %v, want %v", tt.step, p.observed, tt.observed)
		}
		for _, f := range p.frames {
			src := w.endpoints[sender].mac
			if tt.step.From == expect.FromWire {
				src = w.wireMAC
			}
			if net.HardwareAddr(f.b[6:12]).String() != src.String() {
				t.Errorf("%s: frame from %s, want %s", tt.step, net.HardwareAddr(f.b[6:12]), src)
			}
			if f.to >= 0 && net.HardwareAddr(f.b[:6]).String() != w.endpoints[f.to].mac.String() && f.b[0] != 0xff {
				t.Errorf("%s: frame for endpoint %d to %s", tt.step, f.to, net.HardwareAddr(f.b[:6]))
			}
		}
	}
}

// TestPlanSkips checks the reasons a step does not run.
func TestPlanSkips(t *testing.T) {
	noWire := testWorld(3)
	noWire.wireMAC = nil
	one := testWorld(1)
	noV6 := testWorld(3)
	noV6.endpoints[2].ipv6 = false
	for _, tt := range []struct {
		w    *world
		step expect.Step
		want string // in the reason, or "" to run
	}{
		{noWire, expect.Step{From: expect.FromWire, Probe: expect.ProbeBroadcast}, "no far side"},
		{noWire, expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeBroadcast}, ""},
		{one, expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeARPTarget}, "second endpoint"},
		{one, expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeUnicast}, "second endpoint"},
		{one, expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeBroadcast}, ""},
		{one, expect.Step{From: expect.FromWire, Probe: expect.ProbeARPTarget}, ""},
		{noV6, expect.Step{From: expect.FromWire, Probe: expect.ProbeIPv6Multicast}, "IPv6 disabled"},
		{noV6, expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeIPv4Multicast}, ""},
		{testWorld(0), expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeBroadcast}, "no endpoint"},
	} {
		p := tt.w.plan(tt.step, 0)
		switch {
		case tt.want == "" && p.skip != "":
			t.Errorf("%s: skipped: %s", tt.step, p.skip)
		case tt.want != "" && !strings.Contains(p.skip, tt.want):
			t.Errorf("%s: skip %q, want %q", tt.step, p.skip, tt.want)
		case tt.want != "" && len(p.frames) != 0:
			t.Errorf("%s: skipped with %d frames", tt.step, len(p.frames))
		}
	}
}

// TestPlanVLAN checks that frames from the wire carry the parent's tag,
// and those from an endpoint do not.
func TestPlanVLAN(t *testing.T) {
	w := testWorld(2)
	w.vlan = 50
	for _, s := range expect.Steps() {
		p := w.plan(s, 0)
		for _, f := range p.frames {
			tagged := f.proto == etherTypeVLAN && f.b[12] == 0x81 && f.b[13] == 0
			if tagged != (s.From == expect.FromWire) {
				t.Errorf("%s: tagged %v", s, tagged)
			}
		}
	}
}

// TestFreeAddrs checks the addresses picked for the far side and the
// unknown ARP target.
func TestFreeAddrs(t *testing.T) {
	sub := func(s, gw string) modes.Subnet {
		x := modes.Subnet{Subnet: netip.MustParsePrefix(s)}
		if gw != "" {
			x.Gateway = netip.MustParseAddr(gw)
		}
		return x
	}
	ep := func(a string) modes.Endpoint { return modes.Endpoint{IPv4: netip.MustParsePrefix(a)} }
	for _, tt := range []struct {
		name string
		n    modes.Network
		want []string
	}{
		{"top of /24", modes.Network{Subnets: []modes.Subnet{sub("fd00::/64", ""), sub("10.1.0.0/24", "")}}, []string{"10.1.0.254", "10.1.0.253"}},
		{"skips used", modes.Network{Subnets: []modes.Subnet{sub("10.1.0.0/24", "10.1.0.254")}, Endpoints: []modes.Endpoint{ep("10.1.0.253/24")}},
			[]string{"10.1.0.252", "10.1.0.251"}},
		{"/31 full", modes.Network{Subnets: []modes.Subnet{sub("10.1.0.0/31", "")}, Endpoints: []modes.Endpoint{ep("10.1.0.0/31"), ep("10.1.0.1/31")}},
			[]string{"192.0.2.254", "192.0.2.253"}},
		{"no IPv4", modes.Network{}, []string{"192.0.2.254", "192.0.2.253"}},
	} {
		got := freeAddrs(&tt.n, 2)
		if len(got) != 2 || got[0].String() != tt.want[0] || got[1].String() != tt.want[1] {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
