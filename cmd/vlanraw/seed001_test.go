// Seed 001 (/work/shared/seeds/001_5558cadb491dd85e.txt, a chunk of
// Docker's ipvlan.md: IPvlan L3 mode, the start of dual stack L2): every
// example, by the seed's line, and the test that acts it out. New tests
// are in this file; the others were there before.
//
//   L1-8     page header                               nothing
//   L9-12    (cut) L2 for VLANs trunked to ToRs, L3    prose (TestSeed002IPVlanTrunk, TestSeed001L3WithParent)
//            routing at the edge
//   L14-16   L3 on a subnet apart from the default     TestSeed001L3WithParent; a peer on the endpoints' own subnet:
//            namespace's, a route there to the parent  TestScenarioIPVlanL3PeerOnSubnet
//   L17-19   parent eth0 on 192.168.1.0/24, the        TestSeed001L3WithParent
//            network not
//   L20-21   subnets sharing a parent ping one another TestScenarioIPVlanL3NoParent, TestSeed001L3WithParent
//   L23-28   ip a show eth0                            TestSeed001L3WithParent (its MAC and 192.168.1.250/24)
//   L30-33   the default gateway is the eth0 device    TestScenarioIPVlanL3NoParent, TestSeed001L3WithParent
//   L35-36   l3 must be given, l2 is the default       TestSeed000MACs, TestSeed002DbNet (mode left out: l2)
//   L38-40   no parent: a dummy link is made           TestScenarioNoParent (di-ID made, and deleted by rm),
//                                                      TestSeed002Isolated
//   L42-59   ipnet210: create, four containers, two    TestScenarioIPVlanL3NoParent (same subnets, addresses, name)
//            pings across the subnets
//   L61-65   no --gateway; ignored in l3 if given      TestSeed001L3GatewayIgnored
//   L67-72   ip route inside an L3 container           TestScenarioIPVlanL3NoParent (exact table), TestSeed001L3WithParent
//   L74-77   a remote host needs a route to the        TestSeed001L3WithParent, TestScenarioIPVlanL3Router
//            Docker host's address
//   L79-88   dual stack L2: IPv6 only, two containers  TestSeed001V6IPVlan139
//            on VLAN 139 ping, the default IPv4
//            subnet is isolated
//   L90-98   v6ipvlan139: create, docker run           TestSeed001V6IPVlan139
//   L100-107 ip a show eth0 inside                     TestSeed001V6IPVlan139 (172.17.0.1/16 for 172.18.0.2/16: see it)
//   L109-111 the chunk's title and summary             nothing of its own

package main

import (
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestSeed001L3WithParent is the L3 section with its parent: eth0 on
// 192.168.1.0/24 (`ip a show eth0`: 00:50:56:39:45:2e,
// 192.168.1.250/24), ipnet210 with 192.168.214.0/24 and 10.1.214.0/24 in
// l3 mode on it, not on eth0's subnet, and the containers 192.168.214.10
// and 10.1.214.10. They ping each other across their subnets (they share
// the parent); each has the seed's table, `default dev eth0` and its
// subnet's route. The host's route to 192.168.1.0/24 through eth0 is what
// their packets to a remote host on that subnet take; the remote host
// needs "a route pointing to the host IP address of the container's Docker
// host eth interface": without it neither side gets a reply, with the
// routes `vlanraw routes ipnet210` prints (--apply adds them) both do.
// Still, no container reaches the host's own 192.168.1.250.
//
// The seed's example of this section has no parent (that is
// TestScenarioIPVlanL3NoParent); the text around it names eth0 on
// 192.168.1.0/24, so this test gives ipnet210 that parent. The remote
// host's address, 192.168.1.10, is the test's; eth0's address has no
// "brd" (see TestSeed002PubNet).
func TestSeed001L3WithParent(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	remote := newNetNS(t)
	vr(t, w.host, "link", "add", "eth0", "address", "00:50:56:39:45:2e", "up", "type", "veth", "peer", "name", "eth0", "netns", remote, "up")
	vr(t, w.host, "addr", "add", "192.168.1.250/24", "dev", "eth0")
	vr(t, remote, "addr", "add", "192.168.1.10/24", "dev", "eth0")
	remoteNS, hostNS := openNS(t, remote), openNS(t, w.host)
	contains(t, "addr show eth0", vr(t, w.host, "addr", "show", "eth0"),
		"<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500", "link/ether 00:50:56:39:45:2e brd ff:ff:ff:ff:ff:ff", "inet 192.168.1.250/24 scope global eth0")
	hasRoute(t, w.host, "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.250", false)

	w.vr("network create -d ipvlan --subnet=192.168.214.0/24 --subnet=10.1.214.0/24 -o parent=eth0 -o ipvlan_mode=l3 ipnet210")
	a := w.run("ipnet210_a", "ipnet210", "--ip=192.168.214.10")
	b := w.run("ipnet210_b", "ipnet210", "--ip=10.1.214.10")
	routeTable(t, a.ns, "default dev eth0 scope link", "192.168.214.0/24 dev eth0 proto kernel scope link src 192.168.214.10")
	routeTable(t, b.ns, "default dev eth0 scope link", "10.1.214.0/24 dev eth0 proto kernel scope link src 10.1.214.10")
	reaches(t, a.h, a.ip, b.ip)
	reaches(t, b.h, b.ip, a.ip)

	noReply(t, remoteNS, "192.168.1.10", a.ip)
	noReply(t, a.h, a.ip, "192.168.1.10")
	contains(t, "routes ipnet210", w.vr("routes ipnet210"),
		"ip route add 192.168.214.0/24 via 192.168.1.250\n", "ip route add 10.1.214.0/24 via 192.168.1.250\n")
	w.vr("routes ipnet210 --apply --netns " + remote)
	reaches(t, remoteNS, "192.168.1.10", a.ip)
	reaches(t, remoteNS, "192.168.1.10", b.ip)
	reaches(t, a.h, a.ip, "192.168.1.10")
	udpReaches(t, remoteNS, b.h, b.ip)
	blocked(t, a.h, a.ip, "192.168.1.250", hostNS)
}

// TestSeed001L3GatewayIgnored: "Notice that there is no --gateway= option
// in the network create. The field is ignored if one is specified l3
// mode": ipnet210 of the seed with a --gateway per subnet added gives its
// container the same table as without, `default dev eth0` and no next
// hop.
func TestSeed001L3GatewayIgnored(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	testenv.RequireKind(t, "dummy")
	w := newWorld(t)
	w.vr("network create -d ipvlan --subnet=192.168.214.0/24 --subnet=10.1.214.0/24 --gateway=192.168.214.1 --gateway=10.1.214.1 -o ipvlan_mode=l3 ipnet210")
	a := w.run("ipnet210_a", "ipnet210", "--ip=192.168.214.10")
	b := w.run("ipnet210_b", "ipnet210", "--ip=10.1.214.10")
	routeTable(t, a.ns, "default dev eth0 scope link", "192.168.214.0/24 dev eth0 proto kernel scope link src 192.168.214.10")
	reaches(t, a.h, a.ip, b.ip)
}

// TestSeed001V6IPVlan139 is the dual-stack ipvlan l2 example that starts
// with IPv6 only: v6ipvlan139 with --ipv6 --subnet=2001:db8:abc2::/64
// --gateway=2001:db8:abc2::22 on eth0.139, which `network create` makes
// (vlan 139 on eth0); the gateway is a router of VLAN 139 on the far side
// of eth0. The default IPAM provisions an IPv4 subnet too. The first
// container's eth0 is as the seed prints it: BROADCAST,MULTICAST,UP,
// LOWER_UP (no NOARP: l2), mtu 1500, the parent's MAC, an IPv4 address of
// that subnet and 2001:db8:abc2::1 (nodad); its IPv6 table has the subnet
// and `default via 2001:db8:abc2::22 dev eth0 metric 1024`. Two containers
// on VLAN 139 ping one another (the second pings the first's
// 2001:db8:abc2::1, as the document shows); the IPv4 subnet "is isolated
// unless the upstream network is explicitly routing it": no IPv4 default
// route. The frames leave tagged 139.
//
// Not as in the seed: the IPv4 subnet is 172.17.0.0/16 and the first
// address 172.17.0.1, where the seed shows 172.18.0.2/16 (Docker's docker0
// holds 172.17.0.0/16, and Docker then reserved .1 as gateway; neither
// here). The second container's ping and the IPv6 table are the
// document's, after the point where the seed's chunk stops.
func TestSeed001V6IPVlan139(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	testenv.RequireKind(t, "vlan")
	w := newWorld(t)
	far := w.uplink("eth0")
	onWire := countWire(t, far, "eth0")
	_, router := vlanStation(t, far, "eth0", "139", "2001:db8:abc2::22/64")
	w.vr("network create -d ipvlan --ipv6 --subnet=2001:db8:abc2::/64 --gateway=2001:db8:abc2::22 -o parent=eth0.139 v6ipvlan139")
	vlanOf(t, w.host, "eth0.139", "eth0", "139")
	if r := w.lsRow("v6ipvlan139"); r["SUBNETS"] != "172.17.0.0/16,2001:db8:abc2::/64" {
		t.Errorf("v6ipvlan139 has subnets %s, want 172.17.0.0/16 (from the default pools) and 2001:db8:abc2::/64", r["SUBNETS"])
	}
	c1, h1 := w.container("v6ipvlan139_a")
	e1 := w.attach("v6ipvlan139", c1)
	c2, h2 := w.container("v6ipvlan139_b")
	e2 := w.attach("v6ipvlan139", c2)
	if e1.IPv4 != "172.17.0.1" || e1.IPv6 != "2001:db8:abc2::1" || e2.IPv6 != "2001:db8:abc2::2" {
		t.Errorf("containers got %+v and %+v", e1, e2)
	}
	contains(t, "addr show eth0", vr(t, c1, "addr", "show", "eth0"),
		"<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500", "link/ether "+parentMAC(t, w.host, "eth0.139")+" brd ff:ff:ff:ff:ff:ff",
		"inet 172.17.0.1/16 scope global eth0", "inet6 2001:db8:abc2::1/64 scope global nodad")
	routeTables(t, c1, []string{"172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.1"},
		[]string{"2001:db8:abc2::/64 dev eth0 proto kernel metric 256", "default via 2001:db8:abc2::22 dev eth0 metric 1024"})
	reaches(t, h2, e2.IPv6, e1.IPv6)
	reaches(t, h1, e1.IPv6, e2.IPv6)
	udpReaches(t, h2, h1, e1.IPv6)
	reaches(t, h1, e1.IPv4, e2.IPv4)
	unreachable(t, h1, e1.IPv4, "8.8.8.8")
	reaches(t, h1, e1.IPv6, "2001:db8:abc2::22")
	onWire.tagged(h1, router, "2001:db8:abc2::22", "139")
}
