package expect

import "github.com/vlanraw/vlanraw/bpf"

// The macvlan tables. The paths are those of drivers/net/macvlan.c (6.1
// and 6.12 alike):
//
//   - Sending, macvlan_queue_xmit: a bridge-mode link hands multicast and
//     broadcast frames to every other bridge-mode link (macvlan_broadcast:
//     a clone each, through __dev_forward_skb and netif_rx, so their tc
//     ingress runs), then sends them out; unicast to another bridge-mode
//     link's MAC goes to the lower device's receive path (dev_forward_skb
//     "for its network taps"), whose rx handler passes it on. Private,
//     VEPA and passthru links send everything out (xmit_world).
//   - Receiving, macvlan_handle_frame, after the lower device's tc
//     ingress: unicast goes to the link with the destination MAC (in
//     passthru, to the one link); multicast and broadcast from outside
//     go to every link whose multicast filter passes them
//     (macvlan_broadcast_enqueue, then the work queue, or inline for a
//     group with one listener from 6.4 on). A multicast frame whose
//     source MAC is a private link's comes back to that link only; one
//     from a VEPA link goes to every VEPA and bridge link but the source.
//     That is what a switch port in hairpin mode sends back: see
//     Table.Reflected.

// macvlanFromWire are the rows of the probes from the wire, alike in
// every mode: from outside, a frame has no source link to keep it from
// any.
func macvlanFromWire() []Row {
	return append(fromWireAtParent(),
		Row{fromWire(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAll, "broadcasts from outside go to every link, whatever its mode"},
		Row{fromWire(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expAll, "the target answers, out through the parent"},
		Row{fromWire(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expAll, "broadcasts from outside go to every link"},
		Row{fromWire(ProbeARPUnknown), AtParentOut, bpf.ClassARPReply, expNone, "nothing has the address"},
		Row{fromWire(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expAll, "broadcasts from outside go to every link"},
		Row{fromWire(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expAll, "every link joined 224.0.0.1, so its multicast filter passes it"},
		Row{fromWire(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expAll, "and its stack delivers it"},
		Row{fromWire(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expAll, "every link joined ff02::1"},
		Row{fromWire(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expAll, "and its stack delivers it"},
		Row{fromWire(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, "macvlan_handle_frame passes it to the link with the destination MAC (RX_HANDLER_ANOTHER)"},
		Row{fromWire(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
	)
}

// macvlanBridge is macvlan bridge: a switch between the links, and the
// wire.
func macvlanBridge() *Table {
	rows := []Row{
		{fromEndpoint(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAll, "macvlan_queue_xmit hands broadcasts to every other bridge link"},
		{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPRequest, expNone, "macvlan_broadcast skips the source"},
		{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPReply, expAll, "the target answers, link to link"},
		{fromEndpoint(ProbeARPTarget), AtParentIn, bpf.ClassARPReply, expAll, "unicast between bridge links goes through the parent's receive path (dev_forward_skb to the lower device)"},
		{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPRequest, expAll, "then sends them out"},
		{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expNone, "the reply stays in the host"},
		{fromEndpoint(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expAll, "broadcasts go to every other bridge link"},
		{fromEndpoint(ProbeARPUnknown), AtSender, bpf.ClassARPReply, expNone, "nothing has the address"},
		{fromEndpoint(ProbeARPUnknown), AtParentOut, bpf.ClassARPRequest, expAll, "and out"},
		{fromEndpoint(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expAll, "broadcasts go to every other bridge link"},
		{fromEndpoint(ProbeBroadcast), AtSender, bpf.ClassBroadcast, expNone, "macvlan_broadcast skips the source"},
		{fromEndpoint(ProbeBroadcast), AtParentOut, bpf.ClassBroadcast, expAll, "and out"},
		{fromEndpoint(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expAll, "every link joined 224.0.0.1"},
		{fromEndpoint(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expAll, "and its stack delivers it"},
		{fromEndpoint(ProbeIPv4Multicast), AtParentOut, bpf.ClassIPv4Multicast, expAllOrMore, "and out, with the host's own IGMP"},
		{fromEndpoint(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expAll, "every link joined ff02::1"},
		{fromEndpoint(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expAll, "and its stack delivers it"},
		{fromEndpoint(ProbeIPv6Multicast), AtParentOut, bpf.ClassIPv6Multicast, expAllOrMore, "and out, with the host's own MLD reports"},
		{fromEndpoint(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, "to a bridge link's MAC: through the lower device's rx handler to that link"},
		{fromEndpoint(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
		{fromEndpoint(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expAll, "so the parent's tc ingress sees every one"},
		{fromEndpoint(ProbeUnicast), AtParentOut, bpf.ClassIPv4Unicast, expNone, "nothing goes out"},
	}
	return &Table{
		Name:      "macvlan bridge",
		Semantics: "a switch: the links reach each other directly, and the wire",
		Rows:      append(rows, macvlanFromWire()...),
	}
}

// macvlanOutOnly are the rows of the probes from an endpoint in the
// modes that send everything out (private, vepa), on a wire that does not
// send frames back.
func macvlanOutOnly(mode string) []Row {
	out := mode + ": macvlan_queue_xmit sends everything out"
	return []Row{
		{fromEndpoint(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expNone, out},
		{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPRequest, expNone, "nothing comes back"},
		{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPReply, expNone, "the target never sees the request"},
		{fromEndpoint(ProbeARPTarget), AtParentIn, bpf.ClassARPReply, expNone, "no reply"},
		{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPRequest, expAll, out},
		{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expNone, "no reply"},
		{fromEndpoint(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expNone, out},
		{fromEndpoint(ProbeARPUnknown), AtParentOut, bpf.ClassARPRequest, expAll, out},
		{fromEndpoint(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expNone, out},
		{fromEndpoint(ProbeBroadcast), AtSender, bpf.ClassBroadcast, expNone, "nothing comes back"},
		{fromEndpoint(ProbeBroadcast), AtParentOut, bpf.ClassBroadcast, expAll, out},
		{fromEndpoint(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expNone, out},
		{fromEndpoint(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expNone, "never delivered"},
		{fromEndpoint(ProbeIPv4Multicast), AtParentOut, bpf.ClassIPv4Multicast, expAllOrMore, out + ", with the host's own IGMP"},
		{fromEndpoint(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expNone, out},
		{fromEndpoint(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expNone, "never delivered"},
		{fromEndpoint(ProbeIPv6Multicast), AtParentOut, bpf.ClassIPv6Multicast, expAllOrMore, out + ", with the host's own MLD reports"},
		{fromEndpoint(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expNone, out + ", even to another link's MAC"},
		{fromEndpoint(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expNone, "never delivered"},
		{fromEndpoint(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expNone, "not through the parent's receive path"},
		{fromEndpoint(ProbeUnicast), AtParentOut, bpf.ClassIPv4Unicast, expAll, out},
	}
}

// macvlanPrivate is macvlan private: the links reach only the wire.
func macvlanPrivate() *Table {
	const back = "the wire sends it back: "
	return &Table{
		Name:      "macvlan private",
		Semantics: "the links reach the wire and never each other's broadcasts, even through a hairpin switch",
		Rows:      append(macvlanOutOnly("private"), macvlanFromWire()...),
		Reflected: []Row{
			{fromEndpoint(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expNone, back + "a multicast frame from a private link's MAC goes to that link only"},
			{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPRequest, expAll, back + "to the source link only"},
			{fromEndpoint(ProbeARPTarget), AtParentIn, bpf.ClassARPRequest, expAll, back + "through the parent's tc ingress"},
			{fromEndpoint(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expNone, back + "to the source link only"},
			{fromEndpoint(ProbeBroadcast), AtSender, bpf.ClassBroadcast, expAll, back + "to the source link only"},
			{fromEndpoint(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, back + "unicast goes by destination MAC, private or not"},
			{fromEndpoint(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, back + "and is delivered"},
			{fromEndpoint(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expAll, back + "through the parent's tc ingress"},
		},
	}
}

// macvlanVEPA is macvlan vepa: everything goes out; a switch in hairpin
// mode brings what is for other links back.
func macvlanVEPA() *Table {
	const back = "the wire sends it back: "
	return &Table{
		Name:      "macvlan vepa",
		Semantics: "everything goes out to the wire; the links reach each other only through a switch port in hairpin mode, without which vepa is private",
		Rows:      append(macvlanOutOnly("vepa"), macvlanFromWire()...),
		Reflected: []Row{
			{fromEndpoint(ProbeARPTarget), AtEndpoints, bpf.ClassARPRequest, expAll, back + "from a VEPA link, to every VEPA and bridge link but the source"},
			{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPRequest, expNone, back + "never to the source"},
			{fromEndpoint(ProbeARPTarget), AtSender, bpf.ClassARPReply, expAll, "the target answers, out and back"},
			{fromEndpoint(ProbeARPTarget), AtParentIn, bpf.ClassARPRequest, expAll, back + "through the parent's tc ingress"},
			{fromEndpoint(ProbeARPTarget), AtParentIn, bpf.ClassARPReply, expAll, "the reply comes back through the parent"},
			{fromEndpoint(ProbeARPTarget), AtParentOut, bpf.ClassARPReply, expAll, "the reply goes out"},
			{fromEndpoint(ProbeARPUnknown), AtEndpoints, bpf.ClassARPRequest, expAll, back + "to every other link"},
			{fromEndpoint(ProbeBroadcast), AtEndpoints, bpf.ClassBroadcast, expAll, back + "to every other link"},
			{fromEndpoint(ProbeIPv4Multicast), AtEndpoints, bpf.ClassIPv4Multicast, expAll, back + "to every other link"},
			{fromEndpoint(ProbeIPv4Multicast), AtSockets, bpf.ClassIPv4Multicast, expAll, "and delivered"},
			{fromEndpoint(ProbeIPv6Multicast), AtEndpoints, bpf.ClassIPv6Multicast, expAll, back + "to every other link"},
			{fromEndpoint(ProbeIPv6Multicast), AtSockets, bpf.ClassIPv6Multicast, expAll, "and delivered"},
			{fromEndpoint(ProbeUnicast), AtEndpoints, bpf.ClassIPv4Unicast, expAddressed, back + "to the link with the destination MAC"},
			{fromEndpoint(ProbeUnicast), AtSockets, bpf.ClassIPv4Unicast, expAddressed, "and delivered"},
			{fromEndpoint(ProbeUnicast), AtParentIn, bpf.ClassIPv4Unicast, expAll, back + "through the parent's tc ingress"},
		},
	}
}

// macvlanPassthru is macvlan passthru: one link that takes the parent's
// place. Probes that need a second endpoint do not run.
func macvlanPassthru() *Table {
	const out = "passthru: macvlan_queue_xmit sends everything out"
	rows := []Row{
		{fromEndpoint(ProbeARPUnknown), AtSender, bpf.ClassARPReply, expNone, "nothing has the address"},
		{fromEndpoint(ProbeARPUnknown), AtParentOut, bpf.ClassARPRequest, expAll, out},
		{fromEndpoint(ProbeBroadcast), AtSender, bpf.ClassBroadcast, expNone, "nothing comes back"},
		{fromEndpoint(ProbeBroadcast), AtParentOut, bpf.ClassBroadcast, expAll, out},
		{fromEndpoint(ProbeIPv4Multicast), AtParentOut, bpf.ClassIPv4Multicast, expAllOrMore, out + ", with the host's own IGMP"},
		{fromEndpoint(ProbeIPv6Multicast), AtParentOut, bpf.ClassIPv6Multicast, expAllOrMore, out + ", with the host's own MLD reports"},
	}
	return &Table{
		Name:      "macvlan passthru",
		Semantics: "one link in the parent's place, with its MAC: it gets all the parent gets",
		Rows:      append(rows, macvlanFromWire()...),
	}
}
