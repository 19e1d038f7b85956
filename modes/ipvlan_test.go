package modes

// Tests that need ipvlan, dummy or 802.1Q links, which the build host's
// kernel lacks: they skip there and run in QEMU (make vmtest).

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

func TestIPVlanL2(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "l2", Driver: IPVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "192.168.0.0/24", Gateway: "192.168.0.1", IPRange: "192.168.0.64/26"}, {Subnet: "fd00::/64", Gateway: "fd00::1"}}}); err != nil {
		t.Fatal(err)
	}
	ns, name, th := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "l2", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	l := mustGet(t, th, "eth0")
	d, ok := l.Data.(*rtnl.IPVlan)
	if l.Kind != "ipvlan" || !ok || d.Mode == nil || *d.Mode != rtnl.IPVlanModeL2 || d.Flags == nil || *d.Flags != rtnl.IPVlanFlagBridge {
		t.Errorf("kernel reports kind %q data %+v, want ipvlan l2 bridge", l.Kind, l.Data)
	}
	eq(t, "MAC (the parent's)", l.MAC.String(), mustGet(t, e.hh, "p0").MAC.String())
	eq(t, "recorded MAC", ep.MAC, l.MAC.String())
	if l.Msg.Flags&unix.IFF_NOARP != 0 {
		t.Error("an l2 ipvlan is NOARP")
	}
	eqList(t, "routes", routeTable(t, th), sorted(
		"192.168.0.0/24 dev eth0", "default via 192.168.0.1 dev eth0",
		"-6 fd00::/64 dev eth0", "-6 default via fd00::1 dev eth0"))
	eq(t, "arp_notify", sysctlIn(t, ns, "net/ipv4/conf/eth0/arp_notify"), "1")
	checkNoTentative(t, th, l.Index)
	ping(t, "endpoint to the router", ns, "192.168.0.1")
	ping(t, "endpoint to the router, IPv6", ns, "fd00::1")
	ping(t, "router to the endpoint", e.router, ep.IPv4.Addr().String())

	_, other, _ := e.target()
	_, err = e.m.Connect(ConnectSpec{Network: "l2", NetNS: other, MAC: "02:00:00:00:00:01"})
	errContains(t, err, "ipvlan interfaces do not support custom mac address assignment")
	if !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("%v does not match errdefs.ErrInvalid", err)
	}
}

func TestIPVlanL3(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, mode := range []string{"l3", "l3s"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			n, err := e.m.CreateNetwork(NetworkSpec{Name: mode, Driver: IPVlan,
				Options: map[string]string{"parent": "p0", "ipvlan_mode": mode, "ipvlan_flag": "private"},
				Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24", Gateway: "192.168.10.1"}, {Subnet: "fd10::/64", Gateway: "fd10::1"}}})
			if err != nil {
				t.Fatal(err)
			}
			ns, name, th := e.target()
			if _, err := e.m.Connect(ConnectSpec{Network: mode, NetNS: name}); err != nil {
				t.Fatal(err)
			}
			l := mustGet(t, th, "eth0")
			d := l.Data.(*rtnl.IPVlan)
			if d.Mode.String() != mode || *d.Flags != rtnl.IPVlanFlagPrivate {
				t.Errorf("kernel reports %s %s, want %s private", d.Mode, d.Flags, mode)
			}
			if l.Msg.Flags&unix.IFF_NOARP == 0 {
				t.Errorf("flags %#x: an %s ipvlan should be NOARP", l.Msg.Flags, mode)
			}
			eqList(t, "routes (the gateways ignored)", routeTable(t, th), sorted(
				"192.168.10.0/24 dev eth0", "default dev eth0",
				"-6 fd10::/64 dev eth0", "-6 default dev eth0"))
			eq(t, "arp_notify (no ARP in l3)", sysctlIn(t, ns, "net/ipv4/conf/eth0/arp_notify"), "0")
			eq(t, "disable_ipv6", sysctlIn(t, ns, "net/ipv6/conf/eth0/disable_ipv6"), "0")
			if s := fmt.Sprint(n.Inspect()); strings.Contains(s, "192.168.10.1") {
				t.Errorf("inspect shows an l3 gateway: %s", s)
			}
		})
	}
}

// One ipvlan network per parent, in Docker's words.
func TestIPVlanOneNetworkPerParent(t *testing.T) {
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "first", Driver: IPVlan, Options: map[string]string{"parent": "p0"}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.m.CreateNetwork(NetworkSpec{Name: "second", Driver: IPVlan, Options: map[string]string{"parent": "p0", "ipvlan_mode": "l3"}})
	errContains(t, err, "network first is already using parent interface p0")
	if !errors.Is(err, ErrConflict) {
		t.Errorf("%v does not match ErrConflict", err)
	}
	_, err = e.m.CreateNetwork(NetworkSpec{Name: "mv", Driver: MACVlan, Options: map[string]string{"parent": "p0"}})
	errContains(t, err, "ipvlan network first is already using parent interface p0")
}

// Without a parent, a dummy di-<id> or dm-<id> is created, up; the network
// is internal (no default route) and the dummy goes with it.
func TestDummyParent(t *testing.T) {
	testenv.RequireKind(t, "dummy")
	for _, d := range []Driver{IPVlan, MACVlan} {
		t.Run(string(d), func(t *testing.T) {
			testenv.RequireKind(t, string(d))
			e := newEnv(t)
			n, err := e.m.CreateNetwork(NetworkSpec{Name: "np", Driver: d,
				Subnets: []SubnetSpec{{Subnet: "10.80.0.0/24", Gateway: "10.80.0.1"}}})
			if err != nil {
				t.Fatal(err)
			}
			prefix := map[Driver]string{IPVlan: "di-", MACVlan: "dm-"}[d]
			eq(t, "parent", n.Parent, prefix+n.ID[:12])
			eq(t, "parent created", n.ParentCreated, ParentDummy)
			eq(t, "internal", n.Internal, true)
			p := mustGet(t, e.hh, n.Parent)
			if p.Kind != "dummy" || !p.Up() {
				t.Errorf("parent %s: kind %q up %v", p.Name, p.Kind, p.Up())
			}
			_, name, th := e.target()
			if _, err := e.m.Connect(ConnectSpec{Network: "np", NetNS: name}); err != nil {
				t.Fatal(err)
			}
			eqList(t, "routes (internal)", routeTable(t, th), []string{"10.80.0.0/24 dev eth0"})
			if err := e.m.ForceRemoveNetwork("np"); err != nil {
				t.Fatal(err)
			}
			eqList(t, "host links after removal", linkNames(t, e.hh), []string{"lo", "p0"})
			eqList(t, "target links after removal", linkNames(t, th), []string{"lo"})
		})
	}
}

// A missing NAME.VID parent is created as an 802.1Q link and deleted with
// its last network; an existing one is kept.
func TestVLANParent(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	testenv.RequireKind(t, "ipvlan")
	e := newEnv(t)
	n, err := e.m.CreateNetwork(NetworkSpec{Name: "v50", Driver: IPVlan, Options: map[string]string{"parent": "p0.50"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "parent created", n.ParentCreated, ParentVLAN)
	eq(t, "internal", n.Internal, false)
	v := mustGet(t, e.hh, "p0.50")
	if d, ok := v.Data.(*rtnl.VLAN); v.Kind != "vlan" || !ok || *d.ID != 50 || v.Parent != "p0" || !v.Up() {
		t.Errorf("p0.50: kind %q data %+v parent %q up %v, want an up vlan 50 on p0", v.Kind, v.Data, v.Parent, v.Up())
	}
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "v50", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.ForceRemoveNetwork("v50"); err != nil {
		t.Fatal(err)
	}
	eqList(t, "host links after removal", linkNames(t, e.hh), []string{"lo", "p0"})
	eqList(t, "target links after removal", linkNames(t, th), []string{"lo"})

	// A pre-existing sub-interface is kept.
	if err := e.hh.Create(&links.VLAN{Attrs: links.Attrs{Name: "p0.60", Up: true}, Parent: "p0", ID: 60}); err != nil {
		t.Fatal(err)
	}
	n, err = e.m.CreateNetwork(NetworkSpec{Name: "v60", Driver: IPVlan, Options: map[string]string{"parent": "p0.60"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "pre-existing parent created", n.ParentCreated, "")
	if err := e.m.RemoveNetwork("v60"); err != nil {
		t.Fatal(err)
	}
	eqList(t, "host links: p0.60 kept", linkNames(t, e.hh), []string{"lo", "p0", "p0.60"})

	// macvlan networks sharing a created sub-interface: the last one
	// deletes it, whichever created it.
	for _, name := range []string{"m1", "m2"} {
		if _, err := e.m.CreateNetwork(NetworkSpec{Name: name, Driver: MACVlan, Options: map[string]string{"parent": "p0.70"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.m.RemoveNetwork("m1"); err != nil {
		t.Fatal(err)
	}
	mustGet(t, e.hh, "p0.70")
	if err := e.m.RemoveNetwork("m2"); err != nil {
		t.Fatal(err)
	}
	eqList(t, "host links after the last user", linkNames(t, e.hh), []string{"lo", "p0", "p0.60"})
}

// A created parent that is no longer what vlanraw made is kept.
func TestCreatedParentReplacedIsKept(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "v80", Driver: MACVlan, Options: map[string]string{"parent": "p0.80"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.hh.Delete("p0.80"); err != nil {
		t.Fatal(err)
	}
	// Someone makes a veth called p0.80: not a vlan link, so not ours.
	if err := e.hh.Create(&links.Veth{Attrs: links.Attrs{Name: "p0.80"}, Peer: links.Attrs{Name: "other"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.RemoveNetwork("v80"); err != nil {
		t.Fatal(err)
	}
	mustGet(t, e.hh, "p0.80")
}

// Restore creates again a dummy parent deleted by hand, and the
// endpoints that went with it.
func TestRestoreDummyParent(t *testing.T) {
	testenv.RequireKind(t, "dummy")
	testenv.RequireKind(t, "ipvlan")
	e := newEnv(t)
	n, err := e.m.CreateNetwork(NetworkSpec{Name: "np", Driver: IPVlan, Options: map[string]string{"ipvlan_mode": "l3"},
		Subnets: []SubnetSpec{{Subnet: "10.90.0.0/24"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, name, th := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "np", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.hh.Delete(n.Parent); err != nil {
		t.Fatal(err)
	}
	eqList(t, "target links once the parent is gone", linkNames(t, th), []string{"lo"})
	rep, err := e.m.Restore()
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "restore", rep, RestoreReport{Parents: []string{n.Parent},
		Restored: []EndpointRef{{Network: "np", NetNS: name, IfName: "eth0"}}})
	if p := mustGet(t, e.hh, n.Parent); p.Kind != "dummy" || !p.Up() {
		t.Errorf("restored parent: kind %q up %v", p.Kind, p.Up())
	}
	eqList(t, "restored addresses", addrs(t, th, "eth0"), []string{ep.IPv4.String()})
	eqList(t, "restored routes (l3 without a parent: default dev eth0)", routeTable(t, th), []string{"10.90.0.0/24 dev eth0", "default dev eth0"})
}

// A network whose creation fails after its parent was made leaves no
// parent behind, and the state file as it was.
func TestCreateNetworkRollback(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	testenv.RequireKind(t, "dummy")
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "keep", Driver: MACVlan, Options: map[string]string{"parent": "p0"}}); err != nil {
		t.Fatal(err)
	}
	before, hostBefore := e.stateBytes(), linkNames(t, e.hh)
	injected := errors.New("injected failure")
	testHook = func(step string) error {
		if step == "network" {
			return injected
		}
		return nil
	}
	defer func() { testHook = nil }()
	for _, parent := range []string{"", "p0.90"} {
		opts := map[string]string{}
		if parent != "" {
			opts["parent"] = parent
		}
		_, err := e.m.CreateNetwork(NetworkSpec{Name: "fail", Driver: MACVlan, Options: opts})
		if !errors.Is(err, injected) {
			t.Fatalf("parent %q: %v, want the injected failure", parent, err)
		}
		eqList(t, "host links", linkNames(t, e.hh), hostBefore)
		eq(t, "state file", e.stateBytes(), before)
	}
}
