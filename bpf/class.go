package bpf

import "fmt"

// Class is the kind of frame the classifier counts a frame as. Every
// frame counts in exactly one class, tested in this order: VLAN-tagged,
// ARP, broadcast, then by its network protocol.
type Class int

// The classes, in the classifier's numbering (bpf/counter.c).
const (
	// ClassARPRequest is an ARP frame with opcode 1.
	ClassARPRequest Class = iota
	// ClassARPReply is an ARP frame with opcode 2.
	ClassARPReply
	// ClassBroadcast is a frame to ff:ff:ff:ff:ff:ff that is not ARP, or
	// an IPv4 packet to 255.255.255.255.
	ClassBroadcast
	// ClassIPv4Multicast is an IPv4 packet to 224.0.0.0/4.
	ClassIPv4Multicast
	// ClassIPv6Multicast is an IPv6 packet to ff00::/8 that is not
	// neighbour discovery (MLD reports count here).
	ClassIPv6Multicast
	// ClassIPv6ND is ICMPv6 router and neighbour discovery: router
	// solicitation and advertisement, neighbour solicitation and
	// advertisement (types 133 to 136), right after the IPv6 header.
	ClassIPv6ND
	// ClassIPv4Unicast is any other IPv4 packet.
	ClassIPv4Unicast
	// ClassIPv6Unicast is any other IPv6 packet.
	ClassIPv6Unicast
	// ClassVLAN is an 802.1Q or 802.1ad tagged frame, whether the tag is
	// in the frame or the kernel carries it beside the frame (VLAN
	// offload); its VLAN id is counted too.
	ClassVLAN
	// ClassOther is everything else: other ethertypes, ARP with other
	// opcodes, frames too short for their headers.
	ClassOther
)

// NumClasses is the number of classes.
const NumClasses = int(ClassOther) + 1

var classNames = [NumClasses]string{
	"arp-request", "arp-reply", "broadcast", "ipv4-multicast", "ipv6-multicast",
	"ipv6-nd", "ipv4-unicast", "ipv6-unicast", "vlan", "other",
}

// Classes returns every class, in order.
func Classes() []Class {
	cs := make([]Class, NumClasses)
	for i := range cs {
		cs[i] = Class(i)
	}
	return cs
}

// String returns the class's name, such as "arp-request".
func (c Class) String() string {
	if c < 0 || int(c) >= NumClasses {
		return fmt.Sprintf("Class(%d)", int(c))
	}
	return classNames[c]
}

// ParseClass returns the class called name, as String spells it.
func ParseClass(name string) (Class, error) {
	for i, n := range classNames {
		if n == name {
			return Class(i), nil
		}
	}
	return 0, fmt.Errorf("unknown frame class %q", name)
}

// MarshalText implements encoding.TextMarshaler, so that classes are
// names in JSON.
func (c Class) MarshalText() ([]byte, error) {
	if c < 0 || int(c) >= NumClasses {
		return nil, fmt.Errorf("invalid frame class %d", int(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Class) UnmarshalText(b []byte) error {
	v, err := ParseClass(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
