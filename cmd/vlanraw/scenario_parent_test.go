package main

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// TestScenarioNoParent: a network without a parent gets a dummy parent
// (di-ID or dm-ID); its endpoints reach each other, have no default route
// and reach nothing outside; `network rm` deletes the dummy.
func TestScenarioNoParent(t *testing.T) {
	testenv.RequireKind(t, "dummy")
	for _, tt := range []struct{ driver, prefix string }{{"ipvlan", "di-"}, {"macvlan", "dm-"}} {
		t.Run(tt.driver, func(t *testing.T) {
			testenv.RequireKind(t, tt.driver)
			w := newWorld(t)
			w.vr("network create -d " + tt.driver + " --subnet 10.50.0.0/24 --gateway 10.50.0.1 lonely")
			dummy := createdLinks(t, w.host, "dummy")
			if len(dummy) != 1 || !strings.HasPrefix(dummy[0], tt.prefix) {
				t.Fatalf("host links of kind dummy: %q; want one named %s<id>", dummy, tt.prefix)
			}
			a, nsA := w.endpoint()
			b, nsB := w.endpoint()
			ipA, ipB := w.connect("lonely", a), w.connect("lonely", b)
			reaches(t, nsA, ipA, ipB)
			udpReaches(t, nsB, nsA, ipA)
			for _, ns := range []string{a, b} {
				for _, r := range routes(t, ns) {
					if strings.HasPrefix(r, "default") {
						t.Errorf("%s: route %q on a network without a parent", ns, r)
					}
				}
			}
			err := traffic.Ping(nsA, netip.Addr{}, netip.MustParseAddr("10.99.0.1"), noReachTimeout)
			if !errors.Is(err, traffic.ErrNoReply) || !errors.Is(err, syscall.ENETUNREACH) {
				t.Errorf("ping outside: %v; want network unreachable", err)
			}
			w.vrFails(exitRuntime, "active endpoints", "network rm lonely")
			w.vr("disconnect --all lonely")
			w.vr("network rm lonely")
			if left := createdLinks(t, w.host, "dummy"); len(left) != 0 {
				t.Errorf("network rm left %q", left)
			}
		})
	}
}

// createdLinks returns the names of the links of kind in namespace ns.
func createdLinks(t *testing.T, ns, kind string) []string {
	t.Helper()
	var out []string
	for _, l := range linkNames(t, ns) {
		if name, k, _ := strings.Cut(l, " "); k == kind {
			out = append(out, name)
		}
	}
	return out
}

// TestScenarioSubinterface: parent p0.50 that does not exist is created
// as vlan 50 on p0, and frames leave tagged 50. On the far side of p0's
// link, vlan 50, vlan 51 and the untagged link each answer in a namespace
// of their own (so that no namespace answers for another's address): only
// vlan 50 does. `network rm` deletes p0.50; a sub-interface that existed
// before (p0.60) is kept.
func TestScenarioSubinterface(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	far := w.uplink("p0")
	for _, x := range []struct{ vid, addr string }{{"50", "10.60.0.1/24"}, {"51", "10.60.0.2/24"}} {
		ns := newNetNS(t)
		vr(t, far, "link", "add", "link", "eth0", "name", "v"+x.vid, "netns", ns, "up", "type", "vlan", "id", x.vid)
		vr(t, ns, "addr", "add", x.addr, "dev", "v"+x.vid)
	}
	vr(t, far, "addr", "add", "10.60.0.4/24", "dev", "eth0")
	w.vr("network create -d macvlan --subnet 10.60.0.0/24 --gateway 10.60.0.1 " +
		"--aux-address vlan51=10.60.0.2 --aux-address untagged=10.60.0.4 -o parent=p0.50 tagged")
	if got := createdLinks(t, w.host, "vlan"); !slices.Equal(got, []string{"p0.50"}) {
		t.Fatalf("host vlan links: %q; want p0.50", got)
	}
	if d := vr(t, w.host, "-d", "link", "show", "dev", "p0.50"); !strings.Contains(d, "vlan protocol 802.1Q id 50") {
		t.Errorf("p0.50 is not vlan 50:\n%s", d)
	}
	e, nsE := w.endpoint()
	ip := w.connect("tagged", e)
	reaches(t, nsE, ip, "10.60.0.1")
	noReply(t, nsE, ip, "10.60.0.2")
	noReply(t, nsE, ip, "10.60.0.4")
	w.vr("disconnect tagged " + e)
	w.vr("network rm tagged")
	if got := createdLinks(t, w.host, "vlan"); len(got) != 0 {
		t.Errorf("network rm left vlan links %q", got)
	}

	vr(t, w.host, "link", "add", "link", "p0", "name", "p0.60", "up", "type", "vlan", "id", "60")
	w.vr("network create -d macvlan --subnet 10.61.0.0/24 -o parent=p0.60 mine")
	w.vr("network rm mine")
	if got := createdLinks(t, w.host, "vlan"); !slices.Equal(got, []string{"p0.60"}) {
		t.Errorf("after network rm, host vlan links are %q; want the pre-existing p0.60 kept", got)
	}
}
