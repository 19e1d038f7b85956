package modes

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// noReplyTimeout is how long a ping that must not be answered waits.
const noReplyTimeout = time.Second

// noPing checks that dst does not answer from.
func noPing(t *testing.T, what string, from *netns.NS, dst string) {
	t.Helper()
	err := traffic.Ping(from, netip.Addr{}, netip.MustParseAddr(dst), noReplyTimeout)
	if !errors.Is(err, traffic.ErrNoReply) {
		t.Errorf("%s: got %v, want no reply", what, err)
	}
}

// TestHostAccess checks, for each mode, the seed's isolation (the host's
// address on the parent reaches no endpoint, nor they it), then that
// host_access gives the host an address every endpoint reaches and from
// which the host reaches every endpoint, that restore brings it back
// after the links are deleted behind vlanraw's back, and that network rm
// removes the host's link and its route.
func TestHostAccess(t *testing.T) {
	for _, tt := range []struct {
		name string
		d    Driver
		opts map[string]string
		// dual adds an IPv6 subnet and host_access6: every check runs
		// over IPv6 too.
		dual bool
	}{
		{"macvlan-bridge", MACVlan, nil, false},
		{"ipvlan-l2", IPVlan, map[string]string{OptIPVlanMode: ModeL2}, false},
		{"ipvlan-l3", IPVlan, map[string]string{OptIPVlanMode: ModeL3}, false},
		{"ipvlan-l3s", IPVlan, map[string]string{OptIPVlanMode: ModeL3S}, false},
		{"macvlan-bridge-dual", MACVlan, nil, true},
		{"ipvlan-l2-dual", IPVlan, map[string]string{OptIPVlanMode: ModeL2}, true},
		{"ipvlan-l3-dual", IPVlan, map[string]string{OptIPVlanMode: ModeL3}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testenv.RequireKind(t, string(tt.d))
			e := newEnv(t)
			const hostIP, hostIP6 = "10.1.0.5", "fd01::5"
			hostIPs := []string{hostIP}
			if tt.dual {
				hostIPs = append(hostIPs, hostIP6)
			}
			spec := func(name string, hostAccess bool) NetworkSpec {
				o := map[string]string{OptParent: "p0"}
				for k, v := range tt.opts {
					o[k] = v
				}
				subnets := []SubnetSpec{{Subnet: "10.1.0.0/24"}}
				if hostAccess {
					o[OptHostAccess] = hostIP
				}
				if tt.dual {
					subnets = append(subnets, SubnetSpec{Subnet: "fd01::/64"})
					if hostAccess {
						o[OptHostAccess6] = hostIP6
					}
				}
				return NetworkSpec{Name: name, Driver: tt.d, Options: o, Subnets: subnets}
			}
			// connect connects two namespaces; ips[i] are the addresses
			// of the endpoint in nss[i], IPv4 then IPv6.
			connect := func(network string) (nss []*netns.NS, ips [][]string, ths []string) {
				for range 2 {
					ns, name, _ := e.target()
					ep, err := e.m.Connect(ConnectSpec{Network: network, NetNS: name})
					if err != nil {
						t.Fatal(err)
					}
					a := []string{ep.IPv4.Addr().String()}
					if tt.dual {
						if !ep.IPv6.IsValid() {
							t.Fatalf("endpoint in %s got no IPv6 address", name)
						}
						a = append(a, ep.IPv6.Addr().String())
					}
					nss, ips, ths = append(nss, ns), append(ips, a), append(ths, name)
				}
				return nss, ips, ths
			}

			// Without host access: the host's own addresses on the
			// subnets, on the parent, are cut off from the endpoints.
			if _, err := e.m.CreateNetwork(spec("isolated", false)); err != nil {
				t.Fatal(err)
			}
			nss, ips, _ := connect("isolated")
			onParent := []netip.Prefix{mustPrefix(hostIP + "/24")}
			if tt.dual {
				onParent = append(onParent, mustPrefix(hostIP6+"/64"))
			}
			addAddr(t, e.hh, "p0", onParent...)
			for i, ns := range nss {
				for k, ip := range ips[i] {
					noPing(t, "host (address on the parent) to endpoint "+ip+", without host access", e.host, ip)
					noPing(t, "endpoint "+ip+" to the host's address "+hostIPs[k]+" on the parent, without host access", ns, hostIPs[k])
				}
			}
			for _, p := range onParent {
				if err := e.hh.DeleteAddress(mustGet(t, e.hh, "p0").Index, p); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.m.ForceRemoveNetwork("isolated"); err != nil {
				t.Fatal(err)
			}

			n, err := e.m.CreateNetwork(spec("shared", true))
			if err != nil {
				t.Fatal(err)
			}
			link := "vh-" + n.ID[:12]
			eq(t, "recorded host link", n.HostLink, link)
			l := mustGet(t, e.hh, link)
			eq(t, "host link kind", l.Kind, string(tt.d))
			eq(t, "host link group", l.Group, e.m.group)
			eq(t, "host link alias", l.Alias, "vlanraw:"+e.m.id+":"+n.ID[:12]+":host")
			if !l.Up() {
				t.Error("host link is down")
			}
			wantAddrs, subnetRoutes := []string{hostIP + "/24"}, []string{"10.1.0.0/24 dev " + link}
			if tt.dual {
				wantAddrs, subnetRoutes = append(wantAddrs, hostIP6+"/64"), append(subnetRoutes, "-6 fd01::/64 dev "+link)
			}
			eqList(t, "host link addresses", addrs(t, e.hh, link), wantAddrs)
			for _, r := range subnetRoutes {
				if !slices.Contains(routeTable(t, e.hh), r) {
					t.Errorf("host routes %s: no %s", fmtList(routeTable(t, e.hh)), r)
				}
			}
			nss, ips, names := connect("shared")
			for i, a := range ips {
				for _, ip := range a {
					if slices.Contains(hostIPs, ip) {
						t.Errorf("endpoint %d got the host's address %s", i, ip)
					}
				}
			}
			check := func(when string) {
				t.Helper()
				for i, ns := range nss {
					for k, ip := range ips[i] {
						ping(t, "host to endpoint "+ip+when, e.host, ip)
						ping(t, "endpoint "+ip+" to the host's "+hostIPs[k]+when, ns, hostIPs[k])
					}
				}
			}
			check("")

			// A reboot, simulated: every link is gone.
			if err := e.hh.Delete(link); err != nil {
				t.Fatal(err)
			}
			for _, name := range names {
				ns, err := netns.Open(name)
				if err != nil {
					t.Fatal(err)
				}
				if err := openHandle(t, ns).Delete("eth0"); err != nil {
					t.Fatal(err)
				}
				ns.Close()
			}
			rep, err := e.manager().Restore()
			if err != nil {
				t.Fatal(err)
			}
			eqList(t, "restored host links", rep.HostLinks, []string{link})
			eq(t, "restored endpoints", len(rep.Restored), 2)
			check(", after restore")
			rep, err = e.manager().Restore()
			if err != nil {
				t.Fatal(err)
			}
			eqList(t, "host links restored by a second restore", rep.HostLinks, nil)

			if err := e.m.ForceRemoveNetwork("shared"); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(linkNames(t, e.hh), link) {
				t.Errorf("network rm left the host link %s", link)
			}
			for _, r := range routeTable(t, e.hh) {
				if slices.Contains(subnetRoutes, r) {
					t.Errorf("network rm left the route %s", r)
				}
			}
		})
	}
}

// TestHostAccessRefusals: a host access address the network cannot give
// the host is refused as invalid, and nothing is made or recorded.
func TestHostAccessRefusals(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	e := newEnv(t)
	before := linkNames(t, e.hh)
	for _, tt := range []struct {
		name    string
		opts    map[string]string
		subnets []SubnetSpec
		want    string
	}{
		{"not an address", map[string]string{OptHostAccess: "10.1.0.x"}, nil, `invalid host_access "10.1.0.x"`},
		{"IPv6 as host_access", map[string]string{OptHostAccess: "fd01::5"}, nil, "it takes an IPv4 address; give IPv6 as host_access6"},
		{"outside the subnets", map[string]string{OptHostAccess: "10.2.0.5"}, nil, "it is in none of the network's IPv4 subnets (10.1.0.0/24)"},
		{"the gateway", map[string]string{OptHostAccess: "10.1.0.1"}, nil, "it is the gateway of subnet 10.1.0.0/24 already"},
		{"an aux address", map[string]string{OptHostAccess: "10.1.0.9"}, nil, "it is auxiliary address printer of subnet 10.1.0.0/24 already"},
		{"the broadcast address", map[string]string{OptHostAccess: "10.1.0.255"}, nil, "10.1.0.255"},
		{"no IPv6 subnet", map[string]string{OptHostAccess6: "fd01::5"}, nil, "the network has no IPv6 subnet"},
		{"outside the IPv6 subnets", map[string]string{OptHostAccess6: "fd02::5"},
			[]SubnetSpec{{Subnet: "10.1.0.0/24"}, {Subnet: "fd01::/64"}}, "in none of the network's IPv6 subnets (fd01::/64)"},
		{"not bridge mode", map[string]string{OptHostAccess: "10.1.0.5", OptMACVlanMode: ModePrivate}, nil, "host access needs macvlan_mode=bridge, not private"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			subnets := tt.subnets
			if subnets == nil {
				subnets = []SubnetSpec{{Subnet: "10.1.0.0/24", Gateway: "10.1.0.1", Aux: map[string]string{"printer": "10.1.0.9"}}}
			}
			opts := map[string]string{OptParent: "p0"}
			for k, v := range tt.opts {
				opts[k] = v
			}
			_, err := e.m.CreateNetwork(NetworkSpec{Name: "refused", Driver: MACVlan, Options: opts, Subnets: subnets})
			errContains(t, err, tt.want)
			if !errors.Is(err, errdefs.ErrInvalid) {
				t.Errorf("%v does not match errdefs.ErrInvalid", err)
			}
			if _, err := e.m.Network("refused"); !errors.Is(err, ErrNotFound) {
				t.Errorf("network recorded after a refusal: %v", err)
			}
			eqList(t, "host links after a refusal", linkNames(t, e.hh), before)
		})
	}
}
