// Seed 000 (/work/shared/seeds/000_feb3630f65b6497a.txt, 4sysops: "IPvlan
// vs. MacVLAN", an ipvlan l3 network): every example, by the seed's line,
// and the test that acts it out. New tests are in this file; the others
// were there before.
//
//   L1-2     intro (the previous article on MacVLAN)   prose, nothing to act out
//   L7       MacVLAN: a MAC per container; IPvlan: one  TestSeed000MACs
//            MAC for all
//   L8       MacVLAN needs a promiscuous parent,        TestSeed000MACs (promiscuity of the veth parent)
//            IPvlan does not
//   L10-12   L2 is the default mode; like macvlan      TestSeed000MACs (no mode given: l2), TestScenarioIPVlanL2Gateway
//            bridge without a MAC per container
//   L12      L2 containers reach the containers of     TestSeed000L2AcrossHosts
//            another IPvlan network; many ARP
//            broadcasts
//   L14      L3: the host routes; containers isolated  TestSeed000IPVlanNet (routes), TestSeed000SeparateParents,
//            from other networks; broadcasts kept in;  TestSeed002IPVlanL3 and TestScenarioVerifyIPVlan/l3 (broadcast
//            a static route on the gateway router      and multicast counted with eBPF)
//   L18      why IPvlan: switches short of MAC         TestSeed000MACs (one MAC on the wire); clouds: not acted out
//            entries, clouds
//   L28-36   docker network create ... ipvlan_net      TestSeed000IPVlanNet (the article's --driver and --opt),
//                                                      TestScenarioIPVlanL3TwoSubnets (same names and subnets)
//   L43-47   the options: --driver, --subnet twice,    TestSeed000IPVlanNet, TestSeed000MACs (mode left out: l2)
//            --opt parent, ipvlan_mode (default l2)
//   L49      one parent serves one IPvlan network      TestSeed000IPVlanNet (a second network on enp0s3 refused),
//                                                      TestScenarioErrorsIPVlan
//   L49      both subnets of one parent talk           TestSeed000IPVlanNet, TestScenarioIPVlanL3TwoSubnets
//   L49      different parents isolate the subnets     TestSeed000SeparateParents
//   L51-55   docker network ls                         TestSeed000IPVlanNet (vlanraw network ls)
//   L57-63   docker run webapp --ip 192.168.10.10,     TestSeed000IPVlanNet, TestScenarioIPVlanL3TwoSubnets
//            database --ip 192.168.20.10 (mariadb)     (stand-in: namespaces named after them, running no image)
//   L65-72   docker inspect ipvlan_net: addresses, no  TestSeed000IPVlanNet (vlanraw network inspect),
//            MAC, no ARP                               TestScenarioIPVlanL3TwoSubnets (NOARP, no neighbour resolved)
//   L74-82   first attempt: the database answers,      TestSeed000IPVlanNet (google.com: 8.8.8.8 on the router)
//            google.com does not
//   L84-90   a static route per subnet on the gateway  TestSeed000IPVlanNet (vlanraw routes ipvlan_net [--apply]),
//            router, via the Docker host               TestScenarioIPVlanL3Router
//   L92-96   second attempt: the internet answers      TestSeed000IPVlanNet
//   L98-102  another computer of 192.168.0.0/24 pings  TestSeed000IPVlanNet
//            both containers
//   L104-106 conclusion                                prose
//   L108-128 readers' comments: no internet from an    no commands: not acted out (the VPC route is the router's
//            adguard container; AWS EC2                static route of L84-90)
//   L130-149 page footer                               nothing

package main

import (
	"encoding/json"
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// lanPort is a macvlan bridge port: a station on a switch (see station).
var lanPort = []string{"macvlan", "mode", "bridge"}

// TestSeed000IPVlanNet acts out the article's network from start to
// end. The LAN 192.168.0.0/24 is a switch on the far side of the host's
// enp0s3 (192.168.0.50), with the gateway router 192.168.0.1 and another
// computer (192.168.0.20) on it; google.com is 8.8.8.8, an address of the
// router's own. ipvlan_net is created with the article's words (--driver,
// --subnet twice, --opt parent=enp0s3, --opt ipvlan_mode=l3) and listed by
// `network ls`; a second ipvlan network on enp0s3 is refused. webapp
// (192.168.10.10) and database (192.168.20.10) are connected; `network
// inspect` lists both with their addresses and no MAC address. webapp
// pings database across the subnets, but not google.com: the router does
// not know the subnets. `vlanraw routes ipvlan_net` prints a static route
// per subnet via the host, and --apply adds them on the router; then both
// containers ping google.com, and the other computer pings both; the
// host's own 192.168.0.50 stays out of the containers' reach.
//
// Stand-ins: the containers are namespaces named after them, running no
// image (database's mariadb and its --env have no part in the network);
// the router's static routes are `vlanraw routes --apply`, as the
// article's router screenshot is not in the seed; the host's address on
// the LAN is the test's (the article does not give it).
func TestSeed000IPVlanNet(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	sw := w.uplink("enp0s3")
	vr(t, w.host, "addr", "add", "192.168.0.50/24", "dev", "enp0s3")
	router, _ := station(t, sw, "eth0", "lan0", lanPort, "192.168.0.1/24")
	vr(t, router, "link", "set", "lo", "up")
	vr(t, router, "addr", "add", "8.8.8.8/32", "dev", "lo")
	sysctl(t, router, "net/ipv4/ip_forward", "1")
	computer, pc := station(t, sw, "eth0", "lan0", lanPort, "192.168.0.20/24")
	hostDefault(t, computer, "lan0", "192.168.0.1")
	hostDefault(t, w.host, "enp0s3", "192.168.0.1")

	w.vr("network create --driver ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 --opt parent=enp0s3 --opt ipvlan_mode=l3 ipvlan_net")
	if r := w.lsRow("ipvlan_net"); r["DRIVER"] != "ipvlan" || r["PARENT"] != "enp0s3" || r["MODE"] != "l3 bridge" || r["SUBNETS"] != "192.168.10.0/24,192.168.20.0/24" {
		t.Errorf("network ls lists ipvlan_net as %q", r)
	}
	w.check([]failure{{exitRuntime, "network ipvlan_net is already using parent interface enp0s3",
		"network create --driver ipvlan --subnet 192.168.30.0/24 --opt parent=enp0s3 ipvlan_net2"}}, w.host)

	webapp := w.run("webapp", "ipvlan_net", "--ip", "192.168.10.10")
	database := w.run("database", "ipvlan_net", "--ip", "192.168.20.10")
	cs, _ := w.inspectNetwork("ipvlan_net")
	for _, c := range []struct{ ns, ip string }{{webapp.ns, "192.168.10.10/24"}, {database.ns, "192.168.20.10/24"}} {
		if got := cs[c.ns]; got.IPv4Address != c.ip || got.MacAddress != "" {
			t.Errorf("network inspect ipvlan_net lists %s as %+v; want %s and no MAC address", c.ns, got, c.ip)
		}
	}

	// First attempt: the database answers, google.com does not.
	reaches(t, webapp.h, webapp.ip, database.ip)
	udpReaches(t, webapp.h, database.h, database.ip)
	noReply(t, webapp.h, webapp.ip, "8.8.8.8")

	out := w.vr("routes ipvlan_net")
	contains(t, "routes ipvlan_net", out, "ip route add 192.168.10.0/24 via 192.168.0.50\n", "ip route add 192.168.20.0/24 via 192.168.0.50\n")
	w.vr("routes ipvlan_net --apply --netns " + router)
	hasRoute(t, router, "192.168.10.0/24 via 192.168.0.50 dev lan0", false)
	hasRoute(t, router, "192.168.20.0/24 via 192.168.0.50 dev lan0", false)

	// Second attempt, and from another computer of the LAN.
	reaches(t, webapp.h, webapp.ip, "8.8.8.8")
	reaches(t, database.h, database.ip, "8.8.8.8")
	reaches(t, pc, "192.168.0.20", webapp.ip)
	reaches(t, pc, "192.168.0.20", database.ip)
	udpReaches(t, pc, webapp.h, webapp.ip)
	// Even with the router routing the subnets back to the host, the
	// host's own address does not answer the containers.
	blocked(t, webapp.h, webapp.ip, "192.168.0.50", openNS(t, w.host))
}

// TestSeed000SeparateParents: "If you want to completely isolate subnets,
// you can use different parent interfaces for each subnet": webapp's
// 192.168.10.0/24 on enp0s3 and database's 192.168.20.0/24 on a second
// parent, each an l3 network of its own, and the containers no longer
// reach each other.
//
// The second parent's name (enp0s8) and the networks' names are the
// test's: the article names none.
func TestSeed000SeparateParents(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	w.uplink("enp0s3")
	w.uplink("enp0s8")
	w.vr("network create --driver ipvlan --subnet 192.168.10.0/24 --opt parent=enp0s3 --opt ipvlan_mode=l3 webapp_net")
	w.vr("network create --driver ipvlan --subnet 192.168.20.0/24 --opt parent=enp0s8 --opt ipvlan_mode=l3 database_net")
	webapp := w.run("webapp", "webapp_net", "--ip", "192.168.10.10")
	database := w.run("database", "database_net", "--ip", "192.168.20.10")
	blocked(t, webapp.h, webapp.ip, database.ip, database.h)
	blocked(t, database.h, database.ip, webapp.ip, webapp.h)
}

// TestSeed000MACs: "The MacVLAN network allocates a unique MAC address to
// every container ... With an IPvlan network, all containers on a Docker
// host share a single MAC address", and "A MacVLAN network requires you
// to enable promiscuous mode on the parent interface ..., which is not
// required with IPvlan". The same network with each driver, created
// without a mode: ipvlan is then l2 ("L2 mode is the default mode"),
// macvlan bridge, and in both the containers of the subnet reach one
// another and the LAN's router. The router's neighbour table shows what
// the LAN sees: two MAC addresses, neither the parent's, for macvlan; the
// parent's for both ipvlan containers. The parent, a veth (which has no
// unicast filter), is promiscuous once the macvlan endpoints are up, not
// with ipvlan.
//
// The LAN's numbers are those of the article's host (192.168.0.0/24); the
// network's name, lan, is the test's.
func TestSeed000MACs(t *testing.T) {
	for _, tt := range []struct {
		driver, mode string
		promisc      float64
	}{{"macvlan", "bridge", 1}, {"ipvlan", "l2 bridge", 0}} {
		t.Run(tt.driver, func(t *testing.T) {
			testenv.RequireKind(t, tt.driver)
			w := newWorld(t)
			router := w.uplink("enp0s3")
			vr(t, router, "addr", "add", "192.168.0.1/24", "dev", "eth0")
			w.vr("network create -d " + tt.driver + " --subnet 192.168.0.0/24 --gateway 192.168.0.1 -o parent=enp0s3 lan")
			w.lsMode("lan", tt.driver, "enp0s3", tt.mode)
			a, b := w.run("a", "lan"), w.run("b", "lan")
			reaches(t, a.h, a.ip, b.ip)
			udpReaches(t, b.h, a.h, a.ip)
			reaches(t, a.h, a.ip, "192.168.0.1")
			reaches(t, b.h, b.ip, "192.168.0.1")

			parent := parentMAC(t, w.host, "enp0s3")
			macA, macB := parentMAC(t, a.ns, "eth0"), parentMAC(t, b.ns, "eth0")
			var nbs []struct {
				Dst    string `json:"dst"`
				LLAddr string `json:"lladdr"`
			}
			if err := json.Unmarshal([]byte(vr(t, router, "-j", "neigh", "show", "dev", "eth0")), &nbs); err != nil {
				t.Fatal(err)
			}
			seen := map[string]string{}
			for _, n := range nbs {
				seen[n.Dst] = n.LLAddr
			}
			if seen[a.ip] != macA || seen[b.ip] != macB {
				t.Errorf("the router sees %s at %s and %s at %s; want %s and %s", a.ip, seen[a.ip], b.ip, seen[b.ip], macA, macB)
			}
			if tt.driver == "macvlan" && (macA == macB || macA == parent || macB == parent) {
				t.Errorf("macvlan MACs %s and %s, parent %s: want a MAC of its own per container", macA, macB, parent)
			}
			if tt.driver == "ipvlan" && (macA != parent || macB != parent) {
				t.Errorf("ipvlan MACs %s and %s, parent %s: want the parent's for both", macA, macB, parent)
			}
			if p := vrLinkJSON(t, w.host, "enp0s3")["promiscuity"]; p != tt.promisc {
				t.Errorf("enp0s3 promiscuity %v, want %v", p, tt.promisc)
			}
		})
	}
}

// TestSeed000L2AcrossHosts: "The containers in one IPvlan network (in L2
// mode) can communicate with the containers in another IPvlan network.
// However, this generates many ARP broadcasts". Two hosts on one LAN (a
// switch on the far side of the first host's enp0s3; the second host is a
// port of it), each with vlanraw, its own state and an ipvlan l2 network
// on the LAN's subnet: their containers ping each other, and the wire
// carries the ARP requests by which they find each other. (In l3 mode no
// endpoint sends ARP: see TestScenarioVerifyIPVlan and
// TestSeed002IPVlanL3.)
//
// The second host, the networks' names and the containers' addresses are
// the test's; the article gives none for L2.
func TestSeed000L2AcrossHosts(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	sw := w.uplink("enp0s3")
	onWire := countWire(t, sw, "eth0")
	host2, _ := station(t, sw, "eth0", "enp0s3", lanPort)
	w2 := &world{t: t, host: host2, state: t.TempDir()}
	w.vr("network create -d ipvlan --subnet 192.168.0.0/24 -o parent=enp0s3 l2net")
	w2.vr("network create -d ipvlan --subnet 192.168.0.0/24 -o parent=enp0s3 l2net")
	w.lsMode("l2net", "ipvlan", "enp0s3", "l2 bridge")
	a := w.run("c1", "l2net", "--ip", "192.168.0.101")
	b := w2.run("c2", "l2net", "--ip", "192.168.0.102")
	before := onWire.arpRequests()
	reaches(t, a.h, a.ip, b.ip)
	reaches(t, b.h, b.ip, a.ip)
	udpReaches(t, a.h, b.h, b.ip)
	if after := onWire.arpRequests(); after < before+1 {
		t.Errorf("ARP requests on the wire: %v, then %v; want the containers' own", before, after)
	}
}
