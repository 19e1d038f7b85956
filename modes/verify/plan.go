package verify

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// This file decides what each step sends: the frames, who they are
// addressed to, and which endpoints are observed.

// endpoint is one endpoint of the network under test.
type endpoint struct {
	// name is the namespace as recorded, for the tables.
	name   string
	ifname string
	mac    net.HardwareAddr
	ip     netip.Addr
	// ipv6 is whether the link has IPv6 (so joined ff02::1).
	ipv6 bool
}

// world is what the plan needs to know of the network.
type world struct {
	endpoints []endpoint
	// wire is the far side's MAC, nil when there is no far side.
	wireMAC net.HardwareAddr
	// wireIP is the far side's source address, unknown an address
	// nothing has: both free addresses of the network's subnet.
	wireIP, unknown netip.Addr
	// vlan is the parent's VLAN id, 0 for a plain parent: frames from
	// the wire carry the tag.
	vlan uint16
	// port4 and port6 are the UDP ports the endpoints' sockets listen on.
	port4, port6 uint16
	// token tells this run's datagrams from any other's.
	token uint64
	// copies is how many times each frame is sent.
	copies int
}

// stepPlan is what one step sends and where it looks.
type stepPlan struct {
	step   expect.Step
	frames []frame
	// observed are the indexes of the endpoints whose counters and
	// sockets the step reads: all but the sender, or all for the wire.
	observed []int
	// skip says why the step does not run, or is "".
	skip string
}

// sent returns how many frames the step sends.
func (p *stepPlan) sent() int { return len(p.frames) }

// addressedTo returns how many frames are addressed to endpoint i.
func (p *stepPlan) addressedTo(i int) int {
	n := 0
	for _, f := range p.frames {
		if f.to == i {
			n++
		}
	}
	return n
}

// The sender is the first endpoint; the target of ARP requests from it
// is the second, from the wire the first.
const (
	sender        = 0
	endpointPeer  = 1
	wireTargetIdx = 0
)

// Source addresses of the IPv6 probes: link-local, owned by nothing.
var (
	endpointIPv6Src = netip.MustParseAddr("fe80::5eed:1")
	wireIPv6Src     = netip.MustParseAddr("fe80::5eed:2")
)

// plan returns the plan of step s in w.
func (w *world) plan(s expect.Step, index int) *stepPlan {
	p := &stepPlan{step: s}
	eps := w.endpoints
	var (
		srcMAC net.HardwareAddr
		srcIP  netip.Addr
		src6   netip.Addr
		vlan   uint16
		target = wireTargetIdx
	)
	if s.From == expect.FromEndpoint {
		if len(eps) == 0 {
			p.skip = "the network has no endpoint"
			return p
		}
		srcMAC, srcIP, src6 = eps[sender].mac, eps[sender].ip, endpointIPv6Src
		target = endpointPeer
		for i := range eps[1:] {
			p.observed = append(p.observed, i+1)
		}
	} else {
		if w.wireMAC == nil {
			p.skip = "no far side given: probes from the wire need one (--wire-netns, --wire-dev)"
			return p
		}
		if len(eps) == 0 {
			p.skip = "the network has no endpoint"
			return p
		}
		srcMAC, srcIP, src6, vlan = w.wireMAC, w.wireIP, wireIPv6Src, w.vlan
		for i := range eps {
			p.observed = append(p.observed, i)
		}
	}
	needPeer := s.Probe == expect.ProbeARPTarget || s.Probe == expect.ProbeUnicast
	if needPeer && s.From == expect.FromEndpoint && len(eps) < 2 {
		p.skip = "needs a second endpoint to send to"
		return p
	}
	seq := 0
	add := func(b []byte, proto uint16, to int) {
		p.frames = append(p.frames, frame{b: b, proto: proto, to: to})
	}
	// data returns the payload of the next datagram.
	data := func() []byte {
		seq++
		return datagram(w.token, index, seq)
	}
	for range w.copies {
		switch s.Probe {
		case expect.ProbeARPTarget:
			add(arpRequest(srcMAC, srcIP, eps[target].ip, vlan), outerType(vlan, etherTypeARP), target)
		case expect.ProbeARPUnknown:
			add(arpRequest(srcMAC, srcIP, w.unknown, vlan), outerType(vlan, etherTypeARP), -1)
		case expect.ProbeBroadcast:
			add(l2Broadcast(srcMAC, vlan, data()), outerType(vlan, etherTypeProbe), -1)
		case expect.ProbeIPv4Multicast:
			add(udp(allHostsMAC, srcMAC, vlan, netip.AddrPortFrom(srcIP, w.port4), netip.AddrPortFrom(allHosts, w.port4), data()),
				outerType(vlan, etherTypeIPv4), -1)
		case expect.ProbeIPv6Multicast:
			add(udp(allNodesMAC, srcMAC, vlan, netip.AddrPortFrom(src6, w.port6), netip.AddrPortFrom(allNodes, w.port6), data()),
				outerType(vlan, etherTypeIPv6), -1)
		case expect.ProbeUnicast:
			for _, i := range p.observed {
				add(udp(eps[i].mac, srcMAC, vlan, netip.AddrPortFrom(srcIP, w.port4), netip.AddrPortFrom(eps[i].ip, w.port4), data()),
					outerType(vlan, etherTypeIPv4), i)
			}
		}
	}
	if s.Probe == expect.ProbeIPv6Multicast {
		for _, i := range p.observed {
			if !eps[i].ipv6 {
				p.skip = "endpoint " + eps[i].name + " has IPv6 disabled, so it is not in ff02::1"
				p.frames = nil
			}
		}
	}
	return p
}

// datagramMagic starts the payload of every probe datagram.
const datagramMagic = "vrVF"

// datagram returns the payload of datagram seq of step index in the run
// token: 16 bytes.
func datagram(token uint64, index, seq int) []byte {
	b := []byte(datagramMagic)
	b = binary.BigEndian.AppendUint64(b, token)
	b = binary.BigEndian.AppendUint16(b, uint16(index))
	return binary.BigEndian.AppendUint16(b, uint16(seq))
}

// parseDatagram returns the step index of a probe datagram of the run
// token, or false for anything else.
func parseDatagram(b []byte, token uint64) (int, bool) {
	if len(b) < 16 || string(b[:4]) != datagramMagic || binary.BigEndian.Uint64(b[4:]) != token {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(b[12:])), true
}

// freeAddrs returns n addresses of the first IPv4 subnet of nw that no
// endpoint, gateway or auxiliary address has, from the top of the
// subnet down, or addresses of TEST-NET-1 (192.0.2.0/24) when it has
// not enough.
func freeAddrs(nw *modes.Network, n int) []netip.Addr {
	used := map[netip.Addr]bool{}
	for _, e := range nw.Endpoints {
		used[e.IPv4.Addr()] = true
	}
	var out []netip.Addr
	for _, s := range nw.Subnets {
		if !s.Subnet.Addr().Is4() {
			continue
		}
		used[s.Gateway] = true
		for _, a := range s.Aux {
			used[a] = true
		}
		top := lastAddr(s.Subnet)
		if s.Subnet.Bits() < 31 {
			top = top.Prev() // the broadcast address
		}
		for a := top; s.Subnet.Contains(a) && len(out) < n; a = a.Prev() {
			if !used[a] && a != s.Subnet.Masked().Addr() {
				out = append(out, a)
			}
		}
		break
	}
	for i := 0; len(out) < n; i++ {
		out = append(out, netip.AddrFrom4([4]byte{192, 0, 2, byte(254 - i)}))
	}
	return out
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := binary.BigEndian.Uint32(b[:]) | host
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}
