package traffic_test

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// pair is two namespaces joined by a veth pair: a's t0 has .1 and fd77::1,
// b's t1 has .2 and fd77::2.
type pair struct {
	a, b *netns.NS
	hb   *links.Handle
}

var (
	addrA  = netip.MustParseAddr("10.77.0.1")
	addrB  = netip.MustParseAddr("10.77.0.2")
	addrB6 = netip.MustParseAddr("fd77::2")
)

func newPair(t *testing.T) *pair {
	t.Helper()
	a, _ := testenv.NewNetNS(t)
	b, _ := testenv.NewNetNS(t)
	ha, err := links.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ha.Close() })
	hb, err := links.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hb.Close() })
	// Subscribed before the veth exists, so that its coming up cannot be
	// missed (see running).
	eva, evb := testenv.DialLinkEvents(t, a), testenv.DialLinkEvents(t, b)
	err = ha.Create(&links.Veth{
		Attrs: links.Attrs{Name: "t0", Up: true},
		Peer:  links.Attrs{Name: "t1", Up: true, NetNS: b},
	})
	if err != nil {
		t.Fatalf("create veth: %v", err)
	}
	for _, x := range []struct {
		h    *links.Handle
		name string
		pfx  []string
	}{
		{ha, "t0", []string{"10.77.0.1/24", "fd77::1/64"}},
		{hb, "t1", []string{"10.77.0.2/24", "fd77::2/64"}},
	} {
		l, err := x.h.Get(x.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range x.pfx {
			if err := x.h.AddAddress(l.Index, netip.MustParsePrefix(p), true); err != nil {
				t.Fatalf("add %s: %v", p, err)
			}
		}
	}
	running(t, ha, eva, "t0")
	running(t, hb, evb, "t1")
	return &pair{a: a, b: b, hb: hb}
}

// ifOperUp is IF_OPER_UP of RFC 2863 (linux/if.h).
const ifOperUp = 6

// running waits until the kernel reports the link name's operational
// state up (IFLA_OPERSTATE), that is until its link watch has seen the
// carrier and given the link a queueing discipline: before, every frame
// it is handed is dropped, the first ARP request among them, and the next
// goes a second later, so a test sending for 300 ms could see nothing
// arrive (as on 5.10 in QEMU). IFF_RUNNING does not tell: a new link's
// state is unknown until the link watch first runs, and unknown counts as
// running. ev must have been dialled before the link was made.
func running(t *testing.T, h *links.Handle, ev *rtnl.LinkEvents, name string) {
	t.Helper()
	if err := ev.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	for {
		l, err := h.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		state := l.Msg.Attributes.OperState
		if state == ifOperUp {
			return
		}
		if _, err := ev.Receive(); err != nil && !errors.Is(err, rtnl.ErrOverrun) {
			t.Fatalf("wait for %s to be up (IFLA_OPERSTATE %d): %v", name, state, err)
		}
	}
}

func TestPingReaches(t *testing.T) {
	p := newPair(t)
	if err := traffic.Ping(p.a, netip.Addr{}, addrB, 5*time.Second); err != nil {
		t.Errorf("IPv4: %v", err)
	}
	if err := traffic.Ping(p.a, addrA, addrB, 5*time.Second); err != nil {
		t.Errorf("IPv4 from %s: %v", addrA, err)
	}
	if err := traffic.Ping(p.a, netip.Addr{}, addrB6, 5*time.Second); err != nil {
		t.Errorf("IPv6: %v", err)
	}
}

func TestPingNoRoute(t *testing.T) {
	p := newPair(t)
	start := time.Now()
	err := traffic.Ping(p.a, netip.Addr{}, netip.MustParseAddr("10.99.0.1"), 5*time.Second)
	if !errors.Is(err, traffic.ErrNoReply) || !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("ping without a route: %v; want ErrNoReply and ENETUNREACH", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v: an unroutable destination should fail at once", d)
	}
}

func TestPingNoReply(t *testing.T) {
	p := newPair(t)
	start := time.Now()
	err := traffic.Ping(p.a, netip.Addr{}, netip.MustParseAddr("10.77.0.3"), 700*time.Millisecond)
	if !errors.Is(err, traffic.ErrNoReply) {
		t.Fatalf("ping to nobody: %v; want ErrNoReply", err)
	}
	if d := time.Since(start); d < 600*time.Millisecond || d > 3*time.Second {
		t.Errorf("took %v; want about the 700ms timeout", d)
	}
}

func TestPingBadSource(t *testing.T) {
	p := newPair(t)
	err := traffic.Ping(p.a, addrB, addrB, time.Second)
	if err == nil || errors.Is(err, traffic.ErrNoReply) {
		t.Fatalf("ping from an address not in the namespace: %v; want a setup error", err)
	}
}

func TestUDPArrives(t *testing.T) {
	p := newPair(t)
	for _, dst := range []netip.Addr{addrB, addrB6} {
		got, err := traffic.UDP(p.a, p.b, netip.AddrPortFrom(dst, 0), 20)
		if err != nil || got != 20 {
			t.Errorf("to %s: %d of 20 arrived, err %v", dst, got, err)
		}
	}
}

func TestUDPDoesNotArrive(t *testing.T) {
	p := newPair(t)
	down := false
	if err := p.hb.Set("t1", links.Change{Up: &down}); err != nil {
		t.Fatal(err)
	}
	got, err := traffic.UDPWithin(p.a, p.b, netip.AddrPortFrom(addrB, 4000), 5, 300*time.Millisecond)
	if err != nil || got != 0 {
		t.Errorf("to a down link: %d of 5 arrived, err %v; want 0", got, err)
	}
	if _, err := traffic.UDP(p.a, p.a, netip.AddrPortFrom(addrB, 4000), 1); err == nil {
		t.Errorf("receiver bound to an address of another namespace: no error")
	}
}
