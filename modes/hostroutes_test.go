package modes

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestHostAccessLAN: host access on a network that is the parent's own
// LAN (the parent p0 carries 192.168.0.10/24 and fd00::10/64, the network
// is 192.168.0.0/24 and fd00::/64), Docker's usual macvlan case. Without
// the option the host's address on the parent reaches no endpoint, nor
// they it; with it the host link carries its addresses alone and each
// endpoint has a route of its own through it, so the host and every
// endpoint reach each other over both families, also an endpoint
// connected later; a disconnected endpoint's route goes, and so does the
// route of one whose namespace is gone (gc); restore after a simulated
// reboot brings links and routes back, and network rm removes them.
func TestHostAccessLAN(t *testing.T) {
	for _, tt := range []struct {
		name string
		d    Driver
		opts map[string]string
	}{
		{"macvlan-bridge", MACVlan, nil},
		{"ipvlan-l2", IPVlan, map[string]string{OptIPVlanMode: ModeL2}},
		{"ipvlan-l3", IPVlan, map[string]string{OptIPVlanMode: ModeL3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testenv.RequireKind(t, string(tt.d))
			e := newEnv(t)
			hostIPs := []string{"192.168.0.5", "fd00::5"}
			spec := func(name string, hostAccess bool) NetworkSpec {
				o := map[string]string{OptParent: "p0"}
				for k, v := range tt.opts {
					o[k] = v
				}
				if hostAccess {
					o[OptHostAccess], o[OptHostAccess6] = hostIPs[0], hostIPs[1]
				}
				return NetworkSpec{Name: name, Driver: tt.d, Options: o, Subnets: []SubnetSpec{
					{Subnet: "192.168.0.0/24", Gateway: "192.168.0.1", IPRange: "192.168.0.128/25"},
					{Subnet: "fd00::/64", Gateway: "fd00::1", IPRange: "fd00::1:0/112"},
				}}
			}
			// connect connects a new namespace and returns it, its name
			// and its addresses, IPv4 then IPv6.
			connect := func(network string) (*netns.NS, string, []string) {
				t.Helper()
				ns, name, _ := e.target()
				ep, err := e.m.Connect(ConnectSpec{Network: network, NetNS: name})
				if err != nil {
					t.Fatal(err)
				}
				return ns, name, []string{ep.IPv4.Addr().String(), ep.IPv6.Addr().String()}
			}

			// Without host access: the host's addresses on the parent
			// reach no endpoint, nor they them; the LAN's router does.
			if _, err := e.m.CreateNetwork(spec("isolated", false)); err != nil {
				t.Fatal(err)
			}
			// The LAN's router reaches the endpoints of l2 and macvlan
			// networks; those of an l3 network answer no ARP, and the
			// router needs routes to them (seed 000) that this test has
			// no use for.
			onLAN := tt.opts[OptIPVlanMode] != ModeL3
			ns, _, ips := connect("isolated")
			if onLAN {
				ping(t, "endpoint to the LAN's router", ns, routerAddr4.Addr().String())
			}
			for k, ip := range ips {
				onParent := []string{hostAddr4.Addr().String(), hostAddr6.Addr().String()}[k]
				noPing(t, "host to endpoint "+ip+", without host access", e.host, ip)
				noPing(t, "endpoint "+ip+" to the host's "+onParent+" on the parent, without host access", ns, onParent)
			}
			if err := e.m.ForceRemoveNetwork("isolated"); err != nil {
				t.Fatal(err)
			}

			n, err := e.m.CreateNetwork(spec("lan", true))
			if err != nil {
				t.Fatal(err)
			}
			link := "vh-" + n.ID[:12]
			eqList(t, "host link addresses", addrs(t, e.hh, link), []string{"192.168.0.5/32", "fd00::5/128"})
			for _, s := range n.Subnets {
				if !s.HostRoutes {
					t.Errorf("subnet %s: not recorded as routed endpoint by endpoint", s.Subnet)
				}
			}
			type ep struct {
				ns   *netns.NS
				name string
				ips  []string
			}
			var eps []ep
			for range 2 {
				ns, name, ips := connect("lan")
				eps = append(eps, ep{ns, name, ips})
			}
			check := func(when string) {
				t.Helper()
				var want []string
				for _, x := range eps {
					want = append(want, x.ips[0]+"/32 dev "+link, "-6 "+x.ips[1]+"/128 dev "+link)
				}
				slices.Sort(want)
				eqList(t, "host routes through "+link+when, hostRoutesVia(t, e, link), want)
				for _, x := range eps {
					for k, ip := range x.ips {
						ping(t, "host to endpoint "+ip+when, e.host, ip)
						ping(t, "endpoint "+ip+" to the host's "+hostIPs[k]+when, x.ns, hostIPs[k])
					}
					if onLAN {
						ping(t, "endpoint "+x.ips[0]+" to the LAN's router"+when, x.ns, routerAddr4.Addr().String())
					}
				}
			}
			check("")

			// An endpoint connected once the network is made gets its
			// route; one disconnected loses it, and is cut off again.
			ns3, name3, ips3 := connect("lan")
			eps = append(eps, ep{ns3, name3, ips3})
			check(", with a third endpoint")
			if err := e.m.Disconnect("lan", eps[0].name); err != nil {
				t.Fatal(err)
			}
			gone := eps[0]
			eps = eps[1:]
			check(", after a disconnect")
			for _, ip := range gone.ips {
				noPing(t, "host to the disconnected endpoint's "+ip, e.host, ip)
			}

			// An endpoint whose namespace is gone: gc drops its record
			// and its route.
			goneName := "vrtest-ha-" + e.hostName[7:]
			goneNS, err := netns.Add(goneName)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { netns.Delete(goneName) })
			ep4, err := e.m.Connect(ConnectSpec{Network: "lan", NetNS: goneName})
			if err != nil {
				t.Fatal(err)
			}
			goneNS.Close()
			if r := ep4.IPv4.Addr().String() + "/32 dev " + link; !slices.Contains(hostRoutesVia(t, e, link), r) {
				t.Errorf("no route %s for the endpoint in %s", r, goneName)
			}
			if err := netns.Delete(goneName); err != nil {
				t.Fatal(err)
			}
			if _, err := e.manager().GC(); err != nil {
				t.Fatal(err)
			}
			check(", after gc of an endpoint whose namespace is gone")

			// A reboot, simulated: every link is gone, and the routes
			// with the host link.
			if err := e.hh.Delete(link); err != nil {
				t.Fatal(err)
			}
			for _, x := range eps {
				if err := openHandle(t, x.ns).Delete("eth0"); err != nil {
					t.Fatal(err)
				}
			}
			eqList(t, "host routes once the host link is deleted", hostRoutesVia(t, e, link), nil)
			rep, err := e.manager().Restore()
			if err != nil {
				t.Fatal(err)
			}
			eqList(t, "restored host links", rep.HostLinks, []string{link})
			check(", after restore")

			if err := e.m.ForceRemoveNetwork("lan"); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(linkNames(t, e.hh), link) {
				t.Errorf("network rm left the host link %s", link)
			}
			for _, r := range routeTable(t, e.hh) {
				if strings.Contains(r, "/32 dev vh-") || strings.Contains(r, "/128 dev vh-") {
					t.Errorf("network rm left the route %s", r)
				}
			}
			ping(t, "router to the host's address on the parent, after network rm", e.router, hostAddr4.Addr().String())
		})
	}
}

// hostRoutesVia returns the host namespace's routes to single addresses
// through link, as routeTable prints them, sorted, without the kernel's
// own route to the link's IPv6 address; nil when link does not exist.
func hostRoutesVia(t *testing.T, e *env, link string) []string {
	t.Helper()
	own := addrs(t, e.hh, "p0")
	if l, err := e.hh.Get(link); err == nil {
		ps, err := e.hh.Addresses(l.Index)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			own = append(own, p.Addr().String())
		}
	}
	var out []string
	for _, r := range routeTable(t, e.hh) {
		dst, dev, ok := strings.Cut(strings.TrimPrefix(r, "-6 "), " dev ")
		if !ok || dev != link {
			continue
		}
		p, err := netip.ParsePrefix(dst)
		if err != nil || !p.IsSingleIP() || slices.Contains(own, p.Addr().String()) {
			continue
		}
		out = append(out, r)
	}
	return out
}
