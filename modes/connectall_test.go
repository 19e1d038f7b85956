package modes

import (
	"errors"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
)

// ConnectAll makes every endpoint as Connect would: each namespace gets
// its link with a distinct address, up, and the records hold them all.
func TestConnectAll(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	var specs []ConnectSpec
	var handles []*links.Handle
	for range 5 {
		_, name, th := e.target()
		specs = append(specs, ConnectSpec{Network: "net", NetNS: name})
		handles = append(handles, th)
	}
	eps, err := e.m.ConnectAll(specs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.168.0.64/24", "192.168.0.65/24", "192.168.0.66/24", "192.168.0.67/24", "192.168.0.68/24"}
	for i, th := range handles {
		l := mustGet(t, th, "eth0")
		if l.Kind != "macvlan" || !l.Up() || l.MAC.String() != eps[i].MAC {
			t.Errorf("%s: eth0 is a %q link, up %v, MAC %s (recorded %s)", specs[i].NetNS, l.Kind, l.Up(), l.MAC, eps[i].MAC)
		}
		got := addrs(t, th, "eth0")
		if len(got) != 2 || got[0] != want[i] {
			t.Errorf("%s: addresses %v, want %s and one IPv6", specs[i].NetNS, got, want[i])
		}
		eqList(t, "routes of "+specs[i].NetNS, routeTable(t, th), sorted(
			"192.168.0.0/24 dev eth0", "default via 192.168.0.1 dev eth0",
			"-6 fd00::/64 dev eth0", "-6 default via fd00::1 dev eth0"))
	}
	n, err := e.manager().Network("net")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Endpoints) != 5 {
		t.Errorf("%d endpoints recorded, want 5", len(n.Endpoints))
	}
}

// When one endpoint of a batch fails, none is left: no link in any
// target, no record.
func TestConnectAllRollback(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	before := e.stateBytes()
	hostBefore := linkNames(t, e.hh)
	var specs []ConnectSpec
	var handles []*links.Handle
	for i := range 6 {
		_, name, th := e.target()
		if i == 4 {
			if err := th.Create(&links.Veth{Attrs: links.Attrs{Name: "eth0"}, Peer: links.Attrs{Name: "peer0"}}); err != nil {
				t.Fatal(err)
			}
		}
		specs = append(specs, ConnectSpec{Network: "net", NetNS: name})
		handles = append(handles, th)
	}
	_, err := e.m.ConnectAll(specs)
	errContains(t, err, "connect "+specs[4].NetNS+" to net", "interface eth0 already exists")
	if !errors.Is(err, ErrConflict) {
		t.Errorf("%v: want ErrConflict", err)
	}
	for i, th := range handles {
		want := []string{"lo"}
		if i == 4 {
			want = []string{"eth0", "lo", "peer0"}
		}
		eqList(t, "links of "+specs[i].NetNS, linkNames(t, th), want)
	}
	eqList(t, "host links", linkNames(t, e.hh), hostBefore)
	eq(t, "state file", e.stateBytes(), before)

	// One namespace twice in a batch is refused before anything is made.
	_, name, th := e.target()
	_, err = e.m.ConnectAll([]ConnectSpec{{Network: "net", NetNS: name}, {Network: "net", NetNS: name}})
	errContains(t, err, "network namespace "+name+" is already connected to network net")
	eqList(t, "links", linkNames(t, th), []string{"lo"})
	eq(t, "state file", e.stateBytes(), before)
}

// An endpoint without IPv6 has IPv6 disabled, as Docker does: no
// link-local address, so it sends no DAD, router solicitation or MLD.
func TestConnectIPv4OnlyDisablesIPv6(t *testing.T) {
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "v4", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.30.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	ns, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "v4", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	eq(t, "disable_ipv6", sysctlIn(t, ns, "net/ipv6/conf/eth0/disable_ipv6"), "1")
	eqList(t, "addresses", addrs(t, th, "eth0"), []string{"10.30.0.1/24"})
}

// A batch larger than one private procfs instance serves sets each
// endpoint's sysctls in its own namespace: each IPv4-only eth0 has IPv6
// disabled, and the namespace's other links keep theirs.
func TestConnectAllSysctls(t *testing.T) {
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "v4", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.31.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	n := namespacesPerProc + 6
	specs := make([]ConnectSpec, n)
	nss := make([]*netns.NS, n)
	for i := range specs {
		ns, name, _ := e.target()
		specs[i], nss[i] = ConnectSpec{Network: "v4", NetNS: name}, ns
	}
	if _, err := e.m.ConnectAll(specs); err != nil {
		t.Fatal(err)
	}
	for i, ns := range nss {
		eq(t, specs[i].NetNS+" eth0 disable_ipv6", sysctlIn(t, ns, "net/ipv6/conf/eth0/disable_ipv6"), "1")
		eq(t, specs[i].NetNS+" lo disable_ipv6", sysctlIn(t, ns, "net/ipv6/conf/lo/disable_ipv6"), "0")
	}
}
