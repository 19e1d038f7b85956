package main

import (
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vlanraw/vlanraw/links"
)

// TestKillHostRoutes kills a connect and a disconnect on a host access
// network that is the parent's LAN (p0 carries 10.70.0.10/24), whose
// endpoints each have a route through the host link, at each step: after
// the next command, the host routes through the host link are those of
// the recorded endpoints, no more and no fewer (see modes/hostroutes.go),
// besides the invariant. A network create killed at each step leaves the
// host link with its address alone, or nothing.
func TestKillHostRoutes(t *testing.T) {
	lanWorld := func(t *testing.T) *world {
		t.Helper()
		w := macvlanWorld(t, "other", "10.71.0.0/24")
		vrLine(t, w.host, "addr add dev p0 10.70.0.10/24")
		return w
	}
	const create = "network create -d macvlan --subnet 10.70.0.0/24 --ip-range 10.70.0.128/25 -o parent=p0 -o host_access=10.70.0.5 hnet"
	for _, step := range append(slices.Clone(connectSteps), "host-route") {
		t.Run("connect-"+step, func(t *testing.T) {
			w := lanWorld(t)
			w.vr(create)
			by := newNetNS(t)
			w.connect("hnet", by)
			ns := newNetNS(t)
			s := stopAt(t, w, step, "connect", "hnet", ns)
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			if step == "host-route" && len(hostRoutes(t, w)) != 2 {
				t.Errorf("killed at %s: host routes %q, want 2 (the test exercises no recovery otherwise)", step, hostRoutes(t, w))
			}
			a := w.invariant(by, ns)
			a.allOrNone(t, "hnet", []string{ns})
			a.stillConnected(t, "hnet", by)
			checkHostRoutes(t, w, a, step)
		})
	}
	for _, step := range []string{"intent", "deleted"} {
		t.Run("disconnect-"+step, func(t *testing.T) {
			w := lanWorld(t)
			w.vr(create)
			by, ns := newNetNS(t), newNetNS(t)
			w.connect("hnet", by)
			w.connect("hnet", ns)
			s := stopAt(t, w, step, "disconnect", "hnet", ns)
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			a := w.invariant(by, ns)
			a.disconnected(t, "hnet", []string{ns})
			a.stillConnected(t, "hnet", by)
			checkHostRoutes(t, w, a, step)
		})
	}
	for _, step := range []string{"intent", "host-link", "host-configured", "network"} {
		t.Run("create-"+step, func(t *testing.T) {
			w := lanWorld(t)
			s := stopAt(t, w, step, strings.Fields(create)...)
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			a := w.invariant()
			n := findNet(a.nets, "hnet")
			checkHostLink(t, a, w.host, step, n)
			if n == nil {
				return
			}
			l, ok := hostHas(t, a, w.host, "vh-"+short12(n.ID))
			if want := []netip.Prefix{netip.MustParsePrefix("10.70.0.5/32")}; ok && !slices.Equal(hostLinkAddrs(a, l.Name, w.host), want) {
				t.Errorf("killed at %s: host link %s has %v, want %v", step, l.Name, hostLinkAddrs(a, l.Name, w.host), want)
			}
			ns := newNetNS(t)
			w.connect("hnet", ns)
			checkHostRoutes(t, w, w.invariant(ns), step)
		})
	}
}

// hostLinkAddrs returns the IPv4 addresses of the link name in ns, as a
// recorded.
func hostLinkAddrs(a *after, name, ns string) []netip.Prefix {
	for _, l := range a.links {
		if l.ns == ns && l.link.Name == name {
			return l.addrs
		}
	}
	return nil
}

// hostRoutes returns the /32 routes through a vh- link in w's host, as
// "ADDR dev LINK".
func hostRoutes(t *testing.T, w *world) []string {
	t.Helper()
	h, err := links.OpenName(w.host)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ls, err := h.List("")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		if !strings.HasPrefix(l.Name, "vh-") {
			continue
		}
		rs, err := h.Routes(l.Index)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Dst.IsSingleIP() {
				out = append(out, r.Dst.Addr().String()+" dev "+l.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// checkHostRoutes checks that the routes through the host link of hnet
// are one per recorded endpoint, after the command a ran.
func checkHostRoutes(t *testing.T, w *world, a *after, step string) {
	t.Helper()
	var want []string
	if n := findNet(a.nets, "hnet"); n != nil {
		for _, e := range n.Containers {
			addr, _, _ := strings.Cut(e.IPv4Address, "/")
			want = append(want, addr+" dev vh-"+short12(n.ID))
		}
	}
	slices.Sort(want)
	if got := hostRoutes(t, w); !slices.Equal(got, want) {
		t.Errorf("killed at %s: host routes %q, want one per recorded endpoint %q", step, got, want)
	}
}
