package main

import (
	"encoding/json"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// This file holds the scenarios of ipvlan l3 and l3s networks whose
// endpoints reach across subnets without a parent or with --internal, and
// of a peer on an endpoint's own subnet (Red Hat's procedure).

// hostDefault adds `default via gw dev dev` in namespace ns.
func hostDefault(t *testing.T, ns, dev, gw string) {
	t.Helper()
	h, err := links.OpenName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	l, err := h.Get(dev)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddRoute(links.Route{Gateway: netip.MustParseAddr(gw), Index: l.Index}); err != nil {
		t.Fatalf("%s: default via %s dev %s: %v", ns, gw, dev, err)
	}
}

// routeTable checks that namespace ns has exactly the routes want, as
// `vlanraw route show` prints them (iproute2's words), in its order.
func routeTable(t *testing.T, ns string, want ...string) {
	t.Helper()
	if got := routes(t, ns); !slices.Equal(got, want) {
		t.Errorf("namespace %s: routes\n  %q\nwant\n  %q", ns, got, want)
	}
}

// unreachable checks that an ICMP echo from ns (from src) to dst cannot
// even be sent: the namespace has no route, "Network is unreachable".
func unreachable(t *testing.T, ns *netns.NS, src, dst string) {
	t.Helper()
	err := traffic.Ping(ns, netip.MustParseAddr(src), netip.MustParseAddr(dst), noReachTimeout)
	if !errors.Is(err, syscall.ENETUNREACH) {
		t.Errorf("%s to %s: ping says %v, want Network is unreachable", src, dst, err)
	}
}

// TestScenarioIPVlanL3NoParent is the Docker documentation's l3 network
// without a parent (seeds 001 and 002): two subnets, an endpoint on each,
// then a third and a fourth that ping across. The subnets reach each
// other because they share the dummy parent, and each endpoint's table is
// the documentation's: `default dev eth0` and the subnet's kernel route.
// The dummy is what isolates the network: neither the host's uplink
// router nor the host's own address answer, though the host has a
// default route through that router.
func TestScenarioIPVlanL3NoParent(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	testenv.RequireKind(t, "dummy")
	for _, mode := range []string{"l3", "l3s"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			far := w.uplink("up0")
			vr(t, w.host, "addr", "add", "10.99.0.2/24", "dev", "up0")
			vr(t, far, "addr", "add", "10.99.0.1/24", "dev", "eth0")
			hostDefault(t, w.host, "up0", "10.99.0.1")
			farNS, hostNS := openNS(t, far), openNS(t, w.host)

			w.vr("network create -d ipvlan --subnet 192.168.214.0/24 --subnet 10.1.214.0/24 -o ipvlan_mode=" + mode + " ipnet210")
			eps := map[string]string{}
			nss := map[string]*netns.NS{}
			for _, ip := range []string{"192.168.214.10", "10.1.214.10", "192.168.214.9", "10.1.214.9"} {
				name, ns := w.endpoint()
				if got := w.connect("ipnet210", name, "--ip", ip); got != ip {
					t.Fatalf("connect --ip %s: got %s", ip, got)
				}
				eps[ip], nss[ip] = name, ns
			}
			for ip, name := range eps {
				subnet := netip.MustParsePrefix(ip + "/24").Masked()
				routeTable(t, name, "default dev eth0 scope link", subnet.String()+" dev eth0 proto kernel scope link src "+ip)
			}
			// The seed's two pings, from 10.1.214.0/24 to 192.168.214.0/24 and back.
			reaches(t, nss["192.168.214.9"], "192.168.214.9", "10.1.214.10")
			reaches(t, nss["10.1.214.9"], "10.1.214.9", "192.168.214.10")
			reaches(t, nss["192.168.214.10"], "192.168.214.10", "10.1.214.10")
			reaches(t, nss["10.1.214.10"], "10.1.214.10", "192.168.214.10")
			udpReaches(t, nss["192.168.214.10"], nss["10.1.214.10"], "10.1.214.10")

			// Nothing beyond the dummy.
			for _, ip := range []string{"192.168.214.10", "10.1.214.9"} {
				blocked(t, nss[ip], ip, "10.99.0.1", farNS)
				blocked(t, nss[ip], ip, "10.99.0.2", hostNS)
				blocked(t, nss[ip], ip, "8.8.8.8", nil)
			}
			out := w.vr("routes ipnet210")
			if !strings.Contains(out, "nothing beyond the host can reach it") {
				t.Errorf("routes ipnet210 printed %q", out)
			}
		})
	}
}

// TestScenarioIPVlanL3InternalWithParent: an --internal l3 (l3s) network
// with a real parent keeps Docker's L3InternalMode promise: its subnets
// reach each other, through a route to each of the network's other
// subnets, and nothing else: with no default route, a router on the
// parent's link is "Network is unreachable", even once it has routes
// back to the subnets.
func TestScenarioIPVlanL3InternalWithParent(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, mode := range []string{"l3", "l3s"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			router := w.uplink("p0")
			vr(t, w.host, "addr", "add", "10.0.0.2/24", "dev", "p0")
			vr(t, router, "addr", "add", "10.0.0.1/24", "dev", "eth0")
			hostDefault(t, w.host, "p0", "10.0.0.1")
			w.vr("network create -d ipvlan --internal --subnet 192.168.214.0/24 --subnet 10.1.214.0/24 -o parent=p0 -o ipvlan_mode=" + mode + " inet")
			a, nsA := w.endpoint()
			b, nsB := w.endpoint()
			w.connect("inet", a, "--ip", "192.168.214.10")
			w.connect("inet", b, "--ip", "10.1.214.10")
			routeTable(t, a, "10.1.214.0/24 dev eth0 scope link", "192.168.214.0/24 dev eth0 proto kernel scope link src 192.168.214.10")
			routeTable(t, b, "10.1.214.0/24 dev eth0 proto kernel scope link src 10.1.214.10", "192.168.214.0/24 dev eth0 scope link")
			reaches(t, nsA, "192.168.214.10", "10.1.214.10")
			reaches(t, nsB, "10.1.214.10", "192.168.214.10")
			udpReaches(t, nsB, nsA, "192.168.214.10")

			w.vr("routes inet --apply --netns " + router)
			unreachable(t, nsA, "192.168.214.10", "10.0.0.1")
			unreachable(t, nsB, "10.1.214.10", "10.0.0.1")
			unreachable(t, nsA, "192.168.214.10", "10.0.0.2")
			unreachable(t, nsA, "192.168.214.10", "8.8.8.8")
		})
	}
}

// parentMAC returns the MAC of link dev in namespace ns.
func parentMAC(t *testing.T, ns, dev string) string {
	t.Helper()
	var ls []struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(vr(t, ns, "-j", "link", "show", "dev", dev)), &ls); err != nil || len(ls) != 1 {
		t.Fatalf("link show -j dev %s: %v", dev, err)
	}
	return ls[0].Address
}

// TestScenarioIPVlanL3PeerOnSubnet is Red Hat's procedure for ipvlan l3
// and l3s (seed 003): the remote peer sits on the endpoint's own subnet
// (10.50.0.1/24 on the wire, the endpoint 10.50.0.10), while the parent
// has an address on another (192.168.5.250/24) and the host's default
// route leaves through the parent via a gateway that is not the peer. The
// peer needs a neighbour entry mapping the endpoint to the parent's MAC,
// the host an on-link route to the peer through the parent: `vlanraw
// routes` prints both sides and --apply applies them, in the peer's
// namespace and on the host. Pings go both ways only then.
func TestScenarioIPVlanL3PeerOnSubnet(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, mode := range []string{"l3", "l3s"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			peer := w.uplink("p0")
			vr(t, w.host, "addr", "add", "192.168.5.250/24", "dev", "p0")
			hostDefault(t, w.host, "p0", "192.168.5.1")
			vr(t, peer, "addr", "add", "10.50.0.1/24", "dev", "eth0")
			peerNS := openNS(t, peer)
			w.vr("network create -d ipvlan --subnet 10.50.0.0/24 -o parent=p0 -o ipvlan_mode=" + mode + " rhel")
			e, nsE := w.endpoint()
			w.connect("rhel", e, "--ip", "10.50.0.10")
			noReply(t, nsE, "10.50.0.10", "10.50.0.1")
			noReply(t, peerNS, "10.50.0.1", "10.50.0.10")

			mac := parentMAC(t, w.host, "p0")
			out := w.vr("routes rhel")
			for _, want := range []string{
				"ip neigh add 10.50.0.10 lladdr " + mac + " dev DEV nud permanent\n",
				"on the host, for each peer on a subnet of network rhel beyond p0: ip route add PEER/32 dev p0\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("routes rhel printed\n%s\nwithout %q", out, want)
				}
			}
			for range 2 { // idempotent
				out = w.vr("routes rhel --apply --netns " + peer)
			}
			for _, want := range []string{
				"applied in " + peer + ": ip neigh add 10.50.0.10 lladdr " + mac + " dev eth0 nud permanent\n",
				"applied on the host: ip route add 10.50.0.1/32 dev p0\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("routes rhel --apply printed\n%s\nwithout %q", out, want)
				}
			}
			if strings.Contains(out, "via 192.168.5.250") {
				t.Errorf("routes rhel --apply printed a route via the parent, which the peer cannot reach:\n%s", out)
			}
			hasRoute(t, w.host, "10.50.0.1 dev p0 scope link", false)
			var nbs []struct {
				Dst    string   `json:"dst"`
				LLAddr string   `json:"lladdr"`
				State  []string `json:"state"`
			}
			if err := json.Unmarshal([]byte(vr(t, peer, "-j", "neigh", "show", "dev", "eth0")), &nbs); err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(nbs, func(n struct {
				Dst    string   `json:"dst"`
				LLAddr string   `json:"lladdr"`
				State  []string `json:"state"`
			}) bool {
				return n.Dst == "10.50.0.10" && n.LLAddr == mac && slices.Contains(n.State, "PERMANENT")
			}) {
				t.Errorf("peer neighbours %+v: want 10.50.0.10 lladdr %s PERMANENT", nbs, mac)
			}
			reaches(t, nsE, "10.50.0.10", "10.50.0.1")
			reaches(t, peerNS, "10.50.0.1", "10.50.0.10")
			udpReaches(t, peerNS, nsE, "10.50.0.10")
			udpReaches(t, nsE, peerNS, "10.50.0.1")
		})
	}
}

// TestScenarioIPVlanL3PeerOnSubnetIPv6 is Red Hat's procedure over IPv6:
// the peer fd50::1/64 on the wire, the endpoint fd50::10 on an l3 network
// whose parent has only its link-local address, and no IPv6 route on the
// host, so that without the host's route to the peer the endpoint's
// packets to it go nowhere.
func TestScenarioIPVlanL3PeerOnSubnetIPv6(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	peer := w.uplink("p0")
	vr(t, peer, "addr", "add", "fd50::1/64", "dev", "eth0", "nodad")
	peerNS := openNS(t, peer)
	w.vr("network create -d ipvlan --subnet fd50::/64 -o parent=p0 -o ipvlan_mode=l3 rhel6")
	e, nsE := w.endpoint()
	w.connect("rhel6", e, "--ip6", "fd50::10")
	noReply(t, peerNS, "fd50::1", "fd50::10")

	mac := parentMAC(t, w.host, "p0")
	out := w.vr("routes rhel6")
	for _, want := range []string{
		"ip neigh add fd50::10 lladdr " + mac + " dev DEV nud permanent\n",
		"on the host, for each peer on a subnet of network rhel6 beyond p0: ip -6 route add PEER/128 dev p0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("routes rhel6 printed\n%s\nwithout %q", out, want)
		}
	}
	out = w.vr("routes rhel6 --apply --netns " + peer)
	for _, want := range []string{
		"applied in " + peer + ": ip neigh add fd50::10 lladdr " + mac + " dev eth0 nud permanent\n",
		"applied on the host: ip -6 route add fd50::1/128 dev p0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("routes rhel6 --apply printed\n%s\nwithout %q", out, want)
		}
	}
	hasRoute(t, w.host, "fd50::1 dev p0", false)
	reaches(t, nsE, "fd50::10", "fd50::1")
	reaches(t, peerNS, "fd50::1", "fd50::10")
	udpReaches(t, peerNS, nsE, "fd50::10")
}
