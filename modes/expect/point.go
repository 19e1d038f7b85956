package expect

import "fmt"

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
