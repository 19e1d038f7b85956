package verify

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
)

var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0a}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0b}
	ipA  = netip.MustParseAddr("10.0.0.10")
	ipB  = netip.MustParseAddr("10.0.0.11")
)

// TestFrames checks each builder's layout, padding and tag.
func TestFrames(t *testing.T) {
	for _, tt := range []struct {
		name      string
		b         []byte
		dst       net.HardwareAddr
		vlan      uint16
		etherType uint16
		length    int
	}{
		{"arp", arpRequest(macA, ipA, ipB, 0), broadcastMAC, 0, etherTypeARP, minFrame},
		{"arp tagged", arpRequest(macA, ipA, ipB, 50), broadcastMAC, 50, etherTypeARP, minFrame},
		{"broadcast", l2Broadcast(macA, 0, []byte("x")), broadcastMAC, 0, etherTypeProbe, minFrame},
		{"udp4 multicast", udp(allHostsMAC, macA, 0, netip.AddrPortFrom(ipA, 1), netip.AddrPortFrom(allHosts, 2), make([]byte, 16)), allHostsMAC, 0, etherTypeIPv4, minFrame}, // 58, padded,
		{"udp6 multicast tagged", udp(allNodesMAC, macA, 7, netip.AddrPortFrom(endpointIPv6Src, 1), netip.AddrPortFrom(allNodes, 2), make([]byte, 16)), allNodesMAC, 7, etherTypeIPv6, 18 + 40 + 8 + 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b
			if len(b) != tt.length {
				t.Errorf("length %d, want %d", len(b), tt.length)
			}
			if !bytes.Equal(b[:6], tt.dst) || !bytes.Equal(b[6:12], macA) {
				t.Errorf("addresses % x", b[:12])
			}
			off := 12
			if tt.vlan != 0 {
				if tpid, tci := binary.BigEndian.Uint16(b[12:]), binary.BigEndian.Uint16(b[14:]); tpid != etherTypeVLAN || tci != tt.vlan {
					t.Errorf("tag %#04x %d, want 0x8100 %d", tpid, tci, tt.vlan)
				}
				off = 16
			}
			if et := binary.BigEndian.Uint16(b[off:]); et != tt.etherType {
				t.Errorf("ethertype %#04x, want %#04x", et, tt.etherType)
			}
			if got := outerType(tt.vlan, tt.etherType); (tt.vlan != 0) != (got == etherTypeVLAN) {
				t.Errorf("outerType %#04x", got)
			}
		})
	}
}

// TestARPRequest checks the ARP fields: request, sender, target.
func TestARPRequest(t *testing.T) {
	a := arpRequest(macA, ipA, ipB, 0)[14:]
	want := []byte{0, 1, 8, 0, 6, 4, 0, 1}
	want = append(append(append(append(want, macA...), ipA.AsSlice()...), make([]byte, 6)...), ipB.AsSlice()...)
	if !bytes.Equal(a[:28], want) {
		t.Errorf("ARP\n got % x\nwant % x", a[:28], want)
	}
}

// TestUDPChecksums checks that the IPv4 header and the UDP checksums
// verify, as the receiving kernel checks them.
func TestUDPChecksums(t *testing.T) {
	payload := []byte("an odd-length payload")
	for _, tt := range []struct {
		name     string
		src, dst netip.AddrPort
		ttl      byte
	}{
		{"v4 unicast", netip.AddrPortFrom(ipA, 40000), netip.AddrPortFrom(ipB, 40001), 64},
		{"v4 multicast", netip.AddrPortFrom(ipA, 40000), netip.AddrPortFrom(allHosts, 40001), 1},
		{"v6 multicast", netip.AddrPortFrom(endpointIPv6Src, 40000), netip.AddrPortFrom(allNodes, 40001), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := udp(macB, macA, 0, tt.src, tt.dst, payload)[14:]
			var u []byte
			if tt.dst.Addr().Is4() {
				h := b[:20]
				if fold(sum16(0, h)) != 0xffff {
					t.Errorf("IPv4 header checksum does not verify")
				}
				if h[8] != tt.ttl || h[9] != 17 || int(binary.BigEndian.Uint16(h[2:])) != 20+8+len(payload) {
					t.Errorf("IPv4 header % x", h)
				}
				u = b[20:]
			} else {
				h := b[:40]
				if h[7] != tt.ttl || h[6] != 17 || int(binary.BigEndian.Uint16(h[4:])) != 8+len(payload) {
					t.Errorf("IPv6 header % x", h)
				}
				u = b[40:]
			}
			if fold(sum16(pseudoSum(tt.src.Addr(), tt.dst.Addr(), 17, len(u)), u)) != 0xffff {
				t.Errorf("UDP checksum does not verify")
			}
			if sp, dp := binary.BigEndian.Uint16(u), binary.BigEndian.Uint16(u[2:]); sp != tt.src.Port() || dp != tt.dst.Port() {
				t.Errorf("ports %d %d", sp, dp)
			}
			if !bytes.Equal(u[8:], payload) {
				t.Errorf("payload %q", u[8:])
			}
		})
	}
}

// TestDatagram checks that a probe payload parses back, and that others
// do not.
func TestDatagram(t *testing.T) {
	b := datagram(0x1122334455667788, 7, 3)
	if i, ok := parseDatagram(b, 0x1122334455667788); !ok || i != 7 {
		t.Errorf("parse: %d %v", i, ok)
	}
	for _, bad := range [][]byte{b[:15], datagram(1, 7, 3), append([]byte("xxxx"), b[4:]...)} {
		if _, ok := parseDatagram(bad, 0x1122334455667788); ok {
			t.Errorf("%x parsed", bad)
		}
	}
}
