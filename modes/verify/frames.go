package verify

import (
	"encoding/binary"
	"net"
	"net/netip"
)

// This file builds the probe frames: whole Ethernet frames, as AF_PACKET
// sends them, with checksums.

// Ethertypes and addresses the probes use.
const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
	etherTypeVLAN = 0x8100
	etherTypeIPv6 = 0x86dd
	// etherTypeProbe is IEEE's local experimental ethertype 1: no
	// protocol of the kernel takes it.
	etherTypeProbe = 0x88b5

	// minFrame is the shortest Ethernet frame without its FCS; shorter
	// frames are padded, as a NIC would.
	minFrame = 60
)

var (
	broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	// allHosts and allNodes are the groups every IPv4 and IPv6 link
	// joins, and their MAC addresses.
	allHosts    = netip.MustParseAddr("224.0.0.1")
	allHostsMAC = net.HardwareAddr{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}
	allNodes    = netip.MustParseAddr("ff02::1")
	allNodesMAC = net.HardwareAddr{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}
)

// frame is one frame to send.
type frame struct {
	// b is the whole frame, from the destination MAC on.
	b []byte
	// proto is its ethertype (the outer one, for a tagged frame), for
	// the sockaddr_ll.
	proto uint16
	// to is the index of the endpoint the frame is addressed to (the
	// one an ARP request asks for, a unicast destination), or -1.
	to int
}

// ethernet returns an Ethernet header, with an 802.1Q tag when vlan is
// not 0, followed by payload, padded to minFrame.
func ethernet(dst, src net.HardwareAddr, vlan uint16, etherType uint16, payload []byte) []byte {
	b := make([]byte, 0, 18+len(payload))
	b = append(b, dst...)
	b = append(b, src...)
	if vlan != 0 {
		b = binary.BigEndian.AppendUint16(b, etherTypeVLAN)
		b = binary.BigEndian.AppendUint16(b, vlan&0x0fff)
	}
	b = binary.BigEndian.AppendUint16(b, etherType)
	b = append(b, payload...)
	for len(b) < minFrame {
		b = append(b, 0)
	}
	return b
}

// outerType is the ethertype a frame is sent with.
func outerType(vlan, etherType uint16) uint16 {
	if vlan != 0 {
		return etherTypeVLAN
	}
	return etherType
}

// arpRequest returns an ARP request from (srcMAC, srcIP) asking for
// target, to the Ethernet broadcast address.
func arpRequest(srcMAC net.HardwareAddr, srcIP, target netip.Addr, vlan uint16) []byte {
	p := make([]byte, 0, 28)
	p = binary.BigEndian.AppendUint16(p, 1)             // hardware: Ethernet
	p = binary.BigEndian.AppendUint16(p, etherTypeIPv4) // protocol
	p = append(p, 6, 4)                                 // address lengths
	p = binary.BigEndian.AppendUint16(p, 1)             // request
	p = append(p, srcMAC...)
	p = append(p, srcIP.AsSlice()...)
	p = append(p, make([]byte, 6)...) // target MAC: unknown
	p = append(p, target.AsSlice()...)
	return ethernet(broadcastMAC, srcMAC, vlan, etherTypeARP, p)
}

// l2Broadcast returns a broadcast frame of etherTypeProbe carrying
// payload.
func l2Broadcast(srcMAC net.HardwareAddr, vlan uint16, payload []byte) []byte {
	return ethernet(broadcastMAC, srcMAC, vlan, etherTypeProbe, payload)
}

// udp returns an IPv4 or IPv6 UDP datagram in an Ethernet frame, with
// every checksum. IPv4 goes out with TTL 64 (1 to a multicast group),
// IPv6 with hop limit 255 (1 to a multicast group).
func udp(dstMAC, srcMAC net.HardwareAddr, vlan uint16, src, dst netip.AddrPort, payload []byte) []byte {
	u := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:], src.Port())
	binary.BigEndian.PutUint16(u[2:], dst.Port())
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	u = append(u, payload...)
	if dst.Addr().Is4() {
		sum := pseudoSum(src.Addr(), dst.Addr(), 17, len(u))
		binary.BigEndian.PutUint16(u[6:], udpChecksum(sum, u))
		ttl := byte(64)
		if dst.Addr().IsMulticast() {
			ttl = 1
		}
		h := make([]byte, 20, 20+len(u))
		h[0] = 0x45
		binary.BigEndian.PutUint16(h[2:], uint16(20+len(u)))
		h[6] = 0x40 // don't fragment
		h[8] = ttl
		h[9] = 17
		copy(h[12:], src.Addr().AsSlice())
		copy(h[16:], dst.Addr().AsSlice())
		binary.BigEndian.PutUint16(h[10:], ^fold(sum16(0, h)))
		return ethernet(dstMAC, srcMAC, vlan, etherTypeIPv4, append(h, u...))
	}
	sum := pseudoSum(src.Addr(), dst.Addr(), 17, len(u))
	binary.BigEndian.PutUint16(u[6:], udpChecksum(sum, u))
	hop := byte(255)
	if dst.Addr().IsMulticast() {
		hop = 1
	}
	h := make([]byte, 40, 40+len(u))
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(u)))
	h[6] = 17
	h[7] = hop
	copy(h[8:], src.Addr().AsSlice())
	copy(h[24:], dst.Addr().AsSlice())
	return ethernet(dstMAC, srcMAC, vlan, etherTypeIPv6, append(h, u...))
}

// sum16 adds b to sum as big-endian 16-bit words (RFC 1071), without
// folding.
func sum16(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

// fold folds the carries of a one's complement sum into 16 bits.
func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return uint16(sum)
}

// pseudoSum is the sum of the pseudo-header of IPv4 or IPv6.
func pseudoSum(src, dst netip.Addr, proto byte, length int) uint32 {
	sum := sum16(0, src.AsSlice())
	sum = sum16(sum, dst.AsSlice())
	return sum + uint32(proto) + uint32(length)
}

// udpChecksum returns the UDP checksum of u (checksum field zero) given
// the pseudo-header's sum; 0 is sent as 0xffff.
func udpChecksum(pseudo uint32, u []byte) uint16 {
	c := ^fold(sum16(pseudo, u))
	if c == 0 {
		c = 0xffff
	}
	return c
}
