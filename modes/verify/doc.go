// Package verify checks that a network does what its mode promises, on
// the running kernel: it attaches frame counters (package bpf) to the
// parent link, to the far side of the parent's link when it is known, and
// to every endpoint's link, sends a set of probe frames from inside one
// endpoint and from the far side, reads the counters after each probe and
// compares them with the mode's table of expectations (expect.Table), then
// detaches everything. Run returns a Result: each row of the table with
// its expected and observed counts.
//
// # Probes
//
// Each probe is a whole Ethernet frame sent from an AF_PACKET socket, five
// times (Config.Copies): an ARP request for an endpoint's address and one
// for an address nothing has, an Ethernet broadcast of the local
// experimental ethertype 0x88b5, UDP to 224.0.0.1 and to ff02::1 (the
// groups every link joins), and UDP to each endpoint's MAC and IPv4
// address. From an endpoint, the frames go through the endpoint link's
// transmit path into the ipvlan or macvlan driver, exactly as the
// endpoint's own stack would send them. From the wire, they go out of the
// far side's transmit path and arrive on the parent as received frames,
// carrying the parent's VLAN tag when the parent is a VLAN link. Without a
// far side the probes from the wire do not run: a frame sent on the parent
// itself leaves through the parent, it does not arrive on it.
//
// # Where the counters sit, and why
//
// A counter sees what the kernel path it sits on sees, so each is placed
// on the path that carries what a row is about:
//
//   - Endpoints (expect.AtEndpoints, AtSender): tc ingress of the endpoint
//     link, inside its namespace. The drivers deliver to an endpoint link
//     by running its receive path: ipvlan's and macvlan's rx handlers
//     return RX_HANDLER_ANOTHER with skb->dev set to the link, and the
//     local and multicast paths call dev_forward_skb or netif_rx on it.
//     __netif_receive_skb_core then runs the link's tc ingress before any
//     protocol: the counter sees every frame the driver hands over, even
//     one the stack then drops: in ipvlan l3, an ARP request for an
//     endpoint's address is handed to that endpoint's NOARP link (by
//     ipvlan_xmit_mode_l3 and ipvlan_handle_mode_l3 alike), counted there
//     (5 of 5, on 6.1 and 6.12), and never answered.
//   - Sockets (AtSockets): a UDP socket per family, bound in each
//     endpoint's namespace, counting this run's datagrams. This is what
//     the endpoint's stack delivered. It is the only point that sees what
//     an ipvlan l3s endpoint gets from the wire: in l3s,
//     ipvlan_handle_frame returns RX_HANDLER_PASS for every frame; IP for
//     an endpoint is routed in the endpoint's namespace by the parent's
//     l3mdev hook (ipvlan_l3_rcv, from ip_rcv) and moved to the endpoint
//     by a netfilter LOCAL_IN hook (ipvlan_nf_input sets skb->dev), so the
//     endpoint link's receive path, and its tc ingress, never run.
//     Measured on 6.1 and 6.12: 5 datagrams to each l3s endpoint from the
//     wire arrive in its socket while its ingress counter stays at 0;
//     between two l3s endpoints, ipvlan_xmit_mode_l3 forwards with
//     dev_forward_skb and the ingress counter does see them (5).
//   - The parent, in (AtParentIn): tc ingress of the parent. It runs
//     before the rx handler, so it sees everything that arrives from the
//     wire whatever the mode, and, in macvlan bridge mode, the unicast
//     between endpoints, which macvlan_queue_xmit hands to the lower
//     device's receive path "for its network taps".
//   - The parent, out (AtParentOut): tc egress of the parent: what the
//     drivers send out (dev_queue_xmit on the parent). On a VLAN parent
//     this is the VLAN link, where frames are still untagged.
//   - The wire (AtWire): tc ingress of the far side, in its namespace:
//     what arrived on the wire. On a VLAN parent the frames carry the
//     tag (in the frame, or beside it with VLAN offload), so this counter
//     tells the tag, and the classes are read at AtParentOut.
//
// # Counting exactly
//
// Counts are read as differences around each step, per class, so the
// frames of other classes that new links send on their own (router and
// neighbour solicitations) do not matter. Before the first step, Run
// waits until the counted classes stay still (Config.Quiet, longer than
// the interval within which MLDv2 and IGMPv3 repeat a report), so that
// ARP announcements and MLD reports of links just made are over. Rows where
// the kernel may still add frames of the class at that point (IGMP and MLD
// reports of the host, at the parent) expect at least the probe's count.
// After sending, a step waits until every row that expects frames has
// them, then until the counts stay still for Config.Settle: a count that
// must stay 0 can only be shown by waiting, and the frames that would
// make it wrong travel the same paths as those that arrived. A step ends
// at Config.StepTimeout at the latest, and its rows are judged as they
// stand.
//
// Exact counts assume a quiet wire: on a live segment, the broadcasts and
// multicasts of other hosts add to the classes the probes use, and the
// rows that expect an exact count name them as mismatches.
//
// A frame the sender's driver drops on the spot (ipvlan l3 drops
// multicast and broadcast in ipvlan_process_outbound) fails its send with
// ENOBUFS; the Result counts those per step (StepResult.Refused).
//
// # Conditions
//
// The rows depend on the mode, and on the wire: with a far side, each
// AtParentOut row has an AtWire twin; on a VLAN parent that twin counts
// tagged frames; with Config.Reflecting (the far side is a switch port in
// hairpin mode) the table's Reflected rows apply. See expect.Conditions.
package verify
