package modes

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
)

// watchDeadline bounds the wait for a change Watch must report.
const watchDeadline = 10 * time.Second

// TestAnnounced: of an ipvlan l3 network on p0 (dual-stack) and a
// macvlan network beside it, Announced lists the l3 one, its subnets via
// p0's addresses of each family; named, the macvlan one is ErrInvalid
// and an unknown name is returned as missing.
func TestAnnounced(t *testing.T) {
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "l3", Driver: IPVlan, IPv6: true,
		Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24"}, {Subnet: "fd00:10::/64"}},
		Options: map[string]string{"parent": "p0", "ipvlan_mode": "l3"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.hh.Create(&links.Veth{Attrs: links.Attrs{Name: "p2", Up: true}, Peer: links.Attrs{Name: "p3", Up: true, NetNS: e.router}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "mv", Driver: MACVlan, Subnets: []SubnetSpec{{Subnet: "192.168.20.0/24"}},
		Options: map[string]string{"parent": "p2"}}); err != nil {
		t.Fatal(err)
	}
	want := []UpstreamRoute{
		{Dst: netip.MustParsePrefix("192.168.10.0/24"), Via: hostAddr4.Addr()},
		{Dst: netip.MustParsePrefix("fd00:10::/64"), Via: hostAddr6.Addr()},
	}
	for _, names := range [][]string{nil, {"l3"}} {
		ups, missing, err := e.m.Announced(names)
		if err != nil || len(missing) != 0 || len(ups) != 1 || ups[0].Network != "l3" || !slices.Equal(ups[0].Routes, want) {
			t.Errorf("Announced(%q): %v, missing %q, %v; want l3 with %v", names, ups, missing, err, want)
		}
	}
	_, _, err := e.m.Announced([]string{"l3", "mv"})
	if !errors.Is(err, errdefs.ErrInvalid) || !strings.Contains(err.Error(), "network mv is macvlan bridge") {
		t.Errorf("Announced(l3, mv): %v; want ErrInvalid naming mv", err)
	}
	ups, missing, err := e.m.Announced([]string{"gone", "l3"})
	if err != nil || !slices.Equal(missing, []string{"gone"}) || len(ups) != 1 {
		t.Errorf("Announced(gone, l3): %v, missing %q, %v; want l3 and gone missing", ups, missing, err)
	}
}

// TestWatch: Watch reports an address added in the host namespace and a
// network created (by another Manager, as another process would), and
// closes its channel when its context ends.
func TestWatch(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes, err := e.m.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wait := func(what string) {
		t.Helper()
		select {
		case err, ok := <-changes:
			if err != nil || !ok {
				t.Fatalf("after %s: Watch sent %v (open %v); want a change", what, err, ok)
			}
		case <-time.After(watchDeadline):
			t.Fatalf("Watch reported nothing %s after %s", watchDeadline, what)
		}
	}
	// The address first: one notification, so that nothing of it is
	// left to pass for the network's.
	addAddr(t, e.hh, "p0", netip.MustParsePrefix("192.168.0.11/24"))
	wait("an address added to p0")
	if _, err := e.manager().CreateNetwork(NetworkSpec{Name: "l3", Driver: IPVlan, Subnets: []SubnetSpec{{Subnet: "192.168.10.0/24"}},
		Options: map[string]string{"parent": "p0", "ipvlan_mode": "l3"}}); err != nil {
		t.Fatal(err)
	}
	wait("network create")
	cancel()
	for {
		select {
		case err, ok := <-changes:
			if !ok {
				return
			}
			if err != nil {
				t.Fatalf("Watch, cancelled: %v", err)
			}
		case <-time.After(watchDeadline):
			t.Fatalf("Watch's channel still open %s after its context ended", watchDeadline)
		}
	}
}
