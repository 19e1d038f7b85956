package expect

import "github.com/vlanraw/vlanraw/bpf"

// The ipvlan tables, for the bridge flag. The paths are those of
// drivers/net/ipvlan/ipvlan_core.c (6.1 and 6.12 alike):
//
//   - Sending, ipvlan_queue_xmit picks by mode. L2 (ipvlan_xmit_mode_l2):
//     a frame whose destination MAC is its source MAC (all links share
//     the parent's) is looked up by its L3 destination (for ARP, the
//     address asked for) and handed to that slave (ipvlan_rcv_frame,
//     dev_forward_skb); a multicast or broadcast frame is queued
//     (ipvlan_multicast_enqueue) and ipvlan_process_multicast gives a
//     copy to every other slave whose multicast filter passes it, then
//     sends it out through the parent; anything else goes out. L3 and L3S
//     (ipvlan_xmit_mode_l3) look every frame up by its L3 destination,
//     ARP included, and hand it to that slave; the rest goes to
//     ipvlan_process_outbound, which drops multicast and broadcast frames
//     and routes IP in the host namespace.
//   - Receiving, the rx handler ipvlan_handle_frame runs on the parent
//     after the parent's tc ingress. L2: multicast and broadcast frames
//     are queued for every slave and passed to the parent as well;
//     others go as in L3. L3: the frame is looked up by its L3
//     destination (ARP too) and passed to that slave (RX_HANDLER_ANOTHER,
//     so the slave's tc ingress runs); the rest stays with the parent.
//     L3S: every frame is passed to the parent (RX_HANDLER_PASS); IP to
//     an endpoint's address is moved to the endpoint later, by the
//     parent's l3mdev hook in ip_rcv (ipvlan_l3_rcv routes it in the
//     endpoint's namespace) and a netfilter LOCAL_IN hook
//     (ipvlan_nf_input sets skb->dev to the slave). The slave's receive
//     path, and so its tc ingress, never runs: only a socket sees it.
//   - L3 and L3S links are NOARP: an ARP request the driver hands them is
//     counted by their tc ingress, then dropped by arp_rcv unanswered.

// fromEndpoint and fromWire return the step of probe p from an endpoint
// and from the wire.
func fromEndpoint(p Probe) Step { return Step{From: FromEndpoint, Probe: p} }
func fromWire(p Probe) Step     { return Step{From: FromWire, Probe: p} }

// ipvlanL2 is ipvlan l2: a switch between the parent and the endpoints,
// on one MAC address.
func ipvlanL2() *Table {
	t := &Table{
		Name:      "ipvlan l2",
		Semantics: "a switch on the parent's MAC: broadcasts and multicasts reach every endpoint and the wire, unicast goes by IP address",
		Rows: []Row{
			{fromEndpoint(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAll, "a broadcast: ipvlan_process_multicast gives every other slave a copy"},
			{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPReply, expAll, "the target answers; the reply, to the shared MAC, is looked up by address and handed back (ipvlan_rcv_frame)"},
			{fromEndpoint(ProbeARPTarget), AtParentIn, bpf.ClassARPReply, expNone, "the reply goes from slave to slave, not through the parent"},
			{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPRequest, expAll, "ipvlan_process_multicast sends the original out through the parent"},
			{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expNone, "the reply stays in the host"},
			{fromEndpoint(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expAll, "a broadcast reaches every other slave"},
			{fromEndpoint(ProbeARPUnknown), AtSender, bpf.ClassARPReply, expNone, "nothing has the address"},
			{fromEndpoint(ProbeARPUnknown), AtParentOut, bpf.ClassARPRequest, expAll, "and goes out"},
			{fromEndpoint(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expAll, "a broadcast reaches every other slave, L3 header or not"},
			{fromEndpoint(ProbeBroadcast), AtSender, bpf.ClassBroadcast, expNone, "ipvlan_process_multicast skips the slave a frame came from"},
			{fromEndpoint(ProbeBroadcast), AtParentOut, bpf.ClassBroadcast, expAll, "and goes out"},
			{fromEndpoint(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expAll, "every slave joined 224.0.0.1, so its multicast filter passes it"},
			{fromEndpoint(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expAll, "and its stack delivers it"},
			{fromEndpoint(ProbeIPv4Multicast), AtParentOut, bpf.ClassIPv4Multicast, expAllOrMore, "and goes out, with the host's own IGMP"},
			{fromEndpoint(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expAll, "every slave joined ff02::1"},
			{fromEndpoint(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expAll, "and its stack delivers it"},
			{fromEndpoint(ProbeIPv6Multicast), AtParentOut, bpf.ClassIPv6Multicast, expAllOrMore, "and goes out, with the host's own MLD reports"},
			{fromEndpoint(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, "destination MAC is source MAC: looked up by IPv4 address, handed to that slave"},
			{fromEndpoint(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
			{fromEndpoint(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expNone, "slave to slave, not through the parent"},
			{fromEndpoint(ProbeUnicast), AtParentOut, bpf.ClassIPv4Unicast, expNone, "nothing goes out"},
		},
	}
	t.Rows = append(t.Rows, fromWireAtParent()...)
	t.Rows = append(t.Rows, []Row{
		{fromWire(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAll, "ipvlan_handle_mode_l2 queues broadcasts from outside for every slave"},
		{fromWire(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expAll, "the target answers, out through the parent"},
		{fromWire(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expAll, "every slave gets broadcasts from outside"},
		{fromWire(ProbeARPUnknown), AtParentOut, bpf.ClassARPReply, expNone, "nothing has the address"},
		{fromWire(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expAll, "every slave gets broadcasts from outside"},
		{fromWire(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expAll, "every slave joined 224.0.0.1"},
		{fromWire(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expAll, "and its stack delivers it"},
		{fromWire(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expAll, "every slave joined ff02::1"},
		{fromWire(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expAll, "and its stack delivers it"},
		{fromWire(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, "looked up by IPv4 address and passed to that slave (RX_HANDLER_ANOTHER)"},
		{fromWire(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
	}...)
	return t
}

// ipvlanL3FromEndpoint are the rows of probes from an endpoint in l3 and
// l3s, which send alike (ipvlan_xmit_mode_l3).
func ipvlanL3FromEndpoint() []Row {
	return []Row{
		{fromEndpoint(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAddressed, "ipvlan_xmit_mode_l3 looks ARP up by the address asked for and hands it to that slave alone; NOARP, it does not answer"},
		{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPReply, expNone, "L3 links are NOARP"},
		{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPRequest, expNone, "handed to the target, never sent out"},
		{fromEndpoint(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expNone, "no slave has the address; ipvlan_process_outbound drops broadcasts"},
		{fromEndpoint(ProbeARPUnknown), AtParentOut, bpf.ClassARPRequest, expNone, "dropped, not sent out"},
		{fromEndpoint(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expNone, "no L3 header to look up; ipvlan_process_outbound drops broadcasts"},
		{fromEndpoint(ProbeBroadcast), AtParentOut, bpf.ClassBroadcast, expNone, "dropped, not sent out"},
		{fromEndpoint(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expNone, "no slave has 224.0.0.1; ipvlan_process_outbound drops multicast"},
		{fromEndpoint(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expNone, "never delivered"},
		{fromEndpoint(ProbeIPv4Multicast), AtParentOut, bpf.ClassIPv4Multicast, expNone, "dropped, not sent out"},
		{fromEndpoint(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expNone, "no slave has ff02::1; ipvlan_process_outbound drops multicast"},
		{fromEndpoint(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expNone, "never delivered"},
		{fromEndpoint(ProbeIPv6Multicast), AtParentOut, bpf.ClassIPv6Multicast, expNone, "dropped, not sent out"},
		{fromEndpoint(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, "looked up by IPv4 address, handed to that slave (dev_forward_skb)"},
		{fromEndpoint(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
		{fromEndpoint(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expNone, "slave to slave, not through the parent"},
		{fromEndpoint(ProbeUnicast), AtParentOut, bpf.ClassIPv4Unicast, expNone, "nothing goes out"},
	}
}

// fromWireAtParent returns the AtParentIn rows of the probes from the
// wire, alike in every ipvlan and macvlan mode: the parent's tc ingress
// runs before the rx handler.
func fromWireAtParent() []Row {
	const why = "the parent's tc ingress runs before the rx handler"
	return []Row{
		{fromWire(ProbeARPTarget), AtParentIn, bpf.ClassARPRequest, expAll, why},
		{fromWire(ProbeARPUnknown), AtParentIn, bpf.ClassARPRequest, expAll, why},
		{fromWire(ProbeBroadcast), AtParentIn, bpf.ClassBroadcast, expAll, why},
		{fromWire(ProbeIPv4Multicast), AtParentIn, bpf.ClassIPv4Multicast, expAllOrMore, why},
		{fromWire(ProbeIPv6Multicast), AtParentIn, bpf.ClassIPv6Multicast, expAllOrMore, why},
		{fromWire(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expAll, why},
	}
}

// ipvlanL3 is ipvlan l3: a router between the parent and the endpoints.
func ipvlanL3() *Table {
	rows := ipvlanL3FromEndpoint()
	rows = append(rows, fromWireAtParent()...)
	rows = append(rows,
		Row{fromWire(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAddressed, "ipvlan_handle_mode_l3 looks ARP up by the address asked for and passes it to that slave; NOARP, it does not answer"},
		Row{fromWire(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expNone, "L3 links are NOARP"},
		Row{fromWire(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expNone, "no slave has the address: the parent keeps it"},
		Row{fromWire(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expNone, "no L3 header to look up: the parent keeps it"},
		Row{fromWire(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expNone, "no slave has 224.0.0.1: the parent keeps it"},
		Row{fromWire(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expNone, "never delivered"},
		Row{fromWire(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expNone, "no slave has ff02::1: the parent keeps it"},
		Row{fromWire(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expNone, "never delivered"},
		Row{fromWire(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, "looked up by IPv4 address and passed to that slave (RX_HANDLER_ANOTHER): its tc ingress runs"},
		Row{fromWire(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
	)
	return &Table{
		Name:      "ipvlan l3",
		Semantics: "a router: only IP reaches the endpoints, by destination address; no broadcast or multicast, no ARP answered",
		Rows:      rows,
	}
}

// ipvlanL3S is ipvlan l3s: l3, with what comes from the wire routed
// through the host namespace's netfilter.
func ipvlanL3S() *Table {
	rows := ipvlanL3FromEndpoint()
	rows = append(rows, fromWireAtParent()...)
	rows = append(rows,
		Row{fromWire(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expNone, "ipvlan_handle_frame passes every frame to the parent in l3s; ARP is not IP, so nothing moves it"},
		Row{fromWire(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expNone, "the endpoints never see it; the host does not have the address"},
		Row{fromWire(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expNone, "passed to the parent"},
		Row{fromWire(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expNone, "passed to the parent"},
		Row{fromWire(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expNone, "passed to the parent; ipvlan_l3_rcv finds no slave with 224.0.0.1"},
		Row{fromWire(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expNone, "never delivered"},
		Row{fromWire(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expNone, "passed to the parent; ipvlan_l3_rcv finds no slave with ff02::1"},
		Row{fromWire(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expNone, "never delivered"},
		Row{fromWire(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expNone, "never received on the slave: the parent's l3mdev hook (ipvlan_l3_rcv) routes it in the endpoint's namespace and ipvlan_nf_input (LOCAL_IN) switches skb->dev, so the slave's tc ingress does not run"},
		Row{fromWire(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "yet the endpoint's socket gets every datagram"},
	)
	return &Table{
		Name:      "ipvlan l3s",
		Semantics: "l3, with what comes from the wire delivered through the host's ip_rcv, l3mdev and netfilter instead of the endpoint link's receive path",
		Rows:      rows,
	}
}
