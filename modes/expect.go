package modes

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// This file holds the vocabulary of the expectations: what `vlanraw
// verify` sends (Step), where it counts (Point), what it counts (Class)
// and how many it expects (Expect), and the Table that holds one mode's
// rows. The rows themselves live next to each driver: expect_ipvlan.go,
// expect_macvlan.go; expect_vlan.go says what a VLAN parent changes.

// ErrNoExpectations is matched by the error of Expectations for a mode
// that has no table yet.
var ErrNoExpectations = errors.New("no expectations for this mode")

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

// Point is where frames are counted.
type Point int

// The observation points. Each is a counter on a kernel path, chosen for
// what that path sees: see package modes/verify for why each sits where
// it does.
const (
	// AtEndpoints is the tc ingress hook of each endpoint's link, inside
	// its namespace: every endpoint but the sender for probes from an
	// endpoint, every endpoint for probes from the wire. It sees what
	// the driver hands to the link's receive path.
	AtEndpoints Point = iota
	// AtSockets are UDP sockets bound in the same endpoints: they count
	// the probe's datagrams that the endpoint's stack delivered. In
	// ipvlan l3s this is the only point that sees what the endpoints
	// get from the wire.
	AtSockets
	// AtSender is the tc ingress hook of the sender's link: what comes
	// back to it.
	AtSender
	// AtParentIn is the tc ingress hook of the parent link in the host
	// namespace: what the parent's receive path sees, before the
	// ipvlan or macvlan rx handler.
	AtParentIn
	// AtParentOut is the tc egress hook of the parent link: what leaves
	// through it towards the wire.
	AtParentOut
	// AtWire is the tc ingress hook of the far side: what arrived on the
	// wire. Its rows are not written in the tables: each AtParentOut
	// row has a twin here (see Table.Rows).
	AtWire
	numPoints
)

// String names the point, such as "endpoints".
func (p Point) String() string {
	switch p {
	case AtEndpoints:
		return "endpoints"
	case AtSockets:
		return "endpoint sockets"
	case AtSender:
		return "sender"
	case AtParentIn:
		return "parent in"
	case AtParentOut:
		return "parent out"
	case AtWire:
		return "wire"
	}
	return fmt.Sprintf("Point(%d)", int(p))
}

// PerEndpoint reports whether the point has one count per endpoint
// (AtEndpoints, AtSockets) rather than one in all.
func (p Point) PerEndpoint() bool { return p == AtEndpoints || p == AtSockets }

// Class is the kind of frame a row counts.
type Class int

// The classes. All but Datagrams and Tagged are classes of the counters'
// classifier (package bpf) under other names.
const (
	ClassARPRequest Class = iota
	ClassARPReply
	// ClassBroadcast is an Ethernet broadcast that is not ARP.
	ClassBroadcast
	ClassIPv4Multicast
	ClassIPv6Multicast
	ClassIPv4Unicast
	// ClassDatagrams are the probe's UDP datagrams read from sockets:
	// the class of every AtSockets row.
	ClassDatagrams
	// ClassTagged are frames carrying the parent's VLAN tag, whatever
	// they hold: the class of AtWire rows on a VLAN parent.
	ClassTagged
	numClasses
)

// String names the class, such as "ARP request".
func (c Class) String() string {
	switch c {
	case ClassARPRequest:
		return "ARP request"
	case ClassARPReply:
		return "ARP reply"
	case ClassBroadcast:
		return "broadcast"
	case ClassIPv4Multicast:
		return "IPv4 multicast"
	case ClassIPv6Multicast:
		return "IPv6 multicast"
	case ClassIPv4Unicast:
		return "IPv4 unicast"
	case ClassDatagrams:
		return "datagrams"
	case ClassTagged:
		return "VLAN-tagged"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Share says which of a step's frames a row expects to be counted.
type Share int

// The shares.
const (
	// ShareNone expects none.
	ShareNone Share = iota
	// ShareAddressed expects, at each endpoint, the frames addressed to
	// it: those an ARP request asks its address for, or unicast to it.
	// Only for AtEndpoints and AtSockets.
	ShareAddressed
	// ShareAll expects every frame of the step (at a per-endpoint point,
	// at each endpoint). For replies, one per request.
	ShareAll
)

// String returns "none", "addressed" or "all".
func (s Share) String() string {
	switch s {
	case ShareNone:
		return "none"
	case ShareAddressed:
		return "addressed"
	case ShareAll:
		return "all"
	}
	return fmt.Sprintf("Share(%d)", int(s))
}

// Expect is what a row expects.
type Expect struct {
	Share Share `json:"share"`
	// AtLeast allows more: the kernel sends frames of that class through
	// that point on its own (IGMP and MLD reports, neighbour discovery),
	// so only a lower bound is exact. ShareNone rows never set it.
	AtLeast bool `json:"at_least,omitempty"`
}

// The expectations the tables use.
var (
	expNone      = Expect{Share: ShareNone}
	expAddressed = Expect{Share: ShareAddressed}
	expAll       = Expect{Share: ShareAll}
	expAllOrMore = Expect{Share: ShareAll, AtLeast: true}
)

// Count returns the expected count given the frames the step sent in
// all and, for a per-endpoint point, those addressed to the endpoint.
func (e Expect) Count(sent, addressedTo int) int {
	switch e.Share {
	case ShareAddressed:
		return addressedTo
	case ShareAll:
		return sent
	}
	return 0
}

// Match reports whether observed is what e expects, want being Count's
// result.
func (e Expect) Match(want, observed int) bool {
	if e.AtLeast {
		return observed >= want
	}
	return observed == want
}

// Row is one expectation: after Step, the counter at At sees Want of the
// step's frames in Class.
type Row struct {
	Step  Step   `json:"step"`
	At    Point  `json:"at"`
	Class Class  `json:"class"`
	Want  Expect `json:"want"`
	// Why names the kernel path that gives this count.
	Why string `json:"why"`
}

// String renders the row as a sentence without the numbers, such as "ARP
// request for an unknown address from the wire, ARP request at the
// endpoints".
func (r Row) String() string {
	return fmt.Sprintf("%s, %s at the %s", r.Step, r.Class, r.At)
}

// key identifies a row within a table.
type key struct {
	step  Step
	at    Point
	class Class
}

func (r Row) key() key { return key{r.Step, r.At, r.Class} }

// Table holds what one mode promises, as rows.
type Table struct {
	// Name is the driver and mode, such as "ipvlan l3" or "macvlan vepa".
	Name string
	// Semantics says in a sentence what the mode does.
	Semantics string
	// Rows hold for a wire that does not send frames back out the port
	// they came in on (a veth peer, a plain switch port).
	Rows []Row
	// Reflected replace the rows with the same step, point and class
	// when the wire reflects frames (a switch port in hairpin mode, as
	// VEPA needs).
	Reflected []Row
}

// Conditions are what the rows depend on beyond the mode.
type Conditions struct {
	// Wire is set when the far side is observed: AtWire rows are added.
	Wire bool
	// Reflecting is set when the wire sends frames back out the port
	// they came in on.
	Reflecting bool
	// VLAN is the parent's VLAN id when the parent is a VLAN link, else 0.
	VLAN uint16
}

// RowsFor returns the table's rows under c: Reflected in place of
// their twins when the wire reflects, then, with a wire, an AtWire row
// for each AtParentOut row (what leaves the parent arrives at the far
// side), which on a VLAN parent counts tagged frames (see OnVLAN).
func (t *Table) RowsFor(c Conditions) []Row {
	rows := make([]Row, 0, 2*len(t.Rows))
	var override map[key]Row
	if c.Reflecting {
		override = make(map[key]Row, len(t.Reflected))
		for _, r := range t.Reflected {
			override[r.key()] = r
		}
	}
	for _, r := range t.Rows {
		if o, ok := override[r.key()]; ok {
			r = o
			delete(override, r.key())
		}
		rows = append(rows, r)
	}
	// Reflected rows with no twin among Rows come after, in their order.
	for _, r := range t.Reflected {
		if _, ok := override[r.key()]; ok {
			rows = append(rows, r)
		}
	}
	// In the order of Steps, each step's rows as the table has them.
	slices.SortStableFunc(rows, func(a, b Row) int { return cmp.Compare(a.Step.index(), b.Step.index()) })
	if !c.Wire {
		return rows
	}
	out := make([]Row, 0, 2*len(rows))
	for _, r := range rows {
		out = append(out, r)
		if r.At != AtParentOut {
			continue
		}
		if w, ok := wireTwin(r, c.VLAN); ok {
			out = append(out, w)
		}
	}
	return out
}

// wireTwin returns the AtWire row of an AtParentOut row: on a plain
// parent the same count of the same class; on a VLAN parent see
// OnVLAN.
func wireTwin(r Row, vlan uint16) (Row, bool) {
	w := r
	w.At = AtWire
	w.Why = "what leaves the parent arrives at the far side"
	if vlan != 0 {
		return OnVLAN(w, vlan)
	}
	return w, true
}

// Expectations returns the table of n's driver and mode.
func Expectations(n *Network) (*Table, error) {
	if n.Driver == IPVlan && n.IPVlanFlag != "" && n.IPVlanFlag != FlagBridge {
		return nil, fmt.Errorf("ipvlan %s %s: only the bridge flag has a table: %w", n.IPVlanMode, n.IPVlanFlag, ErrNoExpectations)
	}
	mode := n.MACVlanMode
	if n.Driver == IPVlan {
		mode = n.IPVlanMode
	}
	return ExpectationsFor(n.Driver, mode)
}

// ExpectationsFor returns the table of a driver and mode (for ipvlan
// with the bridge flag), such as IPVlan and ModeL3.
func ExpectationsFor(d Driver, mode string) (*Table, error) {
	for _, t := range ExpectationTables() {
		if t.Name == string(d)+" "+mode {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s %s: %w", d, mode, ErrNoExpectations)
}

// ExpectationTables returns every table: adding a mode means adding its
// table here.
func ExpectationTables() []*Table {
	return []*Table{
		ipvlanL2(), ipvlanL3(), ipvlanL3S(),
		macvlanBridge(), macvlanPrivate(), macvlanVEPA(), macvlanPassthru(),
	}
}
