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
	}{
		{"macvlan-bridge", MACVlan, nil},
		{"ipvlan-l2", IPVlan, map[string]string{OptIPVlanMode: ModeL2}},
		{"ipvlan-l3", IPVlan, map[string]string{OptIPVlanMode: ModeL3}},
		{"ipvlan-l3s", IPVlan, map[string]string{OptIPVlanMode: ModeL3S}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testenv.RequireKind(t, string(tt.d))
			e := newEnv(t)
			const hostIP = "10.1.0.5"
			spec := func(name string, hostAccess bool) NetworkSpec {
				o := map[string]string{OptParent: "p0"}
				for k, v := range tt.opts {
					o[k] = v
				}
				if hostAccess {
					o[OptHostAccess] = hostIP
				}
				return NetworkSpec{Name: name, Driver: tt.d, Options: o, Subnets: []SubnetSpec{{Subnet: "10.1.0.0/24"}}}
			}
			connect := func(network string) (nss []*netns.NS, ips []string, ths []string) {
				for range 2 {
					ns, name, _ := e.target()
					ep, err := e.m.Connect(ConnectSpec{Network: network, NetNS: name})
					if err != nil {
						t.Fatal(err)
					}
					nss, ips, ths = append(nss, ns), append(ips, ep.IPv4.Addr().String()), append(ths, name)
				}
				return nss, ips, ths
			}

			// Without host access: the host's own address on the
			// subnet, on the parent, is cut off from the endpoints.
			if _, err := e.m.CreateNetwork(spec("isolated", false)); err != nil {
				t.Fatal(err)
			}
			nss, ips, _ := connect("isolated")
			onParent := mustPrefix(hostIP + "/24")
			addAddr(t, e.hh, "p0", onParent)
			for i, ns := range nss {
				noPing(t, "host (address on the parent) to endpoint, without host access", e.host, ips[i])
				noPing(t, "endpoint to the host's address on the parent, without host access", ns, hostIP)
			}
			if err := e.hh.DeleteAddress(mustGet(t, e.hh, "p0").Index, onParent); err != nil {
				t.Fatal(err)
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
			eqList(t, "host link addresses", addrs(t, e.hh, link), []string{hostIP + "/24"})
			if !slices.Contains(routeTable(t, e.hh), "10.1.0.0/24 dev "+link) {
				t.Errorf("host routes %s: no route to the subnet through %s", fmtList(routeTable(t, e.hh)), link)
			}
			nss, ips, names := connect("shared")
			for i, ip := range ips {
				if ip == hostIP {
					t.Errorf("endpoint %d got the host's address %s", i, ip)
				}
			}
			check := func(when string) {
				t.Helper()
				for i, ns := range nss {
					ping(t, "host to endpoint "+ips[i]+when, e.host, ips[i])
					ping(t, "endpoint "+ips[i]+" to the host"+when, ns, hostIP)
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
				if r == "10.1.0.0/24 dev "+link {
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
		{"the parent's own subnet", map[string]string{OptHostAccess: "192.168.0.5"},
			[]SubnetSpec{{Subnet: "192.168.0.0/24"}}, "parent p0 carries 192.168.0.10/24 of it"},
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
