package modes

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestHostAccessARP: the host link receives the ARP requests that come in
// on the parent, and answers only those for its own address
// (arp_ignore=1): the LAN's router asking for the parent's address gets
// one answer, the parent's MAC, not the host link's too.
func TestHostAccessARP(t *testing.T) {
	for _, tt := range []struct {
		name   string
		d      Driver
		opts   map[string]string
		subnet string
		host   string
	}{
		{"macvlan-lan", MACVlan, nil, "192.168.0.0/24", "192.168.0.5"},
		{"macvlan-other-subnet", MACVlan, nil, "10.1.0.0/24", "10.1.0.5"},
		{"ipvlan-l2-lan", IPVlan, map[string]string{OptIPVlanMode: ModeL2}, "192.168.0.0/24", "192.168.0.5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testenv.RequireKind(t, string(tt.d))
			e := newEnv(t)
			o := map[string]string{OptParent: "p0", OptHostAccess: tt.host}
			for k, v := range tt.opts {
				o[k] = v
			}
			n, err := e.m.CreateNetwork(NetworkSpec{Name: "lan", Driver: tt.d, Options: o,
				Subnets: []SubnetSpec{{Subnet: tt.subnet, IPRange: strings.Replace(tt.subnet, ".0/24", ".128/25", 1)}}})
			if err != nil {
				t.Fatal(err)
			}
			parent := mustGet(t, e.hh, "p0").MAC.String()
			got := arpReplies(t, e, routerAddr4.Addr(), hostAddr4.Addr())
			eqList(t, "answers to the router's ARP request for the parent's "+hostAddr4.Addr().String(), got, []string{parent})
			hostMAC := mustGet(t, e.hh, "vh-"+n.ID[:12]).MAC.String()
			if got := arpReplies(t, e, routerAddr4.Addr(), mustAddr(tt.host)); !slices.Contains(got, hostMAC) {
				t.Errorf("answers to the router's ARP request for the host link's %s: %s, want one from %s", tt.host, fmtList(got), hostMAC)
			}
		})
	}
}

// arpReplies sends one ARP request for target from the router's p1
// (whose address is src) and returns the sender MACs of the replies that
// arrive within noReplyTimeout, in order.
func arpReplies(t *testing.T, e *env, src, target netip.Addr) []string {
	t.Helper()
	p1 := mustGet(t, e.rh, "p1")
	proto := int(htons(unix.ETH_P_ARP))
	var fd int
	err := e.router.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, proto)
		return err
	})
	if err != nil {
		t.Fatalf("packet socket in the router: %v", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: p1.Index}); err != nil {
		t.Fatal(err)
	}
	req := []byte{0, 1, 8, 0, 6, 4, 0, 1}
	req = append(req, p1.MAC...)
	req = append(req, src.AsSlice()...)
	req = append(req, make([]byte, 6)...)
	req = append(req, target.AsSlice()...)
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: p1.Index, Halen: 6, Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	if err := unix.Sendto(fd, req, 0, to); err != nil {
		t.Fatalf("send ARP request: %v", err)
	}
	var out []string
	buf := make([]byte, 1500)
	deadline := time.Now().Add(noReplyTimeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return out
		}
		tv := unix.NsecToTimeval(left.Nanoseconds())
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			t.Fatal(err)
		}
		k, _, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("receive ARP: %v", err)
		}
		b := buf[:k]
		if len(b) < 28 || b[6] != 0 || b[7] != 2 || netip.AddrFrom4([4]byte(b[14:18])) != target || netip.AddrFrom4([4]byte(b[24:28])) != src {
			continue
		}
		out = append(out, net.HardwareAddr(b[8:14]).String())
	}
}

// htons returns v in network byte order, as the packet socket calls
// take the protocol.
func htons(v uint16) uint16 { return v<<8 | v>>8 }
