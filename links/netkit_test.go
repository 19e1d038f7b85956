package links_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// netkitData returns the netkit data the kernel reports for l.
func netkitData(t *testing.T, l *links.Link) *rtnl.Netkit {
	t.Helper()
	d, ok := l.Data.(*rtnl.Netkit)
	if l.Kind != "netkit" || !ok {
		t.Fatalf("%s: kind %q, data %T; want a netkit", l.Name, l.Kind, l.Data)
	}
	return d
}

// TestNetkit creates a netkit pair whose peer lives in another namespace,
// as a container's end would. A kernel without netkit (before Linux 6.7,
// such as Debian's 5.10 and 6.1, or one built without CONFIG_NETKIT) must
// refuse it with a *rtnl.KindNotSupportedError naming CONFIG_NETKIT and
// leave nothing behind. A kernel with it (Debian's 6.12 and 7.x) must
// report both ends as asked, pass packets both ways while both policies
// are forward, drop those the peer sends once its policy is blackhole
// (and still pass the primary's), and take policy changes only through
// the primary.
func TestNetkit(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	peerNS, _ := testenv.NewNetNS(t)
	h, ph := openIn(t, ns), openIn(t, peerNS)

	forward, blackhole := rtnl.NetkitForward, rtnl.NetkitBlackhole
	err := h.Create(&links.Netkit{
		Attrs: links.Attrs{Name: "nk0", Up: true},
		Peer:  links.Attrs{Name: "nk1", Up: true, NetNS: peerNS},
		Mode:  ptr(rtnl.NetkitModeL3), Policy: &forward, PeerPolicy: &forward,
	})
	var kerr *rtnl.KindNotSupportedError
	if errors.As(err, &kerr) {
		if kerr.Kind != "netkit" || kerr.Config != "CONFIG_NETKIT" || !errors.Is(err, errdefs.ErrNotSupported) ||
			!strings.Contains(err.Error(), "CONFIG_NETKIT") {
			t.Errorf("kernel %s: %v (%+v); want a KindNotSupportedError for netkit naming CONFIG_NETKIT", testenv.KernelRelease(), err, kerr)
		}
		for _, c := range []struct {
			h    *links.Handle
			name string
		}{{h, "nk0"}, {ph, "nk1"}} {
			if _, err := c.h.Get(c.name); !errors.Is(err, unix.ENODEV) {
				t.Errorf("after the refusal, %s: %v; want ENODEV", c.name, err)
			}
		}
		if testenv.KernelAtLeast("6.7") {
			// Fails inside vmtest when the harness promised netkit.
			testenv.RequireKind(t, "netkit")
		}
		t.Logf("kernel %s has no netkit: %v", testenv.KernelRelease(), err)
		return
	}
	if err != nil {
		t.Fatalf("create netkit pair: %v", err)
	}
	if !testenv.KernelAtLeast("6.7") {
		t.Fatalf("kernel %s, older than netkit (6.7), created a netkit pair", testenv.KernelRelease())
	}

	nk0, nk1 := mustGet(t, h, "nk0"), mustGet(t, ph, "nk1")
	d0, d1 := netkitData(t, nk0), netkitData(t, nk1)
	if d0.Primary == nil || !*d0.Primary || d1.Primary == nil || *d1.Primary {
		t.Errorf("primary: nk0 %v, nk1 %v; want nk0 the primary", d0.Primary, d1.Primary)
	}
	if d0.Mode == nil || *d0.Mode != rtnl.NetkitModeL3 || d0.Policy == nil || *d0.Policy != forward ||
		d0.PeerPolicy == nil || *d0.PeerPolicy != forward {
		t.Errorf("nk0 reports mode %v policy %v peer policy %v; want l3 forward forward", d0.Mode, d0.Policy, d0.PeerPolicy)
	}
	if !nk0.Up() || !nk1.Up() || nk0.Msg.Attributes.LinkNetNSID == nil {
		t.Errorf("nk0 up %v, nk1 up %v, nk0 link-netnsid %v; want both up, the peer in another namespace",
			nk0.Up(), nk1.Up(), nk0.Msg.Attributes.LinkNetNSID)
	}

	a0, a1 := netip.MustParsePrefix("10.99.0.1/24"), netip.MustParsePrefix("10.99.0.2/24")
	if err := h.AddAddress(nk0.Index, a0, false); err != nil {
		t.Fatal(err)
	}
	if err := ph.AddAddress(nk1.Index, a1, false); err != nil {
		t.Fatal(err)
	}
	if err := traffic.Ping(ns, a0.Addr(), a1.Addr(), 10*time.Second); err != nil {
		t.Errorf("forward both ways: ping nk0 -> nk1: %v", err)
	}

	if err := h.Set("nk0", links.Change{Options: &links.Netkit{PeerPolicy: &blackhole}}); err != nil {
		t.Fatalf("peer policy blackhole: %v", err)
	}
	if d := netkitData(t, mustGet(t, h, "nk0")); d.PeerPolicy == nil || *d.PeerPolicy != blackhole || *d.Policy != forward {
		t.Errorf("after the change nk0 reports policy %v peer policy %v; want forward blackhole", d.Policy, d.PeerPolicy)
	}
	if d := netkitData(t, mustGet(t, ph, "nk1")); d.Policy == nil || *d.Policy != blackhole {
		t.Errorf("after the change nk1 reports policy %v; want blackhole", d.Policy)
	}
	if n, err := traffic.UDP(ns, peerNS, netip.AddrPortFrom(a1.Addr(), 0), 3); err != nil || n != 3 {
		t.Errorf("nk0 (forward) -> nk1: %d of 3 datagrams arrived (%v); want all", n, err)
	}
	if n, err := traffic.UDP(peerNS, ns, netip.AddrPortFrom(a0.Addr(), 0), 3); err != nil || n != 0 {
		t.Errorf("nk1 (blackhole) -> nk0: %d of 3 datagrams arrived (%v); want none", n, err)
	}

	// Only through the primary: the kernel says so itself.
	err = ph.Set("nk1", links.Change{Options: &links.Netkit{Policy: &forward}})
	var oe *rtnl.OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.EACCES) || !strings.Contains(oe.Message, "primary") {
		t.Errorf("policy change through the peer: %v; want EACCES with the kernel's word about the primary", err)
	}
	// The mode cannot change: refused before the kernel.
	if err := h.Set("nk0", links.Change{Options: &links.Netkit{Mode: ptr(rtnl.NetkitModeL2)}}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("mode change: %v; want ErrInvalid", err)
	}

	if err := h.Delete("nk0"); err != nil {
		t.Fatal(err)
	}
	if _, err := ph.Get("nk1"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("nk1 after deleting nk0: %v; want ENODEV (a pair goes together)", err)
	}
}

// TestNetkitInvalid checks the specs refused before anything reaches the
// kernel, so on any kernel: nothing is created.
func TestNetkitInvalid(t *testing.T) {
	h, _ := setup(t)
	mac := mustGet(t, h, "p0").MAC
	for _, c := range []struct {
		name string
		spec *links.Netkit
		want string
	}{
		{"mac in l3", &links.Netkit{Attrs: links.Attrs{Name: "nk0", MAC: mac}, Peer: links.Attrs{Name: "nk1"}}, "only in mode l2"},
		{"peer mac in l3", &links.Netkit{Attrs: links.Attrs{Name: "nk0"}, Peer: links.Attrs{Name: "nk1", MAC: mac}, Mode: ptr(rtnl.NetkitModeL3)}, "only in mode l2"},
		{"no peer name", &links.Netkit{Attrs: links.Attrs{Name: "nk0"}}, "a link needs a name"},
		{"bad mode", &links.Netkit{Attrs: links.Attrs{Name: "nk0"}, Peer: links.Attrs{Name: "nk1"}, Mode: ptr(rtnl.NetkitMode(7))}, "use l2 or l3"},
		{"bad policy", &links.Netkit{Attrs: links.Attrs{Name: "nk0"}, Peer: links.Attrs{Name: "nk1"}, PeerPolicy: ptr(rtnl.NetkitPolicy(1))}, "use forward or blackhole"},
	} {
		err := h.Create(c.spec)
		if !errors.Is(err, errdefs.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrInvalid saying %q", c.name, err, c.want)
		}
	}
	if _, err := h.Get("nk0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("nk0 after the refusals: %v; want ENODEV", err)
	}
}
