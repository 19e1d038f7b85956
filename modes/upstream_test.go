package modes

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

const pingTimeout = 5 * time.Second

func ping(t *testing.T, what string, from *netns.NS, dst string) {
	t.Helper()
	if err := traffic.Ping(from, netip.Addr{}, netip.MustParseAddr(dst), pingTimeout); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// Seed 000: an l3 (and l3s) network with two subnets on the host's
// interface; the router needs a static route per subnet via the host, and
// (Red Hat's procedure) neighbour entries for the endpoints.
func TestUpstreamSeed000(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, mode := range []string{"l3", "l3s"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			if _, err := e.m.CreateNetwork(NetworkSpec{Name: "ipvlan_net", Driver: IPVlan,
				Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24"}, {Subnet: "192.168.20.0/24"}},
				Options: map[string]string{"parent": "p0", "ipvlan_mode": mode}}); err != nil {
				t.Fatal(err)
			}
			webapp, webappName, _ := e.target()
			database, databaseName, _ := e.target()
			for name, ip := range map[string]string{webappName: "192.168.10.10", databaseName: "192.168.20.10"} {
				if _, err := e.m.Connect(ConnectSpec{Network: "ipvlan_net", NetNS: name, IPv4: ip}); err != nil {
					t.Fatal(err)
				}
			}
			u, err := e.m.Upstream("ipvlan_net")
			if err != nil {
				t.Fatal(err)
			}
			mac := mustGet(t, e.hh, "p0").MAC.String()
			eqList(t, "commands", u.Commands(), []string{
				"ip route add 192.168.10.0/24 via 192.168.0.10",
				"ip route add 192.168.20.0/24 via 192.168.0.10",
				"ip neigh add 192.168.10.10 lladdr " + mac + " dev DEV nud permanent",
				"ip neigh add 192.168.20.10 lladdr " + mac + " dev DEV nud permanent",
				"ip route add 192.168.10.10/32 dev DEV",
				"ip route add 192.168.20.10/32 dev DEV",
			})
			eqList(t, "host commands, before a peer is known", u.HostCommands(), []string{"ip route add PEER/32 dev p0"})
			if len(u.Notes) != 0 {
				t.Errorf("notes: %q", u.Notes)
			}
			if len(u.HostNotes) != 1 || !strings.Contains(u.HostNotes[0], "the host has no IPv4 default route") {
				t.Errorf("host notes: %q", u.HostNotes)
			}
			b, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"routes":[{"dst":"192.168.10.0/24","via":"192.168.0.10"}`) {
				t.Errorf("JSON: %s", b)
			}

			// Before the router knows, the endpoints are out of its reach.
			if err := traffic.Ping(e.router, netip.Addr{}, netip.MustParseAddr("192.168.10.10"), time.Second); err == nil {
				t.Error("the router reached an endpoint before it was told where the subnets are")
			}
			for range 2 { // idempotent
				if _, err := e.m.ApplyUpstream("ipvlan_net", e.routerName); err != nil {
					t.Fatal(err)
				}
			}
			eqList(t, "router routes", routeTable(t, e.rh), sorted(
				"192.168.0.0/24 dev p1", "-6 fd00::/64 dev p1",
				"192.168.10.0/24 via 192.168.0.10 dev p1", "192.168.20.0/24 via 192.168.0.10 dev p1",
				"192.168.10.10/32 dev p1", "192.168.20.10/32 dev p1"))
			p1 := mustGet(t, e.rh, "p1")
			neighs, err := e.rh.Neighs(p1.Index)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]bool{}
			for _, nb := range neighs {
				if nb.State&unix.NUD_PERMANENT != 0 && nb.MAC.String() == mac {
					found[nb.IP.String()] = true
				}
			}
			if !found["192.168.10.10"] || !found["192.168.20.10"] {
				t.Errorf("router neighbours %+v: want permanent entries for both endpoints with %s", neighs, mac)
			}
			ping(t, "router to webapp", e.router, "192.168.10.10")
			ping(t, "router to database", e.router, "192.168.20.10")
			ping(t, "webapp to the router", webapp, "192.168.0.1")
			ping(t, "webapp to database (across subnets, inside the host)", webapp, "192.168.20.10")
			ping(t, "database to webapp", database, "192.168.10.10")
		})
	}
}

// With the neighbour entries, the router reaches the endpoints without
// the subnet routes: the route via the host is taken away.
func TestUpstreamNeighboursAlone(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "n", Driver: IPVlan, IPv6: true,
		Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24"}, {Subnet: "fd10::/64"}},
		Options: map[string]string{"parent": "p0", "ipvlan_mode": "l3"}}); err != nil {
		t.Fatal(err)
	}
	_, name, _ := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "n", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.ApplyUpstream("n", e.routerName); err != nil {
		t.Fatal(err)
	}
	p1 := mustGet(t, e.rh, "p1")
	for _, r := range []links.Route{
		{Dst: mustPrefix("192.168.10.0/24"), Gateway: mustAddr("192.168.0.10"), Index: p1.Index},
		{Dst: mustPrefix("fd10::/64"), Gateway: mustAddr("fd00::10"), Index: p1.Index},
	} {
		if err := e.rh.DeleteRoute(r); err != nil {
			t.Fatalf("delete %v: %v", r.Dst, err)
		}
	}
	ping(t, "router to the endpoint by neighbour entry, IPv4", e.router, ep.IPv4.Addr().String())
	ping(t, "router to the endpoint by neighbour entry, IPv6", e.router, ep.IPv6.Addr().String())
}

// Measured: l3 endpoints' packets are routed by the host's table,
// restricted to the parent. Without a host route through p0 to a network
// beyond the router, the endpoint cannot reach it, and Upstream says so;
// with one, it can.
func TestL3ReachBeyondRouter(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	e := newEnv(t)
	beyond, _ := testenv.NewNetNS(t)
	bh := openHandle(t, beyond)
	if err := e.rh.Create(&links.Veth{Attrs: links.Attrs{Name: "r2", Up: true}, Peer: links.Attrs{Name: "x0", Up: true, NetNS: beyond}}); err != nil {
		t.Fatal(err)
	}
	addAddr(t, e.rh, "r2", mustPrefix("10.99.0.1/24"))
	addAddr(t, bh, "x0", mustPrefix("10.99.0.2/24"))
	if err := bh.AddRoute(links.Route{Gateway: mustAddr("10.99.0.1"), Index: mustGet(t, bh, "x0").Index}); err != nil {
		t.Fatal(err)
	}
	if err := writeSysctls(e.router, []sysctl{{path: "net/ipv4/ip_forward", value: "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "n", Driver: IPVlan, Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24"}},
		Options: map[string]string{"parent": "p0", "ipvlan_mode": "l3"}}); err != nil {
		t.Fatal(err)
	}
	ns, name, _ := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "n", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.ApplyUpstream("n", e.routerName); err != nil {
		t.Fatal(err)
	}
	if err := traffic.Ping(ns, netip.Addr{}, mustAddr("10.99.0.2"), time.Second); err == nil {
		t.Error("the endpoint reached beyond the router without a host route through p0")
	}
	u, err := e.m.Upstream("n")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.HostNotes) != 1 {
		t.Errorf("host notes without a default route: %q", u.HostNotes)
	}
	if err := e.hh.AddRoute(links.Route{Gateway: mustAddr("192.168.0.1"), Index: mustGet(t, e.hh, "p0").Index}); err != nil {
		t.Fatal(err)
	}
	ping(t, "endpoint beyond the router, with the host's default route through p0", ns, "10.99.0.2")
	ping(t, "beyond the router to the endpoint", beyond, ep.IPv4.Addr().String())
	if u, err = e.m.Upstream("n"); err != nil {
		t.Fatal(err)
	}
	if len(u.HostNotes) != 0 {
		t.Errorf("host notes with a default route through p0: %q", u.HostNotes)
	}
}

// Without an address on the parent, the router has no next hop: Upstream
// says what to do, and ApplyUpstream cannot find the router's link.
func TestUpstreamParentWithoutAddress(t *testing.T) {
	e := newEnv(t)
	if err := e.hh.Create(&links.Veth{Attrs: links.Attrs{Name: "p2", Up: true}, Peer: links.Attrs{Name: "p3", Up: true, NetNS: e.router}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "n", Driver: IPVlan, Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24"}},
		Options: map[string]string{"parent": "p2", "ipvlan_mode": "l3"}}); err != nil {
		t.Fatal(err)
	}
	u, err := e.m.Upstream("n")
	if err != nil {
		t.Fatal(err)
	}
	eqList(t, "commands", u.Commands(), nil)
	if len(u.Notes) != 1 || !strings.Contains(u.Notes[0], "parent p2 has no IPv4 address") ||
		!strings.Contains(u.Notes[0], "ip addr add ADDRESS/LENGTH dev p2") {
		t.Errorf("notes: %q", u.Notes)
	}
	_, err = e.m.ApplyUpstream("n", e.routerName)
	errContains(t, err, "nothing to apply for network n", "parent p2 has no IPv4 address")
}

// ipvlan l2 and macvlan endpoints need nothing on the router.
func TestUpstreamL2(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "mv", nil)
	u, err := e.m.Upstream("mv")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Commands()) != 0 || len(u.Notes) != 1 || !strings.Contains(u.Notes[0], "answer ARP") {
		t.Errorf("commands %q notes %q", u.Commands(), u.Notes)
	}
}

// A macvlan endpoint talks to the router and to another endpoint, both
// families.
func TestTrafficMACVlan(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "mv", nil)
	a, aName, _ := e.target()
	_, bName, _ := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "mv", NetNS: aName}); err != nil {
		t.Fatal(err)
	}
	b, err := e.m.Connect(ConnectSpec{Network: "mv", NetNS: bName})
	if err != nil {
		t.Fatal(err)
	}
	ping(t, "endpoint to the router", a, "192.168.0.1")
	ping(t, "endpoint to the router, IPv6", a, "fd00::1")
	ping(t, "endpoint to endpoint", a, b.IPv4.Addr().String())
	ping(t, "endpoint to endpoint, IPv6", a, b.IPv6.Addr().String())
	ping(t, "router to endpoint", e.router, b.IPv4.Addr().String())
}
