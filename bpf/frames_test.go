package bpf_test

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/vlanraw/vlanraw/bpf"
)

// frame is a hand-built Ethernet frame (without FCS) and the class the
// classifier must count it in.
type frame struct {
	name  string
	class bpf.Class
	vid   int // VLAN id counted for it, or -1
	b     []byte
}

var (
	macSrc   = mustMAC("02:00:00:00:00:01")
	macDst   = mustMAC("02:00:00:00:00:02")
	macBcast = mustMAC("ff:ff:ff:ff:ff:ff")
	macMDNS4 = mustMAC("01:00:5e:00:00:fb")
	macMDNS6 = mustMAC("33:33:00:00:00:fb")
	macAll6  = mustMAC("33:33:00:00:00:01")
	macSol6  = mustMAC("33:33:ff:00:00:02") // solicited-node of fd00::2
	macMLD2  = mustMAC("33:33:00:00:00:16")

	ip4Src   = netip.MustParseAddr("10.9.0.1")
	ip4Dst   = netip.MustParseAddr("10.9.0.2")
	ip6Src   = netip.MustParseAddr("fd00::1")
	ip6Dst   = netip.MustParseAddr("fd00::2")
	ip6LL    = netip.MustParseAddr("fe80::1")
	ip6Sol   = netip.MustParseAddr("ff02::1:ff00:2")
	ip6All   = netip.MustParseAddr("ff02::1")
	ip6Rtrs  = netip.MustParseAddr("ff02::2")
	ip6MDNS  = netip.MustParseAddr("ff02::fb")
	ip6MLDv2 = netip.MustParseAddr("ff02::16")
)

// Ethertypes and protocol numbers.
const (
	ethIPv4   = 0x0800
	ethARP    = 0x0806
	ethRARP   = 0x8035
	ethIPv6   = 0x86dd
	eth8021Q  = 0x8100
	eth8021AD = 0x88a8
	ethLocal  = 0x88b5 // IEEE local experimental
	protoUDP  = 17
	protoICMP = 58
	protoHBH  = 0
)

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// eth builds an Ethernet frame.
func eth(dst net.HardwareAddr, typ uint16, payload []byte) []byte {
	b := append(append([]byte{}, dst...), macSrc...)
	b = binary.BigEndian.AppendUint16(b, typ)
	return append(b, payload...)
}

// tagged builds a frame with a VLAN tag (tpid 0x8100 or 0x88a8) of the
// given TCI before the inner ethertype.
func tagged(dst net.HardwareAddr, tpid, tci, typ uint16, payload []byte) []byte {
	b := append(append([]byte{}, dst...), macSrc...)
	b = binary.BigEndian.AppendUint16(b, tpid)
	b = binary.BigEndian.AppendUint16(b, tci)
	b = binary.BigEndian.AppendUint16(b, typ)
	return append(b, payload...)
}

// arp builds an Ethernet/IPv4 ARP packet with opcode op.
func arp(op uint16, tha net.HardwareAddr) []byte {
	b := []byte{0, 1, 0x08, 0x00, 6, 4}
	b = binary.BigEndian.AppendUint16(b, op)
	b = append(b, macSrc...)
	b = append(b, ip4Src.AsSlice()...)
	b = append(b, tha...)
	return append(b, ip4Dst.AsSlice()...)
}

// ipv4 builds an IPv4 packet (with a valid header checksum) of protocol
// proto.
func ipv4(src, dst netip.Addr, proto byte, payload []byte) []byte {
	h := make([]byte, 20)
	h[0], h[8], h[9] = 0x45, 64, proto
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	copy(h[12:], src.AsSlice())
	copy(h[16:], dst.AsSlice())
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(h[10:], ^uint16(sum))
	return append(h, payload...)
}

// ipv6 builds an IPv6 packet whose first header is next.
func ipv6(src, dst netip.Addr, next byte, payload []byte) []byte {
	h := make([]byte, 40)
	h[0], h[6], h[7] = 0x60, next, 255
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	copy(h[8:], src.AsSlice())
	copy(h[24:], dst.AsSlice())
	return append(h, payload...)
}

// udp is a UDP header and payload (checksum left 0).
func udp(n int) []byte {
	b := []byte{0x30, 0x39, 0x30, 0x3a, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(b[4:], uint16(8+n))
	return append(b, make([]byte, n)...)
}

// icmp6 is an ICMPv6 message of type typ with body.
func icmp6(typ byte, body []byte) []byte {
	return append([]byte{typ, 0, 0, 0}, body...)
}

// ns is a neighbour solicitation body: reserved, target, source
// link-layer address option.
func ns() []byte {
	b := make([]byte, 4, 28)
	b = append(b, ip6Dst.AsSlice()...)
	return append(append(b, 1, 1), macSrc...)
}

// liveFrames are the frames of every class that the live tests send,
// one of each: an exact count per class needs no background traffic.
func liveFrames() []frame {
	return []frame{
		{"arp request", bpf.ClassARPRequest, -1, eth(macBcast, ethARP, arp(1, make(net.HardwareAddr, 6)))},
		{"arp reply", bpf.ClassARPReply, -1, eth(macDst, ethARP, arp(2, macDst))},
		{"l2 broadcast", bpf.ClassBroadcast, -1, eth(macBcast, ethIPv4, ipv4(ip4Src, netip.MustParseAddr("10.9.0.255"), protoUDP, udp(20)))},
		{"ipv4 broadcast", bpf.ClassBroadcast, -1, eth(macDst, ethIPv4, ipv4(ip4Src, netip.MustParseAddr("255.255.255.255"), protoUDP, udp(20)))},
		{"ipv4 multicast", bpf.ClassIPv4Multicast, -1, eth(macMDNS4, ethIPv4, ipv4(ip4Src, netip.MustParseAddr("224.0.0.251"), protoUDP, udp(30)))},
		{"ipv6 multicast", bpf.ClassIPv6Multicast, -1, eth(macMDNS6, ethIPv6, ipv6(ip6LL, ip6MDNS, protoUDP, udp(30)))},
		{"ipv6 neighbour solicitation", bpf.ClassIPv6ND, -1, eth(macSol6, ethIPv6, ipv6(ip6Src, ip6Sol, protoICMP, icmp6(135, ns())))},
		{"ipv4 unicast", bpf.ClassIPv4Unicast, -1, eth(macDst, ethIPv4, ipv4(ip4Src, ip4Dst, protoUDP, udp(100)))},
		{"ipv6 unicast", bpf.ClassIPv6Unicast, -1, eth(macDst, ethIPv6, ipv6(ip6Src, ip6Dst, protoUDP, udp(100)))},
		{"802.1q vid 50", bpf.ClassVLAN, 50, tagged(macDst, eth8021Q, 50, ethIPv4, ipv4(ip4Src, ip4Dst, protoUDP, udp(40)))},
		{"802.1ad vid 4094 pcp 5", bpf.ClassVLAN, 4094, tagged(macBcast, eth8021AD, 5<<13|4094, ethARP, arp(1, make(net.HardwareAddr, 6)))},
		{"other ethertype", bpf.ClassOther, -1, eth(macDst, ethLocal, make([]byte, 46))},
	}
}

// edgeFrames are further frames for the classifier alone: the other ND
// types, multicast that is not ND, odd ARP, frames too short for their
// headers. (BPF_PROG_TEST_RUN refuses IPv4 and IPv6 frames shorter than
// their fixed header, so those cannot be among them.)
func edgeFrames() []frame {
	mldReport := append([]byte{protoICMP, 0, 5, 2, 0, 0, 1, 0}, icmp6(143, make([]byte, 4))...) // hop-by-hop with router alert, then MLDv2
	return []frame{
		{"router solicitation", bpf.ClassIPv6ND, -1, eth(macAll6, ethIPv6, ipv6(ip6LL, ip6Rtrs, protoICMP, icmp6(133, make([]byte, 4))))},
		{"router advertisement", bpf.ClassIPv6ND, -1, eth(macAll6, ethIPv6, ipv6(ip6LL, ip6All, protoICMP, icmp6(134, make([]byte, 12))))},
		{"neighbour advertisement", bpf.ClassIPv6ND, -1, eth(macDst, ethIPv6, ipv6(ip6Src, ip6Dst, protoICMP, icmp6(136, ns())))},
		{"redirect is not nd", bpf.ClassIPv6Unicast, -1, eth(macDst, ethIPv6, ipv6(ip6LL, ip6Dst, protoICMP, icmp6(137, make([]byte, 36))))},
		{"echo to all nodes", bpf.ClassIPv6Multicast, -1, eth(macAll6, ethIPv6, ipv6(ip6Src, ip6All, protoICMP, icmp6(128, make([]byte, 4))))},
		{"mld report after hop-by-hop", bpf.ClassIPv6Multicast, -1, eth(macMLD2, ethIPv6, ipv6(ip6LL, ip6MLDv2, protoHBH, mldReport))},
		{"ipv6 header without icmp type", bpf.ClassIPv6Multicast, -1, eth(macAll6, ethIPv6, ipv6(ip6LL, ip6All, protoICMP, nil))},
		{"ipv4 multicast to l2 broadcast", bpf.ClassBroadcast, -1, eth(macBcast, ethIPv4, ipv4(ip4Src, netip.MustParseAddr("239.1.2.3"), protoUDP, udp(8)))},
		{"ipv4 239/8", bpf.ClassIPv4Multicast, -1, eth(macDst, ethIPv4, ipv4(ip4Src, netip.MustParseAddr("239.255.255.250"), protoUDP, udp(8)))},
		{"ipv4 240/4 is unicast", bpf.ClassIPv4Unicast, -1, eth(macDst, ethIPv4, ipv4(ip4Src, netip.MustParseAddr("240.0.0.1"), protoUDP, udp(8)))},
		{"arp opcode 3", bpf.ClassOther, -1, eth(macBcast, ethARP, arp(3, make(net.HardwareAddr, 6)))},
		{"rarp", bpf.ClassBroadcast, -1, eth(macBcast, ethRARP, arp(3, make(net.HardwareAddr, 6)))},
		{"arp cut before opcode", bpf.ClassOther, -1, eth(macBcast, ethARP, []byte{0, 1, 8, 0})},
		{"l2 broadcast other ethertype", bpf.ClassBroadcast, -1, eth(macBcast, ethLocal, make([]byte, 46))},
		{"bare ethernet header", bpf.ClassOther, -1, eth(macDst, ethLocal, nil)},
		{"802.1q header only", bpf.ClassVLAN, 7, eth(macDst, eth8021Q, []byte{0x00, 0x07})},
		{"802.1q vid 0 priority tag", bpf.ClassVLAN, 0, tagged(macDst, eth8021Q, 3<<13, ethIPv6, ipv6(ip6Src, ip6Dst, protoUDP, udp(8)))},
		{"802.1q vid 4095", bpf.ClassVLAN, 4095, tagged(macDst, eth8021Q, 0xffff, ethIPv4, ipv4(ip4Src, ip4Dst, protoUDP, udp(8)))},
		{"802.1q tag cut short", bpf.ClassOther, -1, eth(macDst, eth8021Q, []byte{0x00})},
	}
}
