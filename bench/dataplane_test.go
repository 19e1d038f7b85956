package bench

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// dpTopo is a data-plane topology: a client namespace and a server
// namespace (the same one for loopback), the server's address, and, when
// it was built with count, frame counters on the endpoints' links,
// attached as soon as the links exist (else nil).
type dpTopo struct {
	client, server *netns.NS
	addr           netip.AddrPort
	counters       *dpCounters
}

// dpLoad is how much load one data-plane measurement applies.
type dpLoad struct {
	udp, tcp time.Duration
	rr       int
}

// dpLoadFor is the load of one iteration on one topology.
func dpLoadFor() dpLoad {
	if testing.Short() {
		return dpLoad{udp: 20 * time.Millisecond, tcp: 20 * time.Millisecond, rr: 100}
	}
	return dpLoad{udp: time.Second, tcp: time.Second, rr: 10000}
}

// half is half of l: an iteration measures each topology twice, A B B A.
func (l dpLoad) half() dpLoad {
	return dpLoad{udp: l.udp / 2, tcp: l.tcp / 2, rr: l.rr / 2}
}

// dpTotals accumulates one topology's measurements over the iterations.
type dpTotals struct {
	udpRx, udpTx uint64
	udpTime      time.Duration
	tcpBytes     uint64
	tcpTime      time.Duration
	rtts         []time.Duration
}

// measure runs the UDP, TCP stream and TCP RR loads once over t.
func (s *dpTotals) measure(b *testing.B, t *dpTopo, l dpLoad) {
	u, err := traffic.UDPFlood(t.client, t.server, t.addr, l.udp)
	if err != nil {
		b.Fatal(err)
	}
	s.udpRx, s.udpTx, s.udpTime = s.udpRx+u.Received, s.udpTx+u.Sent, s.udpTime+u.Duration
	st, err := traffic.TCPStream(t.client, t.server, t.addr, l.tcp)
	if err != nil {
		b.Fatal(err)
	}
	s.tcpBytes, s.tcpTime = s.tcpBytes+st.Received, s.tcpTime+st.Duration
	rr, err := traffic.TCPRR(t.client, t.server, t.addr, l.rr)
	if err != nil {
		b.Fatal(err)
	}
	s.rtts = append(s.rtts, rr.RTTs...)
}

func (s *dpTotals) pps() float64  { return float64(s.udpRx) / s.udpTime.Seconds() }
func (s *dpTotals) mbps() float64 { return float64(s.tcpBytes) / 1e6 / s.tcpTime.Seconds() }
func (s *dpTotals) loss() float64 {
	if s.udpTx == 0 {
		return 0
	}
	return float64(s.udpTx-min(s.udpRx, s.udpTx)) / float64(s.udpTx)
}
func (s *dpTotals) rrUS(p float64) float64 {
	slices.Sort(s.rtts)
	return float64(traffic.Percentile(s.rtts, p)) / float64(time.Microsecond)
}

// report reports s, and when base is not nil the ratio of each figure to
// base's, oriented so that above 1 means faster than base.
func (s *dpTotals) report(b *testing.B, base *dpTotals) {
	b.ReportMetric(s.pps(), "udp-pps")
	b.ReportMetric(100*s.loss(), "udp-loss-%")
	b.ReportMetric(s.mbps(), "tcp-MBps")
	b.ReportMetric(s.rrUS(50), "rr-p50-us")
	b.ReportMetric(s.rrUS(99), "rr-p99-us")
	if base == nil {
		return
	}
	b.ReportMetric(s.pps()/base.pps(), "udp-pps-vs-bridge")
	b.ReportMetric(s.mbps()/base.mbps(), "tcp-MBps-vs-bridge")
	b.ReportMetric(base.rrUS(50)/s.rrUS(50), "rr-p50-vs-bridge")
	b.ReportMetric(base.rrUS(99)/s.rrUS(99), "rr-p99-vs-bridge")
}

// dpWarm makes a few round trips over t so that neighbour resolution and
// the like are done before anything is measured.
func dpWarm(b *testing.B, t *dpTopo) {
	if _, err := traffic.TCPRR(t.client, t.server, t.addr, 10); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
}

// dpOpen opens a links.Handle on ns, closed when the benchmark ends.
func dpOpen(b *testing.B, ns *netns.NS) *links.Handle {
	h, err := links.Open(ns)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	return h
}

// dpAddr adds prefix to the link called name in h's namespace.
func dpAddr(b *testing.B, h *links.Handle, name, prefix string) {
	l, err := h.Get(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := h.AddAddress(l.Index, netip.MustParsePrefix(prefix), true); err != nil {
		b.Fatalf("add %s to %s: %v", prefix, name, err)
	}
}

// dpEnds returns a client and a server namespace, each with its end
// eth0, which mk creates up, given .1/24 and .2/24 of subnet (such as
// "10.90.1"). With count, counters are attached between the two, so
// they see what addressing brings: duplicate address detection, router
// solicitations, MLD reports, neighbour resolution.
func dpEnds(b *testing.B, subnet string, count bool, mk func(client, server *netns.NS)) *dpTopo {
	client, _ := testenv.NewNetNS(b)
	server, _ := testenv.NewNetNS(b)
	mk(client, server)
	var c *dpCounters
	if count {
		c = dpAttach(b, "eth0", client, server)
	}
	dpAddr(b, dpOpen(b, client), "eth0", subnet+".1/24")
	dpAddr(b, dpOpen(b, server), "eth0", subnet+".2/24")
	return &dpTopo{client: client, server: server, addr: netip.MustParseAddrPort(subnet + ".2:0"), counters: c}
}

// dpLoopback is the floor: client and server in one namespace, over lo.
func dpLoopback(b *testing.B, count bool) *dpTopo {
	ns, _ := testenv.NewNetNS(b)
	up := true
	if err := dpOpen(b, ns).Set("lo", links.Change{Up: &up}); err != nil {
		b.Fatal(err)
	}
	t := &dpTopo{client: ns, server: ns, addr: netip.MustParseAddrPort("127.0.0.1:0")}
	if count {
		t.counters = dpAttach(b, "lo", ns, ns)
	}
	return t
}

// dpVeth joins the two namespaces with one veth pair.
func dpVeth(b *testing.B, count bool) *dpTopo {
	return dpEnds(b, "10.90.1", count, func(client, server *netns.NS) {
		err := dpOpen(b, client).Create(&links.Veth{
			Attrs: links.Attrs{Name: "eth0", Up: true},
			Peer:  links.Attrs{Name: "eth0", Up: true, NetNS: server},
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// dpMasterMessage is an RTM_NEWLINK that sets a link's IFLA_MASTER and
// brings it up. rtnl.LinkAttributes decodes Master but never sends it.
type dpMasterMessage struct{ index, master int32 }

func (m dpMasterMessage) MarshalBinary() ([]byte, error) {
	b, err := (&rtnl.LinkMessage{Index: m.index, Flags: unix.IFF_UP, Change: unix.IFF_UP}).MarshalBinary()
	if err != nil {
		return nil, err
	}
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(unix.IFLA_MASTER, uint32(m.master))
	a, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(b, a...), nil
}

// dpBridge is the baseline: each namespace's eth0 is a veth whose peer is
// a port of bridge br0 in a middle namespace. The bridge is created and
// its ports enslaved with plain RTM_NEWLINK requests.
func dpBridge(b *testing.B, count bool) *dpTopo {
	testenv.RequireKind(b, "bridge")
	return dpEnds(b, "10.90.2", count, func(client, server *netns.NS) {
		mid, _ := testenv.NewNetNS(b)
		h := dpOpen(b, mid)
		c := h.Conn()
		err := c.NewLink(&rtnl.LinkMessage{
			Flags: unix.IFF_UP, Change: unix.IFF_UP,
			Attributes: rtnl.LinkAttributes{Name: "br0", Info: &rtnl.LinkInfo{Kind: "bridge"}},
		})
		if err != nil {
			b.Fatalf("create bridge: %v", err)
		}
		br, err := c.GetLink("br0")
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range []struct {
			name string
			ns   *netns.NS
		}{{"pa", client}, {"pb", server}} {
			err := h.Create(&links.Veth{
				Attrs: links.Attrs{Name: p.name},
				Peer:  links.Attrs{Name: "eth0", Up: true, NetNS: p.ns},
			})
			if err != nil {
				b.Fatal(err)
			}
			port, err := c.GetLink(p.name)
			if err != nil {
				b.Fatal(err)
			}
			_, err = c.Execute("enslave link", p.name, unix.RTM_NEWLINK, netlink.Acknowledge,
				dpMasterMessage{index: port.Index, master: br.Index})
			if err != nil {
				b.Fatalf("add %s to br0: %v", p.name, err)
			}
		}
	})
}

// dpParent returns a namespace holding the veth p0 (its peer p1 up there
// too, so that p0 has carrier) to stack endpoints on.
func dpParent(b *testing.B) *links.Handle {
	host, _ := testenv.NewNetNS(b)
	h := dpOpen(b, host)
	err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true}})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// dpMACVlan puts a bridge-mode macvlan eth0 on a veth parent into each
// namespace.
func dpMACVlan(b *testing.B, count bool) *dpTopo {
	testenv.RequireKind(b, "macvlan")
	return dpEnds(b, "10.90.3", count, func(client, server *netns.NS) {
		h := dpParent(b)
		mode := rtnl.MACVlanModeBridge
		for _, ns := range []*netns.NS{client, server} {
			if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "eth0", NetNS: ns, Up: true}, Parent: "p0", Mode: &mode}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// dpIPVlan puts an ipvlan eth0 of mode on a veth parent into each
// namespace.
func dpIPVlan(mode rtnl.IPVlanMode) func(b *testing.B, count bool) *dpTopo {
	return func(b *testing.B, count bool) *dpTopo {
		testenv.RequireKind(b, "ipvlan")
		return dpEnds(b, "10.90.4", count, func(client, server *netns.NS) {
			h := dpParent(b)
			for _, ns := range []*netns.NS{client, server} {
				if err := h.Create(&links.IPVlan{Attrs: links.Attrs{Name: "eth0", NetNS: ns, Up: true}, Parent: "p0", Mode: &mode}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDataPlane measures, with package traffic, UDP packets per second
// (64-byte payloads), TCP stream throughput and 1-byte TCP
// request/response latency between two namespaces, per topology: loopback
// inside one namespace (the floor), a veth pair, veth+bridge (the
// baseline), macvlan bridge mode, and ipvlan l2, l3 and l3s (where the
// kernel has ipvlan: in QEMU, not on the 6.18 host). Every topology but
// the baseline is measured alternately with a veth+bridge built in the
// same sub-benchmark (A B B A in each iteration, each with half of 1 s
// of UDP, 1 s of TCP stream and 10000 round trips) and reports the ratio
// of each figure to it (*-vs-bridge); above 1 means faster than
// veth+bridge (more packets or bytes, lower latency). -short shrinks the
// loads to a few milliseconds.
//
// Frame counters (package bpf) sit on the tc ingress of both endpoint
// links (lo for loopback; the veth ends inside the namespaces for veth
// and veth+bridge), on the baseline too, so both pay the same. They
// report what the endpoints received: ep-arp-frames (requests and
// replies), ep-bcast-frames, ep-mcast-frames (IPv4 and IPv6, MLD
// included), ep-nd-frames (IPv6 neighbour and router discovery) and
// ep-frames (all), summed over both endpoints, counted over the measured
// loop and divided by b.N: per iteration of load. The ep-setup-*
// metrics count the same from the moment the links came up to the start
// of the loop (addresses, duplicate address detection, router
// solicitations, neighbour resolution, warm-up), once per sub-benchmark,
// not divided. In ipvlan l3s the endpoint's ingress does not see what
// comes from the wire (see modes/verify), but here both endpoints share
// one parent and ipvlan hands their traffic to each other's receive
// path, which the counters see. macvlan and ipvlan hand an endpoint only
// the multicast of groups it joined (their per-link multicast filters),
// so the other endpoint's neighbour and router solicitations and MLD
// reports do not reach it; a veth peer, or a veth behind the bridge,
// gets them all.
func BenchmarkDataPlane(b *testing.B) {
	topos := []struct {
		name string
		mk   func(b *testing.B, count bool) *dpTopo
	}{
		{"loopback", dpLoopback},
		{"veth", dpVeth},
		{"veth+bridge", dpBridge},
		{"macvlan-bridge", dpMACVlan},
		{"ipvlan-l2", dpIPVlan(rtnl.IPVlanModeL2)},
		{"ipvlan-l3", dpIPVlan(rtnl.IPVlanModeL3)},
		{"ipvlan-l3s", dpIPVlan(rtnl.IPVlanModeL3S)},
	}
	l := dpLoadFor()
	for _, tc := range topos {
		b.Run(tc.name, func(b *testing.B) {
			t := tc.mk(b, true)
			var base *dpTopo
			if tc.name != "veth+bridge" {
				base = dpBridge(b, true)
				dpWarm(b, base)
			}
			dpWarm(b, t)
			win, setup := t.counters.start(b)
			var bwin *dpWindow
			if base != nil {
				bwin, _ = base.counters.start(b)
			}
			var s, bs dpTotals
			h := l.half()
			for b.Loop() {
				if base == nil {
					s.measure(b, t, h)
					s.measure(b, t, h)
					continue
				}
				// A B B A, half the load each time: neither always
				// runs on what the other left in the caches, even in
				// a run of one iteration.
				s.measure(b, t, h)
				bs.measure(b, base, h)
				bs.measure(b, base, h)
				s.measure(b, t, h)
			}
			frames := win.end(b, s.udpRx)
			b.Logf("kernel %s: %s: udp %.0f pps (loss %.1f%%), tcp %.1f MB/s, rr p50 %.1f us p99 %.1f us; endpoints received %v during %d iterations, %v before",
				testenv.KernelRelease(), tc.name, s.pps(), 100*s.loss(), s.mbps(), s.rrUS(50), s.rrUS(99), frames, b.N, setup)
			frames.report(b, "ep", float64(b.N))
			setup.report(b, "ep-setup", 1)
			if base == nil {
				s.report(b, nil)
				return
			}
			b.Logf("veth+bridge alongside: udp %.0f pps, tcp %.1f MB/s, rr p50 %.1f us p99 %.1f us; endpoints received %v",
				bs.pps(), bs.mbps(), bs.rrUS(50), bs.rrUS(99), bwin.end(b, bs.udpRx))
			s.report(b, &bs)
		})
	}
}
