package expect

import "fmt"

// Origin is where a probe is sent from.
type Origin int

// The origins.
const (
	// FromEndpoint probes are sent on the link of one endpoint, the
	// sender, from inside its namespace.
	FromEndpoint Origin = iota
	// FromWire probes are sent from the far side of the parent's link
	// (a veth peer, a switch port), so that they reach the parent as
	// received frames.
	FromWire
)

// String returns "endpoint" or "wire".
func (o Origin) String() string {
	switch o {
	case FromEndpoint:
		return "endpoint"
	case FromWire:
		return "wire"
	}
	return fmt.Sprintf("Origin(%d)", int(o))
}

// Probe is a kind of probe frame.
type Probe int

// The probes. Each step sends every frame several times (the same number
// for each), so that the counts are exact.
const (
	// ProbeARPTarget is an ARP request, an Ethernet broadcast, asking
	// for the IPv4 address of one endpoint, the target: from an
	// endpoint, the next endpoint after the sender; from the wire, the
	// first endpoint.
	ProbeARPTarget Probe = iota
	// ProbeARPUnknown is an ARP request for an address in the network's
	// subnet that nothing has.
	ProbeARPUnknown
	// ProbeBroadcast is an Ethernet broadcast of the local
	// experimental ethertype 0x88b5: no protocol of the kernel takes it,
	// and it has no L3 header for ipvlan to look up.
	ProbeBroadcast
	// ProbeIPv4Multicast is a UDP datagram to 224.0.0.1, the all-hosts
	// group, which every link with IPv4 joins.
	ProbeIPv4Multicast
	// ProbeIPv6Multicast is a UDP datagram to ff02::1, the all-nodes
	// group, which every link with IPv6 joins.
	ProbeIPv6Multicast
	// ProbeUnicast is a UDP datagram to each endpoint (from an
	// endpoint: to each other endpoint), to the MAC address the kernel
	// reports for it (for ipvlan, the parent's) and its IPv4 address.
	ProbeUnicast
	numProbes
)

// Probes returns every probe, in the order verify sends them.
func Probes() []Probe {
	ps := make([]Probe, numProbes)
	for i := range ps {
		ps[i] = Probe(i)
	}
	return ps
}

// String describes the probe, such as "ARP request for an endpoint's
// address".
func (p Probe) String() string {
	switch p {
	case ProbeARPTarget:
		return "ARP request for an endpoint's address"
	case ProbeARPUnknown:
		return "ARP request for an unknown address"
	case ProbeBroadcast:
		return "L2 broadcast (ethertype 0x88b5)"
	case ProbeIPv4Multicast:
		return "IPv4 multicast (UDP to 224.0.0.1)"
	case ProbeIPv6Multicast:
		return "IPv6 multicast (UDP to ff02::1)"
	case ProbeUnicast:
		return "IPv4 unicast (UDP to each endpoint)"
	}
	return fmt.Sprintf("Probe(%d)", int(p))
}

// Step is one probe sent from one origin.
type Step struct {
	From  Origin `json:"from"`
	Probe Probe  `json:"probe"`
}

// Steps returns every step, in the order verify runs them: the probes
// from an endpoint, then those from the wire.
func Steps() []Step {
	var ss []Step
	for _, o := range []Origin{FromEndpoint, FromWire} {
		for _, p := range Probes() {
			ss = append(ss, Step{From: o, Probe: p})
		}
	}
	return ss
}

// index is the step's place in Steps.
func (s Step) index() int { return int(s.From)*int(numProbes) + int(s.Probe) }

// String returns the step as "PROBE from the ORIGIN".
func (s Step) String() string {
	if s.From == FromEndpoint {
		return s.Probe.String() + " from an endpoint"
	}
	return s.Probe.String() + " from the wire"
}
