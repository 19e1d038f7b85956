package expect

import (
	"fmt"

	"github.com/vlanraw/vlanraw/bpf"
)

// Row is one expectation: after Step, the counter at At sees Want of the
// step's frames in Class (at AtSockets, of its datagrams).
type Row struct {
	Step  Step      `json:"step"`
	At    Point     `json:"at"`
	Class bpf.Class `json:"class"`
	Want  Want      `json:"want"`
	// Why names the kernel path that gives this count.
	Why string `json:"why"`
}

// String renders the row as a sentence without the numbers, such as "ARP
// request for an unknown address from the wire, ARP request at the
// endpoints".
func (r Row) String() string {
	return fmt.Sprintf("%s, %s at the %s", r.Step, r.Counted(), r.At)
}

// Counted names what the row counts, as its sentence says it: the
// class, such as "ARP request", or "datagrams" at AtSockets.
func (r Row) Counted() string {
	if r.At == AtSockets {
		return "datagrams"
	}
	return phrase(r.Class)
}

// phrase names a class as the rows' sentences do, such as "ARP request"
// for bpf.ClassARPRequest.
func phrase(c bpf.Class) string {
	switch c {
	case bpf.ClassARPRequest:
		return "ARP request"
	case bpf.ClassARPReply:
		return "ARP reply"
	case bpf.ClassBroadcast:
		return "broadcast"
	case bpf.ClassIPv4Multicast:
		return "IPv4 multicast"
	case bpf.ClassIPv6Multicast:
		return "IPv6 multicast"
	case bpf.ClassIPv6ND:
		return "IPv6 neighbour discovery"
	case bpf.ClassIPv4Unicast:
		return "IPv4 unicast"
	case bpf.ClassIPv6Unicast:
		return "IPv6 unicast"
	case bpf.ClassVLAN:
		return "VLAN-tagged"
	case bpf.ClassOther:
		return "other"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// key identifies a row within a table.
type key struct {
	step  Step
	at    Point
	class bpf.Class
}

func (r Row) key() key { return key{r.Step, r.At, r.Class} }
