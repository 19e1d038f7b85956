package modes

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// dualStack is a macvlan network on p0 over the router's subnets, with
// gateways.
func dualStack(t testing.TB, e *env, name string, extra map[string]string) *Network {
	t.Helper()
	opts := map[string]string{"parent": "p0"}
	for k, v := range extra {
		opts[k] = v
	}
	n, err := e.m.CreateNetwork(NetworkSpec{Name: name, Driver: MACVlan, Options: opts,
		Subnets: []SubnetSpec{
			{Subnet: "192.168.0.0/24", Gateway: "192.168.0.1", IPRange: "192.168.0.64/26"},
			{Subnet: "fd00::/64", Gateway: "fd00::1"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The link is in the target namespace, named eth0, up, with the
// addresses (IPv6 usable at once), the sysctls, and exactly Docker's
// routes; nothing is left in the host namespace.
func TestConnectMACVlan(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	hostBefore := linkNames(t, e.hh)
	ns, name, th := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	l := mustGet(t, th, "eth0")
	if l.Kind != "macvlan" || !l.Up() {
		t.Errorf("eth0: kind %q up %v, want an up macvlan", l.Kind, l.Up())
	}
	if l.MAC[0]&2 == 0 || l.MAC[0]&1 != 0 || l.MAC.String() != ep.MAC {
		t.Errorf("MAC %s (recorded %s): want a locally administered unicast address, as recorded", l.MAC, ep.MAC)
	}
	if l.Msg.Flags&unix.IFF_NOARP != 0 {
		t.Error("a macvlan endpoint is NOARP")
	}
	eqList(t, "addresses", addrs(t, th, "eth0"), []string{"192.168.0.64/24", "fd00::2/64"})
	eqList(t, "routes", routeTable(t, th), sorted(
		"192.168.0.0/24 dev eth0",
		"default via 192.168.0.1 dev eth0",
		"-6 fd00::/64 dev eth0",
		"-6 default via fd00::1 dev eth0",
	))
	var got []string
	for _, r := range ep.Routes {
		got = append(got, r.String())
	}
	eqList(t, "recorded routes", got, []string{"default via 192.168.0.1 dev eth0", "default via fd00::1 dev eth0"})
	checkNoTentative(t, th, l.Index)
	for path, want := range map[string]string{
		"net/ipv6/conf/eth0/disable_ipv6": "0",
		"net/ipv4/conf/eth0/arp_notify":   "1",
		"net/ipv6/conf/eth0/ndisc_notify": "1",
	} {
		eq(t, path, sysctlIn(t, ns, path), want)
	}
	eqList(t, "host links", linkNames(t, e.hh), hostBefore)
	eqList(t, "target links", linkNames(t, th), []string{"eth0", "lo"})
	eq(t, "recorded path", ep.NetNSPath, netns.Dir+"/"+name)
}

// checkNoTentative fails when an IPv6 address on the link is tentative
// (DAD not skipped).
func checkNoTentative(t testing.TB, h *links.Handle, index int) {
	t.Helper()
	ms, err := h.Conn().ListAddresses(unix.AF_INET6, uint32(index))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, m := range ms {
		if m.Attributes.Address.IsLinkLocalUnicast() {
			continue
		}
		seen++
		if m.Attributes.Flags&unix.IFA_F_TENTATIVE != 0 || m.Attributes.Flags&unix.IFA_F_NODAD == 0 {
			t.Errorf("address %s has flags %#x: want nodad, not tentative", m.Attributes.Address, m.Attributes.Flags)
		}
	}
	if seen == 0 {
		t.Error("no global IPv6 address on the link")
	}
}

func TestConnectRoutesWithoutGateway(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name     string
		spec     NetworkSpec
		want     []string
		internal bool
	}{
		{"no gateway", NetworkSpec{Driver: MACVlan, Subnets: []SubnetSpec{{Subnet: "10.50.0.0/24"}}},
			[]string{"10.50.0.0/24 dev eth0"}, false},
		{"internal with a gateway", NetworkSpec{Driver: MACVlan, Internal: true, Subnets: []SubnetSpec{{Subnet: "10.51.0.0/24", Gateway: "10.51.0.1"}}},
			[]string{"10.51.0.0/24 dev eth0"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Name = strings.ReplaceAll(tc.name, " ", "-")
			tc.spec.Options = map[string]string{"parent": "p0"}
			if _, err := e.m.CreateNetwork(tc.spec); err != nil {
				t.Fatal(err)
			}
			_, name, th := e.target()
			if _, err := e.m.Connect(ConnectSpec{Network: tc.spec.Name, NetNS: name}); err != nil {
				t.Fatal(err)
			}
			eqList(t, "routes", routeTable(t, th), tc.want)
		})
	}
}

func TestConnectMAC(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name, MAC: "02:42:c0:a8:00:99"}); err != nil {
		t.Fatal(err)
	}
	eq(t, "MAC", mustGet(t, th, "eth0").MAC.String(), "02:42:c0:a8:00:99")
	for _, tc := range []struct{ mac, msg string }{
		{"01:00:5e:00:00:01", "a link needs a unicast address"},
		{"00:00:00:00:00:00", "a link needs a unicast address"},
		{"zz", `invalid MAC address "zz"`},
	} {
		_, name, _ := e.target()
		_, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name, MAC: tc.mac})
		errContains(t, err, tc.msg)
		if !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%v does not match errdefs.ErrInvalid", err)
		}
	}
}

func TestConnectAddresses(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "a", nil)
	// A network overlapping a is refused, with Docker's message.
	_, err := e.m.CreateNetwork(NetworkSpec{Name: "b", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "192.168.0.0/24", IPRange: "192.168.0.64/26", Gateway: "192.168.0.254"}}})
	errContains(t, err, "Pool overlaps with other one on this address space", "192.168.0.0/24 of network a")
	if !errors.Is(err, ErrConflict) || !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("%v: want ErrConflict and errdefs.ErrInvalid", err)
	}
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "b", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "192.168.1.0/24", IPRange: "192.168.1.64/26", Gateway: "192.168.1.254"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "v4only", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.60.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	_, n1, _ := e.target()
	ep1, err := e.m.Connect(ConnectSpec{Network: "a", NetNS: n1, IPv4: "192.168.0.7", IPv6: "fd00::7"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "explicit IPv4 outside the ip-range", ep1.IPv4.String(), "192.168.0.7/24")
	eq(t, "explicit IPv6", ep1.IPv6.String(), "fd00::7/64")
	_, n2, _ := e.target()
	ep2, err := e.m.Connect(ConnectSpec{Network: "b", NetNS: n2})
	if err != nil {
		t.Fatal(err)
	}
	_, n3, _ := e.target()
	ep3, err := e.m.Connect(ConnectSpec{Network: "a", NetNS: n3})
	if err != nil {
		t.Fatal(err)
	}
	if ep2.IPv4.Addr() != mustAddr("192.168.1.64") || ep3.IPv4.Addr() != mustAddr("192.168.0.64") {
		t.Errorf("networks b and a allocated %s and %s: want 192.168.1.64 and 192.168.0.64", ep2.IPv4, ep3.IPv4)
	}
	before := e.stateBytes()
	for _, tc := range []struct {
		name string
		spec ConnectSpec
		kind error
		msg  string
	}{
		{"outside every subnet", ConnectSpec{Network: "a", IPv4: "10.9.9.9"}, errdefs.ErrInvalid, "no configured subnet contains IP address 10.9.9.9"},
		{"another network's subnet", ConnectSpec{Network: "b", IPv4: "192.168.0.8"}, errdefs.ErrInvalid, "no configured subnet contains IP address 192.168.0.8"},
		{"used", ConnectSpec{Network: "a", IPv4: "192.168.0.7"}, ErrConflict, "address 192.168.0.7 is already in use"},
		{"IPv6 used", ConnectSpec{Network: "a", IPv6: "fd00::7"}, ErrConflict, "address fd00::7 is already in use"},
		{"own gateway", ConnectSpec{Network: "a", IPv4: "192.168.0.1"}, ErrConflict, "address 192.168.0.1 is reserved as the gateway"},
		{"network address", ConnectSpec{Network: "a", IPv4: "192.168.0.0"}, ErrConflict,
			"address 192.168.0.0 is reserved as the network address of 192.168.0.0/24; pick another address, or give none to have one allocated"},
		{"broadcast address", ConnectSpec{Network: "b", IPv4: "192.168.1.255"}, ErrConflict,
			"address 192.168.1.255 is reserved as the broadcast address of 192.168.1.0/24; pick another address, or give none to have one allocated"},
		{"subnet-router anycast address", ConnectSpec{Network: "a", IPv6: "fd00::"}, ErrConflict,
			"address fd00:: is reserved as the subnet-router anycast address of fd00::/64; pick another address, or give none to have one allocated"},
		{"IPv6 on a network without", ConnectSpec{Network: "v4only", IPv6: "fd00::9"}, errdefs.ErrInvalid, "network v4only does not have IPv6 enabled"},
		{"IPv6 given as IPv4", ConnectSpec{Network: "a", IPv4: "fd00::9"}, errdefs.ErrInvalid, `invalid IPv4 address "fd00::9"`},
		{"ipvlan MAC on macvlan is fine, bad name is not", ConnectSpec{Network: "a", IfName: "a/b"}, errdefs.ErrInvalid, `invalid link name "a/b"`},
		{"unknown network", ConnectSpec{Network: "zz"}, ErrNotFound, "network zz not found"},
		{"already connected", ConnectSpec{Network: "a", NetNS: n1}, ErrConflict, "is already connected to network a"},
		{"no namespace", ConnectSpec{Network: "a", NetNS: "vrtest-none"}, ErrNotFound, "network namespace vrtest-none: /run/netns/vrtest-none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.spec.NetNS == "" {
				_, tc.spec.NetNS, _ = e.target()
			}
			_, err := e.m.Connect(tc.spec)
			errContains(t, err, tc.msg)
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("%v does not match %v", err, tc.kind)
			}
		})
	}
	eq(t, "state file after refusals", e.stateBytes(), before)
}

// A failure at any step after the link exists leaves nothing: no link in
// either namespace, the state file as it was, byte for byte.
func TestConnectRollback(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	_, keep, _ := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: keep}); err != nil {
		t.Fatal(err)
	}
	before := e.stateBytes()
	hostBefore := linkNames(t, e.hh)

	t.Run("name taken in the namespace", func(t *testing.T) {
		_, name, th := e.target()
		if err := th.Create(&links.Veth{Attrs: links.Attrs{Name: "eth0"}, Peer: links.Attrs{Name: "peer0"}}); err != nil {
			t.Fatal(err)
		}
		_, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
		errContains(t, err, "interface eth0 already exists in network namespace "+name)
		if !errors.Is(err, ErrConflict) || !errors.Is(err, unix.EEXIST) {
			t.Errorf("%v: want ErrConflict and EEXIST", err)
		}
		eqList(t, "target links", linkNames(t, th), []string{"eth0", "lo", "peer0"})
		eqList(t, "host links", linkNames(t, e.hh), hostBefore)
		eq(t, "state file", e.stateBytes(), before)
	})
	for _, step := range []string{"created", "sysctls", "addresses", "up", "configured"} {
		t.Run("fail after "+step, func(t *testing.T) {
			_, name, th := e.target()
			injected := fmt.Errorf("injected failure after %s", step)
			testHook = func(s string) error {
				if s == step {
					return injected
				}
				return nil
			}
			defer func() { testHook = nil }()
			_, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
			if !errors.Is(err, injected) {
				t.Fatalf("Connect: %v, want the injected failure", err)
			}
			eqList(t, "target links", linkNames(t, th), []string{"lo"})
			eqList(t, "target routes", routeTable(t, th), nil)
			eqList(t, "host links", linkNames(t, e.hh), hostBefore)
			eq(t, "state file", e.stateBytes(), before)
		})
	}
	// The addresses were not kept: the next endpoint gets the one the
	// failed attempts had.
	_, name, _ := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "address after the failures", ep.IPv4.String(), "192.168.0.65/24")
}

// A link called eth0 in the host namespace does not stop an endpoint
// called eth0 (kernels before 6.18 check the name in the creating
// namespace too).
func TestConnectNameUsedOnHost(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	if err := e.hh.Create(&links.Veth{Attrs: links.Attrs{Name: "eth0"}, Peer: links.Attrs{Name: "eth1"}}); err != nil {
		t.Fatal(err)
	}
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	if l := mustGet(t, th, "eth0"); l.Kind != "macvlan" {
		t.Errorf("eth0 in the target is a %q link", l.Kind)
	}
}

// A namespace with a default route keeps it: the endpoint adds none
// (one gateway per namespace and family, as Docker's gateway endpoint).
func TestConnectKeepsDefaultRoute(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "a", nil)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "b", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.70.0.0/24", Gateway: "10.70.0.1"}}}); err != nil {
		t.Fatal(err)
	}
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "a", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	ep, err := e.m.Connect(ConnectSpec{Network: "b", NetNS: name, IfName: "eth1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ep.Routes) != 0 || len(ep.Notes) != 1 || !strings.Contains(ep.Notes[0], "no default via 10.70.0.1 dev eth1 added") {
		t.Errorf("second endpoint: routes %v notes %q", ep.Routes, ep.Notes)
	}
	eqList(t, "routes", routeTable(t, th), sorted(
		"192.168.0.0/24 dev eth0", "default via 192.168.0.1 dev eth0",
		"-6 fd00::/64 dev eth0", "-6 default via fd00::1 dev eth0",
		"10.70.0.0/24 dev eth1"))
}

func TestDisconnect(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Disconnect("net", name); err != nil {
		t.Fatal(err)
	}
	eqList(t, "target links", linkNames(t, th), []string{"lo"})
	err := e.m.Disconnect("net", name)
	errContains(t, err, "network namespace "+name+" is not connected to network net")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("%v does not match ErrNotFound", err)
	}
	// The address is free again.
	ep, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "address after disconnect", ep.IPv4.String(), "192.168.0.64/24")

	// A namespace that is gone leaves a record only, which Disconnect drops.
	gone, err := netns.Add("vrtest-gone-" + ep.ID[:8])
	if err != nil {
		t.Fatal(err)
	}
	goneName := "vrtest-gone-" + ep.ID[:8]
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: goneName}); err != nil {
		t.Fatal(err)
	}
	gone.Close()
	if err := netns.Delete(goneName); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Disconnect("net", goneName); err != nil {
		t.Fatalf("disconnect from a deleted namespace: %v", err)
	}
	n, err := e.m.Network("net")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Endpoints) != 1 || n.Endpoints[0].NetNS != name {
		t.Errorf("endpoints left: %+v", n.Endpoints)
	}
}

// DisconnectAll and ForceRemoveNetwork delete every endpoint's link, in
// every namespace; RemoveNetwork refuses while endpoints remain.
func TestDisconnectAllAndForce(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	var hs []*links.Handle
	connect := func() {
		for range 6 {
			_, name, th := e.target()
			if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
				t.Fatal(err)
			}
			hs = append(hs, th)
		}
	}
	connect()
	err := e.m.RemoveNetwork("net")
	errContains(t, err, "error while removing network: network net id", "has active endpoints", "--force")
	if !errors.Is(err, ErrConflict) {
		t.Errorf("%v does not match ErrConflict", err)
	}
	if err := e.m.DisconnectAll("net"); err != nil {
		t.Fatal(err)
	}
	for _, th := range hs {
		eqList(t, "target links after DisconnectAll", linkNames(t, th), []string{"lo"})
	}
	n, _ := e.m.Network("net")
	if len(n.Endpoints) != 0 {
		t.Errorf("records left after DisconnectAll: %d", len(n.Endpoints))
	}
	hs = nil
	connect()
	if err := e.m.ForceRemoveNetwork("net"); err != nil {
		t.Fatal(err)
	}
	for _, th := range hs {
		eqList(t, "target links after ForceRemoveNetwork", linkNames(t, th), []string{"lo"})
	}
	if nets, _ := e.m.Networks(); len(nets) != 0 {
		t.Errorf("networks left: %d", len(nets))
	}
	eqList(t, "host links", linkNames(t, e.hh), []string{"lo", "p0"})
}

// Managers racing on one state directory hand out distinct addresses.
func TestConnectConcurrent(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	const n = 8
	names := make([]string, n)
	for i := range names {
		_, names[i], _ = e.target()
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		m := e.manager()
		wg.Go(func() { _, errs[i] = m.Connect(ConnectSpec{Network: "net", NetNS: names[i]}) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	nw, err := e.m.Network("net")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ep := range nw.Endpoints {
		for _, a := range []string{ep.IPv4.String(), ep.IPv6.String(), ep.MAC} {
			if seen[a] {
				t.Errorf("%s handed out twice", a)
			}
			seen[a] = true
		}
	}
	if len(nw.Endpoints) != n {
		t.Errorf("%d endpoints recorded, want %d", len(nw.Endpoints), n)
	}
}

// A parent that is down does not stop a connect (Docker, moby#49593):
// gateways the kernel calls unreachable are left out, with a note.
func TestConnectParentDown(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	down := false
	if err := e.hh.Set("p0", links.Change{Up: &down}); err != nil {
		t.Fatal(err)
	}
	_, name, th := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	eqList(t, "addresses", addrs(t, th, "eth0"), []string{ep.IPv4.String(), ep.IPv6.String()})
	t.Logf("kernel %s, parent down: routes %v, notes %q", testenv.KernelRelease(), routeTable(t, th), ep.Notes)
	if len(ep.Routes)+len(ep.Notes) != 2 {
		t.Errorf("routes %v and notes %q: want each default route added or noted", ep.Routes, ep.Notes)
	}
}

// -o mtu sets the endpoints' MTU.
func TestConnectMTU(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", map[string]string{"mtu": "1400"})
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	eq(t, "MTU", mustGet(t, th, "eth0").MTU, uint32(1400))
	eq(t, "parent MTU", mustGet(t, e.hh, "p0").MTU, uint32(1500))
}
