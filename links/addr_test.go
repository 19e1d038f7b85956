package links_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"golang.org/x/sys/unix"
)

func TestAddressesRoutesNeighs(t *testing.T) {
	h, _ := setup(t)
	p0, err := h.Get("p0")
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParsePrefix("192.168.10.10/24")
	v6 := netip.MustParsePrefix("fd00:10::10/64")
	for _, p := range []netip.Prefix{v4, v6} {
		if err := h.AddAddress(p0.Index, p, true); err != nil {
			t.Fatal(err)
		}
	}
	addrs, err := h.Addresses(p0.Index)
	if err != nil {
		t.Fatal(err)
	}
	have := map[netip.Prefix]bool{}
	for _, a := range addrs {
		have[a] = true
	}
	if !have[v4] || !have[v6] {
		t.Errorf("addresses %v lack %v or %v", addrs, v4, v6)
	}

	routes := []links.Route{
		{Index: p0.Index},           // default dev p0
		{Index: p0.Index, V6: true}, // default dev p0 (v6)
		{Dst: netip.MustParsePrefix("10.20.0.0/16"), Gateway: netip.MustParseAddr("192.168.10.1"), Index: p0.Index},
	}
	for _, r := range routes {
		if err := h.AddRoute(r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	got, err := h.Routes(p0.Index)
	if err != nil {
		t.Fatal(err)
	}
	find := func(r links.Route) bool {
		for _, g := range got {
			if g.Dst == r.Dst && g.Gateway == r.Gateway && g.Index == r.Index && g.V6 == r.V6 {
				return true
			}
		}
		return false
	}
	for _, r := range routes {
		if !find(r) {
			t.Errorf("kernel lacks route %+v; has %+v", r, got)
		}
	}
	if err := h.AddRoute(routes[0]); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding a route twice: %v, want EEXIST", err)
	}

	n := links.Neigh{IP: netip.MustParseAddr("192.168.10.7"), MAC: net.HardwareAddr{2, 1, 2, 3, 4, 5}, Index: p0.Index}
	if err := h.AddNeigh(n); err != nil {
		t.Fatal(err)
	}
	ns, err := h.Neighs(p0.Index)
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, e := range ns {
		if e.IP == n.IP && e.MAC.String() == n.MAC.String() && e.State == unix.NUD_PERMANENT {
			ok = true
		}
	}
	if !ok {
		t.Errorf("no permanent entry %v in %+v", n, ns)
	}

	// Adding it again is refused; replacing it with another MAC, in one
	// request, is not, and the kernel then has the new one.
	if err := h.AddNeigh(n); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("add the same neighbour again: %v, want EEXIST", err)
	}
	n.MAC = net.HardwareAddr{2, 1, 2, 3, 4, 6}
	if err := h.ReplaceNeigh(n); err != nil {
		t.Fatal(err)
	}
	if ns, err = h.Neighs(p0.Index); err != nil {
		t.Fatal(err)
	}
	ok = false
	for _, e := range ns {
		if e.IP == n.IP && e.MAC.String() == n.MAC.String() && e.State == unix.NUD_PERMANENT {
			ok = true
		}
	}
	if !ok {
		t.Errorf("neighbours %+v lack the replaced %+v", ns, n)
	}

	// Deleting takes everything away again.
	if err := h.DeleteNeigh(n); err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if err := h.DeleteRoute(r); err != nil {
			t.Fatalf("delete %+v: %v", r, err)
		}
	}
	if err := h.DeleteAddress(p0.Index, v4); err != nil {
		t.Fatal(err)
	}
	if got, _ = h.Routes(p0.Index); find(routes[2]) || find(routes[0]) {
		t.Errorf("routes left: %+v", got)
	}
}
