package bpf_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// modes are the attach modes every live test runs with.
var modes = []bpf.Mode{bpf.ModeAuto, bpf.ModeTCX, bpf.ModeClsBPF}

// TestCountsExact sends framesPerClass frames of every class from one
// namespace to another over a veth pair and checks that the counters on
// the sender's egress and the receiver's ingress counted exactly those,
// per class, per VLAN id and in bytes. On egress the VLAN tags are in
// the frames; on ingress the kernel has moved them into the skb's
// metadata (skb_vlan_untag), so both ways of seeing a tag are covered.
func TestCountsExact(t *testing.T) {
	const framesPerClass = 25
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			eg := attach(t, bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Direction: bpf.Egress, Mode: mode})
			if eg == nil {
				return
			}
			in := attach(t, bpf.AttachOptions{NetNS: p.b, Ifname: "t1", Direction: bpf.Ingress, Mode: mode})
			egBefore, err := eg.Counts()
			if err != nil {
				t.Fatal(err)
			}
			inBefore, err := in.Counts()
			if err != nil {
				t.Fatal(err)
			}
			if egBefore.Total().Packets != 0 || inBefore.Total().Packets != 0 {
				t.Errorf("fresh counters are not zero: egress %+v, ingress %+v", egBefore, inBefore)
			}
			frames := liveFrames()
			send(t, p.a, "t0", frames, framesPerClass)
			want := sum(frames, framesPerClass)
			waitCounts(t, eg, egBefore, want)
			waitCounts(t, in, inBefore, want)
		})
	}
}

// TestAutoMode checks the path ModeAuto takes: TCX on 6.6 and later,
// cls_bpf before, with the interface in another namespace.
func TestAutoMode(t *testing.T) {
	testenv.RequireRoot(t)
	p := newPair(t)
	for _, d := range bpf.Directions() {
		h := attach(t, bpf.AttachOptions{NetNS: p.b, Ifname: "t1", Direction: d})
		t.Logf("kernel %s: %s %s attached with %s", testenv.KernelRelease(), h.Ifname(), h.Direction(), h.Mode())
	}
}

// TestPassesThrough checks that the classifier changes nothing for the
// filters and programs after it: a trivial counter attached behind it on
// the same hook (a TCX program appended after it, or a cls_bpf filter
// of a later priority) must see every frame. A classifier that returned
// TC_ACT_OK (or TCX_PASS) would end the hook's run there.
func TestPassesThrough(t *testing.T) {
	const n = 40
	for _, mode := range []bpf.Mode{bpf.ModeTCX, bpf.ModeClsBPF} {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			h := attach(t, bpf.AttachOptions{NetNS: p.b, Ifname: "t1", Direction: bpf.Ingress, Mode: mode})
			if h == nil {
				return
			}
			tail, tailMap := trivialCounter(t)
			attachAfter(t, p.b, "t1", mode, tail)
			frames := liveFrames()
			send(t, p.a, "t0", frames, n)
			waitCounts(t, h, bpf.Counts{}, sum(frames, n))
			if got, want := trivialCount(t, tailMap), uint64(n*len(frames)); got != want {
				t.Errorf("the program after vlanraw's saw %d frames; want %d", got, want)
			}
		})
	}
}

// TestDeliveryUnchanged checks that traffic still flows with counters on
// every hook of both ends.
func TestDeliveryUnchanged(t *testing.T) {
	p := newPair(t)
	hooks := map[string]*bpf.Hook{}
	for _, x := range []struct {
		ns     *netns.NS
		ifname string
	}{{p.a, "t0"}, {p.b, "t1"}} {
		for _, d := range bpf.Directions() {
			hooks[x.ifname+" "+d.String()] = attach(t, bpf.AttachOptions{NetNS: x.ns, Ifname: x.ifname, Direction: d})
		}
	}
	pingIPv4(t, p)
	// The ping's ARP request went out of t0 and into t1, its echo
	// requests too; the replies came back the other way.
	for name, c := range map[string]bpf.Class{
		"t0 egress": bpf.ClassARPRequest, "t1 ingress": bpf.ClassARPRequest,
		"t1 egress": bpf.ClassARPReply, "t0 ingress": bpf.ClassARPReply,
	} {
		got, err := hooks[name].Counts()
		if err != nil {
			t.Fatal(err)
		}
		if got.Class[c].Packets == 0 || got.Class[bpf.ClassIPv4Unicast].Packets == 0 {
			t.Errorf("%s: counted %+v; want an %s and IPv4 unicast", name, got.Class, c)
		}
	}
}

// attachAfter attaches prog behind vlanraw's classifier on ifname's
// ingress: appended to the TCX programs, or as a cls_bpf filter of a
// later priority than the one the kernel gave vlanraw's.
func attachAfter(t *testing.T, ns *netns.NS, ifname string, mode bpf.Mode, prog *ebpf.Program) {
	t.Helper()
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := c.GetLink(ifname)
	if err != nil {
		t.Fatal(err)
	}
	if mode == bpf.ModeClsBPF {
		if err := c.AddFilter(rtnl.NewBPFFilter(l.Index, rtnl.ParentIngress, 65000, prog.FD(), "test-tail")); err != nil {
			t.Fatal(err)
		}
		return
	}
	var tl link.Link
	err = ns.Do(func() error {
		var err error
		tl, err = link.AttachTCX(link.TCXOptions{Interface: int(l.Index), Program: prog, Attach: ebpf.AttachTCXIngress})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tl.Close() })
}

// pingIPv4 gives t0 and t1 addresses and pings t1 from t0's namespace,
// then checks that t0's egress counter saw the ARP request and the
// echo requests as unicast.
func pingIPv4(t *testing.T, p *pair) {
	t.Helper()
	for _, x := range []struct {
		ns     *netns.NS
		ifname string
		prefix string
	}{{p.a, "t0", "10.77.0.1/24"}, {p.b, "t1", "10.77.0.2/24"}} {
		h, err := links.Open(x.ns)
		if err != nil {
			t.Fatal(err)
		}
		l, err := h.Get(x.ifname)
		if err == nil {
			err = h.AddAddress(l.Index, netip.MustParsePrefix(x.prefix), true)
		}
		h.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := traffic.Ping(p.a, netip.Addr{}, netip.MustParseAddr("10.77.0.2"), 10*time.Second); err != nil {
		t.Fatalf("ping across counters on every hook: %v", err)
	}
}
