// Seed 003 (/work/shared/seeds/003_854876a2b13135de.txt, Red Hat's
// "Getting started with IPVLAN"): every example, by the seed's line, and
// the test that acts it out. New tests are in this file; the others were
// there before.
//
//   L1-5     header                                    nothing
//   L7       one MAC on the wire whatever the number   TestSeed003Procedure (the NIC's MAC), TestSeed000MACs
//            of IPVLAN devices
//   L13-15   L2: devices receive and answer ARP        TestSeed003Procedure (the remote host's neighbour entry),
//                                                      TestScenarioVerifyIPVlan/l2 (ARP at the endpoints)
//            netfilter only in the container           not acted out (no netfilter tooling in the harness)
//   L17-19   L3: no ARP answers, the peers' neighbour  TestScenarioIPVlanL3PeerOnSubnet (l3, and its IPv6 twin),
//            entries by hand                           TestScenarioVerifyIPVlan/l3 (no ARP at the endpoints)
//            egress through the host's netfilter       not acted out
//   L21-23   L3S: as L3, ingress through the host too  TestScenarioIPVlanL3PeerOnSubnet/l3s, TestScenarioVerifyIPVlan/l3s
//                                                      (wire-to-endpoint unicast passes the host's L3 path: the
//                                                      endpoints' tc ingress sees none, their sockets all);
//                                                      netfilter: not acted out
//   L25-27   no broadcast nor multicast in L3 and L3S  TestScenarioVerifyIPVlan/l3 and /l3s, TestSeed002IPVlanL3
//   L29-41   MACVLAN and IPVLAN compared: MAC per      TestSeed000MACs; the netfilter rows: not acted out
//            device or one MAC; netfilter control
//   L43      no encapsulation                          nothing of vlanraw's (the trunk tests' wire sees plain 802.1Q)
//   L45-61   step 1, Example 19.1: ip link add ...     TestSeed003Procedure (vlanraw link add, then vlanraw link
//            my_ipvlan type ipvlan mode l2; ip link    prints the example's line and MAC)
//   L62-64   step 2: ip addr add dev DEV IP/PREFIX     TestSeed003Procedure (vlanraw addr add dev ...)
//   L65-81   step 3, L3/L3S: ip neigh add on the       TestScenarioIPVlanL3PeerOnSubnet (l3, l3s) and ...IPv6:
//            remote peer, ip route add PEER/32 dev     vlanraw routes --apply prints and adds exactly these (vlanraw
//            NIC on the host                           has no neigh add nor route add of its own)
//   L83-85   step 4: ip link set dev DEV up            TestSeed003Procedure
//   L86-90   step 5: ping from the remote host         TestSeed003Procedure (L2), TestScenarioIPVlanL3PeerOnSubnet (L3)

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestSeed003Procedure is "Creating and configuring the IPVLAN device
// using iproute2" in L2 mode, with vlanraw's words for ip's: `vlanraw
// link add link enp0s31f6 name my_ipvlan type ipvlan mode l2`, then
// `vlanraw link` prints the new link as Example 19.1 does (down, noop,
// BROADCAST,MULTICAST, and the NIC's MAC e8:6a:6e:8a:a2:44: an IPVLAN
// device shows the single MAC of its NIC); `vlanraw addr add dev
// my_ipvlan IP/PREFIX`, `vlanraw link set dev my_ipvlan up`, and the
// remote host pings the address. In L2 mode the device answers ARP: the
// remote host's neighbour entry for the address is the NIC's MAC.
//
// enp0s31f6 is a veth given the example's MAC, whose peer is the remote
// host; the addresses (192.0.2.10/24 for the device, 192.0.2.1 for the
// remote host) are the test's, the procedure has placeholders.
func TestSeed003Procedure(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	host, remote := newNetNS(t), newNetNS(t)
	vr(t, host, "link", "add", "enp0s31f6", "address", "e8:6a:6e:8a:a2:44", "up", "type", "veth", "peer", "name", "eth0", "netns", remote, "up")
	vr(t, remote, "addr", "add", "192.0.2.1/24", "dev", "eth0")

	vrLine(t, host, "link add link enp0s31f6 name my_ipvlan type ipvlan mode l2")
	out := vrLine(t, host, "link")
	want := "my_ipvlan@enp0s31f6: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
		"    link/ether e8:6a:6e:8a:a2:44 brd ff:ff:ff:ff:ff:ff"
	if !strings.Contains(out, want) {
		t.Errorf("vlanraw link printed\n%s\nwithout\n%s", out, want)
	}
	vrLine(t, host, "addr add dev my_ipvlan 192.0.2.10/24")
	vrLine(t, host, "link set dev my_ipvlan up")
	reaches(t, openNS(t, remote), "192.0.2.1", "192.0.2.10")

	var nbs []struct {
		Dst    string `json:"dst"`
		LLAddr string `json:"lladdr"`
	}
	if err := json.Unmarshal([]byte(vr(t, remote, "-j", "neigh", "show", "dev", "eth0")), &nbs); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range nbs {
		found = found || n.Dst == "192.0.2.10" && n.LLAddr == "e8:6a:6e:8a:a2:44"
	}
	if !found {
		t.Errorf("the remote host's neighbours %+v: want 192.0.2.10 at e8:6a:6e:8a:a2:44", nbs)
	}
}
