package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestScenarioIPVlanL2Gateway: two endpoints of an l2 network on one
// subnet with a gateway reach each other, and each has Docker's route
// `default via GATEWAY dev eth0`.
func TestScenarioIPVlanL2Gateway(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	far := w.uplink("p0")
	vr(t, far, "addr", "add", "10.30.0.1/24", "dev", "eth0")
	w.vr("network create -d ipvlan --subnet 10.30.0.0/24 --gateway 10.30.0.1 -o parent=p0 l2net")
	a, nsA := w.endpoint()
	b, nsB := w.endpoint()
	ipA, ipB := w.connect("l2net", a), w.connect("l2net", b)
	if ipA == ipB || ipA == "10.30.0.1" || ipB == "10.30.0.1" {
		t.Fatalf("allocated %s and %s with gateway 10.30.0.1", ipA, ipB)
	}
	reaches(t, nsA, ipA, ipB)
	reaches(t, nsB, ipB, ipA)
	udpReaches(t, nsA, nsB, ipB)
	// l2 endpoints answer ARP on the parent's link: the gateway reaches
	// them without any route of its own.
	reaches(t, nsA, ipA, "10.30.0.1")
	for _, ns := range []string{a, b} {
		hasRoute(t, ns, "default via 10.30.0.1 dev eth0", true)
	}
}

// TestScenarioIPVlanL2TwoSubnets: in l2 mode, endpoints on two subnets of
// one network do not reach each other: nothing routes between them.
func TestScenarioIPVlanL2TwoSubnets(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d ipvlan --subnet 10.31.0.0/24 --gateway 10.31.0.1 --subnet 10.32.0.0/24 --gateway 10.32.0.1 -o parent=p0 l2two")
	a, nsA := w.endpoint()
	b, nsB := w.endpoint()
	w.connect("l2two", a, "--ip", "10.31.0.10")
	w.connect("l2two", b, "--ip", "10.32.0.10")
	blocked(t, nsA, "10.31.0.10", "10.32.0.10", nsB)
	blocked(t, nsB, "10.32.0.10", "10.31.0.10", nsA)
	hasRoute(t, a, "default via 10.31.0.1 dev eth0", true)
	hasRoute(t, b, "default via 10.32.0.1 dev eth0", true)
}

// TestScenarioIPVlanL3TwoSubnets is the article's network: in l3 mode the
// two subnets reach each other through the host, each endpoint has the
// connected route `default dev eth0`, its link is NOARP, and no neighbour
// is resolved after the traffic.
func TestScenarioIPVlanL3TwoSubnets(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	w.uplink("enp0s3")
	w.vr("network create -d ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 -o parent=enp0s3 -o ipvlan_mode=l3 ipvlan_net")
	webapp, nsW := w.endpoint()
	database, nsD := w.endpoint()
	w.connect("ipvlan_net", webapp, "--ip", "192.168.10.10")
	w.connect("ipvlan_net", database, "--ip", "192.168.20.10")
	reaches(t, nsW, "192.168.10.10", "192.168.20.10")
	reaches(t, nsD, "192.168.20.10", "192.168.10.10")
	udpReaches(t, nsW, nsD, "192.168.20.10")
	for _, ns := range []string{webapp, database} {
		hasRoute(t, ns, "default dev eth0 scope link", true)
		var ls []struct {
			Flags []string `json:"flags"`
		}
		if err := json.Unmarshal([]byte(vr(t, ns, "-j", "link", "show", "dev", "eth0")), &ls); err != nil || len(ls) != 1 {
			t.Fatalf("link show -j dev eth0: %v", err)
		}
		if !slices.Contains(ls[0].Flags, "NOARP") {
			t.Errorf("%s: eth0 flags %q lack NOARP", ns, ls[0].Flags)
		}
		noResolvedNeighbours(t, ns)
	}
}

// noResolvedNeighbours checks that namespace ns has no neighbour entry
// that ARP or neighbour discovery made: none INCOMPLETE, REACHABLE,
// STALE, DELAY, PROBE or FAILED.
func noResolvedNeighbours(t *testing.T, ns string) {
	t.Helper()
	var nbs []struct {
		Dst   string   `json:"dst"`
		State []string `json:"state"`
	}
	if err := json.Unmarshal([]byte(vr(t, ns, "-d", "-j", "neigh", "show")), &nbs); err != nil {
		t.Fatal(err)
	}
	for _, n := range nbs {
		for _, s := range n.State {
			switch s {
			case "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED":
				t.Errorf("%s: neighbour %s is %s: an l3 endpoint must resolve nothing", ns, n.Dst, s)
			}
		}
	}
}

// TestScenarioIPVlanL3Router: an l3 (and l3s) endpoint gets no reply from
// the router on the parent's link until the router has routes back to the
// network's subnets, which `vlanraw routes --apply` adds.
func TestScenarioIPVlanL3Router(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, mode := range []string{"l3", "l3s"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			router := w.uplink("p0")
			vr(t, w.host, "addr", "add", "10.0.0.2/24", "dev", "p0")
			vr(t, router, "addr", "add", "10.0.0.1/24", "dev", "eth0")
			w.vr("network create -d ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 -o parent=p0 -o ipvlan_mode=" + mode + " net")
			e, nsE := w.endpoint()
			w.connect("net", e, "--ip", "192.168.10.10")
			noReply(t, nsE, "192.168.10.10", "10.0.0.1")

			out := w.vr("routes net")
			for _, want := range []string{"ip route add 192.168.10.0/24 via 10.0.0.2", "ip route add 192.168.20.0/24 via 10.0.0.2"} {
				if !strings.Contains(out, want+"\n") {
					t.Errorf("routes net printed %q, without %q", out, want)
				}
			}
			w.vr("routes net --apply --netns " + router)
			hasRoute(t, router, "192.168.10.0/24 via 10.0.0.2 dev eth0", false)
			reaches(t, nsE, "192.168.10.10", "10.0.0.1")
		})
	}
}
