package links_test

// The namespaces, sockets and counters of TestKernelMACVlanMulticastPath.

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// mcastFrames is how many datagrams each step sends.
const mcastFrames = 16

var (
	mcastGroup     = netip.MustParseAddr("239.1.2.3")
	mcastBroadcast = netip.MustParseAddr("255.255.255.255")
	mcastMV0       = netip.MustParsePrefix("10.13.0.1/24")
	mcastWire      = netip.MustParsePrefix("10.13.0.2/24")
)

// mcastWorld is a macvlan port with bcqueuelen 0 and the wire beyond it,
// in three namespaces with IPv6 off, so that nothing but the test's
// datagrams arrives on the port: host holds the veth p0 and, with a VLAN
// parent, p0.10, the port; the wire holds p1 (and p1.10), with
// 10.13.0.2/24 and a permanent neighbour entry for mv0, from which the
// datagrams leave; ep holds mv0, with 10.13.0.1/24 and a UDP socket that
// joined 239.1.2.3 on it.
type mcastWorld struct {
	host, ep *netns.NS
	hh, he   *links.Handle
	// parent is the port device, in host.
	parent string
	mode   rtnl.MACVlanMode
	rx     *ipv4.PacketConn
	port   int
	// tx is the sending socket, bound to the wire's link.
	tx int
}

// newMcastWorld builds the world, with mv0 in mode with flags, on the
// veth p0 or, with vlan, on p0.10.
func newMcastWorld(t *testing.T, vlan bool, mode rtnl.MACVlanMode, flags *rtnl.MACVlanFlag) *mcastWorld {
	t.Helper()
	host, _ := testenv.NewNetNS(t)
	wire, _ := testenv.NewNetNS(t)
	ep, _ := testenv.NewNetNS(t)
	for _, ns := range []*netns.NS{host, wire, ep} {
		testenv.QuietIPv6(t, ns)
	}
	w := &mcastWorld{host: host, ep: ep, hh: openIn(t, host), he: openIn(t, ep), parent: "p0", mode: mode}
	hw := openIn(t, wire)
	err := w.hh.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true, NetNS: wire}})
	if err != nil {
		t.Fatalf("create veth: %v", err)
	}
	wireLink := "p1"
	if vlan {
		w.parent, wireLink = "p0.10", "p1.10"
		for _, x := range []struct {
			h           *links.Handle
			name, lower string
		}{{w.hh, w.parent, "p0"}, {hw, wireLink, "p1"}} {
			if err := x.h.Create(&links.VLAN{Attrs: links.Attrs{Name: x.name, Up: true}, Parent: x.lower, ID: 10}); err != nil {
				t.Fatalf("create %s: %v", x.name, err)
			}
		}
	}
	wl := mustGet(t, hw, wireLink)
	if err := hw.AddAddress(wl.Index, mcastWire, false); err != nil {
		t.Fatal(err)
	}
	mv0 := w.addMACVlan(t, "mv0", flags)
	if err := w.he.AddAddress(mv0.Index, mcastMV0, false); err != nil {
		t.Fatal(err)
	}
	// Unicast to mv0 needs no ARP, which the queue would drop.
	if err := hw.AddNeigh(links.Neigh{IP: mcastMV0.Addr(), MAC: mv0.MAC, Index: wl.Index}); err != nil {
		t.Fatal(err)
	}

	var c *net.UDPConn
	err = ep.Do(func() (err error) {
		c, err = net.ListenUDP("udp4", &net.UDPAddr{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	w.rx, w.port = ipv4.NewPacketConn(c), c.LocalAddr().(*net.UDPAddr).Port
	w.join(t, "mv0")

	err = wire.Do(func() (err error) {
		w.tx, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(w.tx) })
	for _, err := range []error{
		unix.SetsockoptString(w.tx, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, wireLink),
		unix.SetsockoptInt(w.tx, unix.SOL_SOCKET, unix.SO_BROADCAST, 1),
		unix.SetsockoptInt(w.tx, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0),
	} {
		if err != nil {
			t.Fatalf("sending socket: %v", err)
		}
	}
	return w
}

// addMACVlan creates macvlan name on the parent, up, in ep, with
// bcqueuelen 0, and checks that the port's queue length is 0.
func (w *mcastWorld) addMACVlan(t *testing.T, name string, flags *rtnl.MACVlanFlag) *links.Link {
	t.Helper()
	err := w.hh.Create(&links.MACVlan{
		Attrs:  links.Attrs{Name: name, Up: true, NetNS: w.ep},
		Parent: w.parent, Mode: &w.mode, Flags: flags, BCQueueLen: ptr[uint32](0),
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	l := mustGet(t, w.he, name)
	if used := l.Data.(*rtnl.MACVlan).BCQueueLenUsed; used == nil || *used != 0 {
		t.Fatalf("kernel %s: %s reports the port's queue length %v, want 0", testenv.KernelRelease(), name, used)
	}
	return l
}

// join has the socket join the group on macvlan name, which it creates
// first when it does not exist.
func (w *mcastWorld) join(t *testing.T, name string) {
	t.Helper()
	if _, err := w.he.Get(name); err != nil {
		w.addMACVlan(t, name, nil)
	}
	var ifi *net.Interface
	err := w.ep.Do(func() (err error) {
		ifi, err = net.InterfaceByName(name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.rx.JoinGroup(ifi, &net.UDPAddr{IP: mcastGroup.AsSlice()}); err != nil {
		t.Fatalf("join %s on %s: %v", mcastGroup, name, err)
	}
}

// marker is the sequence number of the datagram that ends a probe.
const marker = ^uint32(0)

// mcastWait bounds how long a probe waits for datagrams on their way.
const mcastWait = 15 * time.Second

// probe sends mcastFrames datagrams to dst, then a marker to mv0's
// address, and returns how many of the datagrams reached the socket and
// how many the parent counted in rx_dropped meanwhile.
//
// The marker makes this exact without timing. All datagrams leave from
// one thread bound to one CPU: veth_xmit hands each frame to netif_rx on
// that CPU, whose backlog takes them in order. The marker is unicast,
// which macvlan_handle_frame hands to mv0 within the same pass
// (RX_HANDLER_ANOTHER); so when it reaches the socket, every datagram
// before it has been through macvlan_handle_frame, and was either
// dropped there, counted in rx_dropped (the queue), or cloned to mv0 by
// netif_rx (the direct path), to reach the socket before or after the
// marker. The drop count is final then, and the rest must arrive: probe
// waits for them, for mcastWait at most.
func (w *mcastWorld) probe(t *testing.T, dst netip.Addr) (delivered, dropped int) {
	t.Helper()
	token := rand.Uint64()
	before := rxDropped(t, w.host, w.parent)
	w.rx.SetReadDeadline(time.Now().Add(mcastWait))
	if err := sendInOrder(w.tx, token, netip.AddrPortFrom(dst, uint16(w.port)), netip.AddrPortFrom(mcastMV0.Addr(), uint16(w.port))); err != nil {
		t.Fatal(err)
	}
	seen := make(map[uint32]bool)
	read := func() (uint32, bool) {
		buf := make([]byte, 64)
		for {
			n, _, _, err := w.rx.ReadFrom(buf)
			if err != nil {
				return 0, false
			}
			if n == 12 && binary.BigEndian.Uint64(buf) == token {
				return binary.BigEndian.Uint32(buf[8:]), true
			}
		}
	}
	for {
		seq, ok := read()
		if !ok {
			t.Fatalf("kernel %s: the unicast marker to %s did not arrive within %v (%d datagrams to %s did)",
				testenv.KernelRelease(), mcastMV0.Addr(), mcastWait, len(seen), dst)
		}
		if seq == marker {
			break
		}
		seen[seq] = true
	}
	dropped = int(rxDropped(t, w.host, w.parent) - before)
	for len(seen) < mcastFrames-dropped {
		seq, ok := read()
		if !ok {
			break
		}
		seen[seq] = true
	}
	return len(seen), dropped
}

// sendInOrder sends mcastFrames datagrams carrying token to dst, then
// the marker to mark, from fd, on a thread bound to one CPU.
func sendInOrder(fd int, token uint64, dst, mark netip.AddrPort) error {
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread, bound to one CPU, ends with this
		// goroutine.
		runtime.LockOSThread()
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			done <- err
			return
		}
		cpu := 0
		for !set.IsSet(cpu) {
			cpu++
		}
		var one unix.CPUSet
		one.Set(cpu)
		if err := unix.SchedSetaffinity(0, &one); err != nil {
			done <- err
			return
		}
		send := func(to netip.AddrPort, seq uint32) error {
			b := binary.BigEndian.AppendUint64(nil, token)
			b = binary.BigEndian.AppendUint32(b, seq)
			return unix.Sendto(fd, b, 0, &unix.SockaddrInet4{Addr: to.Addr().As4(), Port: int(to.Port())})
		}
		for seq := range uint32(mcastFrames) {
			if err := send(dst, seq); err != nil {
				done <- err
				return
			}
		}
		done <- send(mark, marker)
	}()
	return <-done
}

// rxDropped returns the rx_dropped counter of link name in ns, from
// IFLA_STATS64 (rtnl's requests leave the statistics out).
func rxDropped(t *testing.T, ns *netns.NS, name string) uint64 {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ae := netlink.NewAttributeEncoder()
	ae.String(unix.IFLA_IFNAME, name)
	attrs, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
		Data:   append(make([]byte, unix.SizeofIfInfomsg), attrs...),
	})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("RTM_GETLINK %s: %v (%d replies)", name, err, len(msgs))
	}
	ad, err := netlink.NewAttributeDecoder(msgs[0].Data[unix.SizeofIfInfomsg:])
	if err != nil {
		t.Fatal(err)
	}
	// rx_dropped is the seventh __u64 of struct rtnl_link_stats64.
	const off = 6 * 8
	for ad.Next() {
		if b := ad.Bytes(); ad.Type() == unix.IFLA_STATS64 && len(b) >= off+8 {
			return binary.NativeEndian.Uint64(b[off:])
		}
	}
	t.Fatalf("RTM_GETLINK %s: no IFLA_STATS64 in the reply", name)
	return 0
}

// mcastGroupMAC is the Ethernet address of mcastGroup, as
// /proc/net/dev_mcast prints it.
const mcastGroupMAC = "01005e010203"

// parentList returns the parent's lines of /proc/net/dev_mcast in host:
// index, name, users, global users and address of each entry.
func (w *mcastWorld) parentList(t *testing.T) string {
	t.Helper()
	var b []byte
	// /proc/thread-self/net is the namespace of the thread that reads it.
	err := w.host.Do(func() (err error) {
		b, err = os.ReadFile("/proc/thread-self/net/dev_mcast")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range strings.Lines(string(b)) {
		if f := strings.Fields(l); len(f) == 5 && f[1] == w.parent {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	return strings.Join(lines, "; ")
}

// groupUsers returns the users count of the parent's entry for the
// group, 0 without one.
func (w *mcastWorld) groupUsers(t *testing.T) int {
	t.Helper()
	for e := range strings.SplitSeq(w.parentList(t), "; ") {
		f := strings.Fields(e)
		if len(f) == 5 && f[4] == mcastGroupMAC {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				t.Fatalf("/proc/net/dev_mcast: %q: %v", e, err)
			}
			return n
		}
	}
	return 0
}

// waitUsers waits until the parent's entry for the group counts more
// users than before, which it does once the rx_mode pass of a macvlan
// that joined the group has synced the group to it, for mcastWait at
// most.
func (w *mcastWorld) waitUsers(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(mcastWait)
	for w.groupUsers(t) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("kernel %s: after %v the parent's multicast list is %q; want the group %s with more than %d users",
				testenv.KernelRelease(), mcastWait, w.parentList(t), mcastGroupMAC, before)
		}
		runtime.Gosched()
	}
}
