package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/bgp"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/bgppeer"
)

// speaker is a `vlanraw bgp run` process in a world's host namespace.
type speaker struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
}

// lockedBuffer is a bytes.Buffer a process writes while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSpeaker starts `vlanraw --state-dir STATE bgp run ARGS` inside the
// world's host namespace (its sockets are the process's, so it runs
// there rather than with -n). It is killed when the test ends, and its
// log shown if the test failed.
func (w *world) startSpeaker(args ...string) *speaker {
	w.t.Helper()
	vlanraw := vlanrawBinary(w.t)
	sp := &speaker{t: w.t, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	sp.cmd = vlanraw(append([]string{"--state-dir", w.state, "bgp", "run"}, args...)...)
	sp.cmd.Stderr = sp.stderr
	if err := openNS(w.t, w.host).Do(sp.cmd.Start); err != nil {
		w.t.Fatalf("start vlanraw bgp run: %v", err)
	}
	go func() { sp.done <- sp.cmd.Wait() }()
	w.t.Cleanup(func() {
		sp.cmd.Process.Signal(syscall.SIGCONT)
		sp.cmd.Process.Kill()
		<-sp.done
		sp.done <- nil
		if w.t.Failed() {
			w.t.Logf("vlanraw bgp run %s:\n%s", strings.Join(args, " "), sp.stderr)
		}
	})
	return sp
}

// stop sends sig and checks that the speaker exits 0 within a deadline.
func (sp *speaker) stop(sig syscall.Signal) {
	sp.t.Helper()
	if err := sp.cmd.Process.Signal(sig); err != nil {
		sp.t.Fatal(err)
	}
	select {
	case err := <-sp.done:
		sp.done <- err
		if err != nil {
			sp.t.Errorf("vlanraw bgp run, stopped with %v: %v; want exit 0", sig, err)
		}
		if !strings.Contains(sp.stderr.String(), "vlanraw bgp: stopped; withdrew") {
			sp.t.Errorf("vlanraw bgp run, stopped with %v, did not log its withdrawal:\n%s", sig, sp.stderr)
		}
	case <-time.After(bgppeer.Deadline):
		sp.t.Fatalf("vlanraw bgp run still runs %s after %v", bgppeer.Deadline, sig)
	}
}

// bgpStatus runs `vlanraw bgp status -j` in the world.
func (w *world) bgpStatus() bgp.Status {
	w.t.Helper()
	code, stdout, stderr := runCLI("--state-dir", w.state, "bgp", "status", "-j")
	if code != exitOK {
		w.t.Fatalf("vlanraw bgp status -j: exit %d: %s", code, stderr)
	}
	var st bgp.Status
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		w.t.Fatalf("vlanraw bgp status -j: %v: %s", err, stdout)
	}
	return st
}

// behind gives router a link r1 (10.99.0.1/24) to a new namespace, a
// host behind the router (10.99.0.2/24, default via the router), and
// returns it.
func behind(t *testing.T, router string) (string, *netns.NS) {
	t.Helper()
	far := newNetNS(t)
	vr(t, router, "link", "add", "r1", "up", "type", "veth", "peer", "name", "eth0", "netns", far, "up")
	vr(t, router, "addr", "add", "10.99.0.1/24", "dev", "r1")
	vr(t, far, "addr", "add", "10.99.0.2/24", "dev", "eth0")
	hostDefault(t, far, "eth0", "10.99.0.1")
	return far, openNS(t, far)
}

// TestBGPSeed000BIRD is seed 000's network with BGP in place of the
// article's static routes ("log on to your gateway router and create a
// static route for each subnet"): the router runs BIRD 2 and peers with
// `vlanraw bgp run` over the parent's wire. Before the speaker runs, a
// host behind the router cannot reach the L3 endpoints; within 10 s of
// its start BIRD holds both subnets via the host's parent address (and
// no subnet of the L2 ipvlan and macvlan networks beside them), the host
// behind the router pings both endpoints and they ping it, and `bgp
// status` shows the session established and the two prefixes. `network
// rm` withdraws the subnets within a second. Then, each with the network
// back: SIGTERM and SIGINT withdraw everything and the speaker exits 0;
// after SIGKILL the router forgets the subnets at once (the connection
// closes), and after SIGSTOP once the hold time (3 s) passes.
func TestBGPSeed000BIRD(t *testing.T) {
	w, router, farNS, webapp, database := seed000BGP(t)
	bird := bgppeer.StartBIRD(t, openNS(t, router), bgppeer.Config{
		RouterID: netip.MustParseAddr("192.168.0.1"), ASN: 65000, HoldTime: 3,
		Neighbors: []bgppeer.Neighbor{{Addr: netip.MustParseAddr("192.168.0.50"), ASN: 65001}},
	})
	// Before the speaker: the router does not know the subnets.
	noReply(t, farNS, "10.99.0.2", webapp.ip)

	both := bgppeer.Want("192.168.10.0/24", "192.168.0.50", "192.168.20.0/24", "192.168.0.50")
	run := []string{"--asn", "65001", "--peer", "192.168.0.1", "--peer-asn", "65000", "--hold-time", "3"}
	start := time.Now()
	sp := w.startSpeaker(run...)
	bird.WaitRoutes(both)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("BIRD had both subnets %s after the speaker started; want 10s at most", took)
	}
	reaches(t, farNS, "10.99.0.2", webapp.ip)
	reaches(t, farNS, "10.99.0.2", database.ip)
	reaches(t, webapp.h, webapp.ip, "10.99.0.2")
	reaches(t, database.h, database.ip, "10.99.0.2")

	st := w.bgpStatus()
	if len(st.Sessions) != 1 || st.Sessions[0].Peer != netip.MustParseAddr("192.168.0.1") || st.Sessions[0].State != bgp.StateEstablished {
		t.Errorf("bgp status sessions %+v; want 192.168.0.1 established", st.Sessions)
	}
	wantAnnounced := []bgp.Route{
		{Prefix: netip.MustParsePrefix("192.168.10.0/24"), NextHop: netip.MustParseAddr("192.168.0.50")},
		{Prefix: netip.MustParsePrefix("192.168.20.0/24"), NextHop: netip.MustParseAddr("192.168.0.50")},
	}
	if len(st.Announced) != 2 || st.Announced[0] != wantAnnounced[0] || st.Announced[1] != wantAnnounced[1] || st.ASN != 65001 ||
		st.RouterID != netip.MustParseAddr("192.168.0.50") {
		t.Errorf("bgp status: %+v; want AS 65001, router ID 192.168.0.50 (the parent's) and %v", st, wantAnnounced)
	}
	code, stdout, _ := runCLI("--state-dir", w.state, "bgp", "status")
	contains(t, "bgp status", stdout, "192.168.0.1", "established", "192.168.10.0/24 via 192.168.0.50", "192.168.20.0/24 via 192.168.0.50")
	if code != exitOK {
		t.Errorf("bgp status: exit %d", code)
	}

	rmAndCreate(t, w, "BIRD", bird, both, webapp, database)
	if !strings.Contains(sp.stderr.String(), "vlanraw bgp: withdrew 192.168.10.0/24 via 192.168.0.50") {
		t.Errorf("the speaker did not log the withdrawal:\n%s", sp.stderr)
	}

	// SIGTERM and SIGINT withdraw everything.
	sp.stop(syscall.SIGTERM)
	bird.WaitRoutes(bgppeer.Want())
	sp = w.startSpeaker(run...)
	bird.WaitRoutes(both)
	sp.stop(syscall.SIGINT)
	bird.WaitRoutes(bgppeer.Want())

	// SIGKILL: the kernel closes the connection, the router forgets.
	sp = w.startSpeaker(run...)
	bird.WaitRoutes(both)
	sp.cmd.Process.Kill()
	bird.WaitRoutes(bgppeer.Want())
	noKernelRoute(t, router, "192.168.10.0/24", "192.168.20.0/24")

	// SIGSTOP: the connection stays open; the hold time ends the session.
	sp = w.startSpeaker(run...)
	bird.WaitRoutes(both)
	sp.cmd.Process.Signal(syscall.SIGSTOP)
	stopped := time.Now()
	bird.WaitRoutes(bgppeer.Want())
	if took := time.Since(stopped); took < time.Second {
		t.Errorf("BIRD dropped the subnets %s after SIGSTOP; want the hold time (3s, less the time since the last keepalive) to pass first", took)
	}
	noKernelRoute(t, router, "192.168.10.0/24", "192.168.20.0/24")
}

// seed000BGP sets seed 000's network up for the BGP tests: the host
// (enp0s3 192.168.0.50/24, default via the router) on a switch with the
// router (lan0 192.168.0.1/24, forwarding), a host behind the router
// (10.99.0.2), ipvlan_net (l3, 192.168.10.0/24 and 192.168.20.0/24) with
// webapp and database, and beside it an l2 ipvlan and a macvlan network
// on parents of their own, which are never to be announced. It returns
// the world, the router's namespace, the host behind the router and the
// two containers.
func seed000BGP(t *testing.T) (w *world, router string, farNS *netns.NS, webapp, database ctr) {
	t.Helper()
	testenv.RequireKind(t, "ipvlan")
	testenv.RequireKind(t, "macvlan")
	w = newWorld(t)
	sw := w.uplink("enp0s3")
	vr(t, w.host, "addr", "add", "192.168.0.50/24", "dev", "enp0s3")
	router, _ = station(t, sw, "eth0", "lan0", lanPort, "192.168.0.1/24")
	sysctl(t, router, "net/ipv4/ip_forward", "1")
	hostDefault(t, w.host, "enp0s3", "192.168.0.1")
	_, farNS = behind(t, router)

	w.vr("network create --driver ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 --opt parent=enp0s3 --opt ipvlan_mode=l3 ipvlan_net")
	w.uplink("enp0s8")
	w.uplink("enp0s9")
	w.vr("network create -d ipvlan --subnet 172.16.8.0/24 -o parent=enp0s8 l2net")
	w.vr("network create -d macvlan --subnet 172.16.9.0/24 -o parent=enp0s9 macnet")
	webapp = w.run("webapp", "ipvlan_net", "--ip", "192.168.10.10")
	database = w.run("database", "ipvlan_net", "--ip", "192.168.20.10")
	return w, router, farNS, webapp, database
}

// routerTable is BIRD or FRR, as the tests wait on their tables.
type routerTable interface {
	WaitRoutes(want map[netip.Prefix]netip.Addr) time.Duration
}

// rmAndCreate disconnects the containers from seed000BGP's ipvlan_net
// and removes it, checks that the router loses every route within a
// second, creates the network again and checks that the router has the
// routes both back within a second.
func rmAndCreate(t *testing.T, w *world, name string, router routerTable, both map[netip.Prefix]netip.Addr, ctrs ...ctr) {
	t.Helper()
	for _, c := range ctrs {
		w.vr("disconnect ipvlan_net " + c.ns)
	}
	start := time.Now()
	w.vr("network rm ipvlan_net")
	router.WaitRoutes(bgppeer.Want())
	if took := time.Since(start); took > time.Second {
		t.Errorf("%s still had the subnets %s after network rm; want them withdrawn within a second", name, took)
	}
	start = time.Now()
	w.vr("network create --driver ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 --opt parent=enp0s3 --opt ipvlan_mode=l3 ipvlan_net")
	router.WaitRoutes(both)
	if took := time.Since(start); took > time.Second {
		t.Errorf("%s had the subnets %s after network create; want them announced within a second", name, took)
	}
}

// noKernelRoute checks that namespace ns's main table has no route to
// any of dsts.
func noKernelRoute(t *testing.T, ns string, dsts ...string) {
	t.Helper()
	for _, r := range routes(t, ns) {
		for _, d := range dsts {
			if strings.HasPrefix(r, d+" ") {
				t.Errorf("%s still routes %s: %s", ns, d, r)
			}
		}
	}
}

// waitKernelRoutes waits, until bgppeer.Deadline, for namespace ns's
// main table to hold a route line starting with each of want (zebra
// installs bgpd's routes after bgpd shows them).
func waitKernelRoutes(t *testing.T, ns string, want ...string) {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		rs := routes(t, ns)
		missing := slices.DeleteFunc(slices.Clone(want), func(w string) bool {
			return slices.ContainsFunc(rs, func(r string) bool { return strings.HasPrefix(r, w) })
		})
		if len(missing) == 0 {
			return
		}
		if time.Since(start) > bgppeer.Deadline {
			t.Fatalf("%s's main table has no route %q after %s: %q", ns, missing, bgppeer.Deadline, rs)
		}
		<-tick.C
	}
}

// TestBGPBadNetwork: bgp run refuses, with exit 2 and before it starts
// anything (no status socket, nothing listening), a --network that is
// not ipvlan l3 or l3s, one that does not exist, and a state directory
// whose parents give no router ID.
func TestBGPBadNetwork(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("enp0s3")
	w.vr("network create -d macvlan --subnet 172.16.9.0/24 -o parent=enp0s3 macnet")
	run := "bgp run --asn 65001 --peer 192.0.2.1 --peer-asn 65000 "
	for _, tt := range []struct{ args, want string }{
		{"--network macnet", "network macnet is macvlan bridge: its endpoints answer ARP and neighbour discovery on enp0s3's link themselves, so it is not announced"},
		{"--network nosuch", "--network nosuch: no such network in " + w.state},
		{"", "no parent of an announced network has an IPv4 address to be the router ID: give one with --router-id"},
	} {
		code, stdout, stderr := runCLI(append([]string{"--state-dir", w.state}, strings.Fields(run+tt.args)...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("vlanraw %s%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", run, tt.args, code, stdout, stderr, tt.want)
		}
		if _, err := os.Stat(bgp.SocketPath(w.state)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("vlanraw %s%s: status socket %v; want none", run, tt.args, err)
		}
	}
}

// TestBGPSeed000FRR is TestBGPSeed000BIRD against FRR: the router runs
// zebra and bgpd (bgppeer.FRR). Before the speaker runs, a host behind
// the router cannot reach the L3 endpoints; within 10 s of its start
// `vtysh -c 'show ip bgp'` holds both subnets via the host's parent
// address (and nothing of the L2 networks), zebra puts them in the
// router's kernel table (via the parent's address, on lan0), and the
// host behind the router pings both endpoints and they ping it. network rm withdraws the subnets within a
// second, network create announces them again within a second, and
// SIGTERM withdraws everything.
func TestBGPSeed000FRR(t *testing.T) {
	w, router, farNS, webapp, database := seed000BGP(t)
	frr := bgppeer.StartFRR(t, openNS(t, router), bgppeer.Config{
		RouterID: netip.MustParseAddr("192.168.0.1"), ASN: 65000,
		Neighbors: []bgppeer.Neighbor{{Addr: netip.MustParseAddr("192.168.0.50"), ASN: 65001}},
	})
	// Before the speaker: the router does not know the subnets.
	noReply(t, farNS, "10.99.0.2", webapp.ip)

	both := bgppeer.Want("192.168.10.0/24", "192.168.0.50", "192.168.20.0/24", "192.168.0.50")
	start := time.Now()
	sp := w.startSpeaker("--asn", "65001", "--peer", "192.168.0.1", "--peer-asn", "65000")
	frr.WaitRoutes(both)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("FRR had both subnets %s after the speaker started; want 10s at most", took)
	}
	waitKernelRoutes(t, router, "192.168.10.0/24 via 192.168.0.50 dev lan0", "192.168.20.0/24 via 192.168.0.50 dev lan0")
	reaches(t, farNS, "10.99.0.2", webapp.ip)
	reaches(t, farNS, "10.99.0.2", database.ip)
	reaches(t, webapp.h, webapp.ip, "10.99.0.2")
	reaches(t, database.h, database.ip, "10.99.0.2")

	rmAndCreate(t, w, "FRR", frr, both, webapp, database)
	sp.stop(syscall.SIGTERM)
	frr.WaitRoutes(bgppeer.Want())
}

// TestBGPNetworksIPv6 has two dual-stack networks on two parents, each
// parent on a link of its own to the router (BIRD): a, ipvlan l3 on
// enp0s3 (192.168.0.50/24, fd00::50/64), and b, ipvlan l3s on enp0s8
// (192.168.1.50/24, fd00:1::50/64). With --network a, BIRD gets a's
// IPv4 and IPv6 subnets (IPv6 over MP-BGP, via the parent's IPv6
// address) and nothing of b; the router pings a's endpoint on both
// families. Without --network, both networks; then b's parent is
// readdressed (192.168.1.50 replaced by 192.168.1.60) and BIRD's next
// hop for b's IPv4 subnet follows within a second: withdrawn when the
// address goes, announced via the new one when it comes.
func TestBGPNetworksIPv6(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	router := newNetNS(t)
	for _, l := range []struct{ parent, lan, host4, host6, router4, router6 string }{
		{"enp0s3", "lan0", "192.168.0.50/24", "fd00::50/64", "192.168.0.1/24", "fd00::1/64"},
		{"enp0s8", "lan1", "192.168.1.50/24", "fd00:1::50/64", "192.168.1.1/24", "fd00:1::1/64"},
	} {
		vr(t, w.host, "link", "add", l.parent, "up", "type", "veth", "peer", "name", l.lan, "netns", router, "up")
		vr(t, w.host, "addr", "add", l.host4, "dev", l.parent)
		vr(t, w.host, "addr", "add", l.host6, "dev", l.parent, "nodad")
		vr(t, router, "addr", "add", l.router4, "dev", l.lan)
		vr(t, router, "addr", "add", l.router6, "dev", l.lan, "nodad")
	}
	w.vr("network create -d ipvlan --ipv6 --subnet 192.168.10.0/24 --subnet fd00:10::/64 -o parent=enp0s3 -o ipvlan_mode=l3 a")
	w.vr("network create -d ipvlan --ipv6 --subnet 192.168.11.0/24 --subnet fd00:11::/64 -o parent=enp0s8 -o ipvlan_mode=l3s b")
	a := w.attach("a", newNetNS(t), "--ip", "192.168.10.10", "--ip6", "fd00:10::10")
	bird := bgppeer.StartBIRD(t, openNS(t, router), bgppeer.Config{
		RouterID: netip.MustParseAddr("192.168.0.1"), ASN: 65000,
		Neighbors: []bgppeer.Neighbor{{Addr: netip.MustParseAddr("192.168.0.50"), ASN: 65001}},
	})
	routerNS := openNS(t, router)
	noReply(t, routerNS, "192.168.0.1", a.IPv4)

	run := []string{"--asn", "65001", "--peer", "192.168.0.1", "--peer-asn", "65000"}
	sp := w.startSpeaker(append(run, "--network", "a")...)
	bird.WaitRoutes(bgppeer.Want("192.168.10.0/24", "192.168.0.50", "fd00:10::/64", "fd00::50"))
	reaches(t, routerNS, "192.168.0.1", a.IPv4)
	reaches(t, routerNS, "fd00::1", a.IPv6)
	sp.stop(syscall.SIGTERM)
	bird.WaitRoutes(bgppeer.Want())

	w.startSpeaker(run...)
	bird.WaitRoutes(bgppeer.Want("192.168.10.0/24", "192.168.0.50", "fd00:10::/64", "fd00::50",
		"192.168.11.0/24", "192.168.1.50", "fd00:11::/64", "fd00:1::50"))
	start := time.Now()
	vr(t, w.host, "addr", "del", "192.168.1.50/24", "dev", "enp0s8")
	bird.WaitRoutes(bgppeer.Want("192.168.10.0/24", "192.168.0.50", "fd00:10::/64", "fd00::50", "fd00:11::/64", "fd00:1::50"))
	if took := time.Since(start); took > time.Second {
		t.Errorf("BIRD kept 192.168.11.0/24 %s after its parent lost its IPv4 address; want it withdrawn within a second", took)
	}
	start = time.Now()
	vr(t, w.host, "addr", "add", "192.168.1.60/24", "dev", "enp0s8")
	bird.WaitRoutes(bgppeer.Want("192.168.10.0/24", "192.168.0.50", "fd00:10::/64", "fd00::50",
		"192.168.11.0/24", "192.168.1.60", "fd00:11::/64", "fd00:1::50"))
	if took := time.Since(start); took > time.Second {
		t.Errorf("BIRD had 192.168.11.0/24 via the parent's new address %s after it was added; want within a second", took)
	}
}

// TestBGPThreeHosts: three hosts, each a namespace with its own state
// directory, its parent on a link to a top-of-rack router running BIRD
// (ToR 10.0.N.1, host 10.0.N.2, N = 1..3), an ipvlan l3 network on
// subnets of its own (192.168.N.0/24, 192.168.N+10.0/24) with an
// endpoint on each, and its own speaker (AS 6500N; the ToR is AS 65000).
// No route to any subnet is set by hand: each host has only its default
// route via the ToR, as any host has a gateway. Every endpoint pings
// every other across the hosts; when host 1 removes its network, only
// its subnets leave the ToR's table, and the others still reach one
// another.
func TestBGPThreeHosts(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	tor := newNetNS(t)
	sysctl(t, tor, "net/ipv4/ip_forward", "1")
	var hosts []*world
	var eps []ctr
	var neighbors []bgppeer.Neighbor
	all := map[netip.Prefix]netip.Addr{}
	for n := 1; n <= 3; n++ {
		w := newWorld(t)
		hosts = append(hosts, w)
		hostAddr := fmt.Sprintf("10.0.%d.2", n)
		vr(t, w.host, "link", "add", "enp0s3", "up", "type", "veth", "peer", "name", fmt.Sprintf("lan%d", n), "netns", tor, "up")
		vr(t, w.host, "addr", "add", hostAddr+"/24", "dev", "enp0s3")
		vr(t, tor, "addr", "add", fmt.Sprintf("10.0.%d.1/24", n), "dev", fmt.Sprintf("lan%d", n))
		hostDefault(t, w.host, "enp0s3", fmt.Sprintf("10.0.%d.1", n))
		s1, s2 := fmt.Sprintf("192.168.%d.0/24", n), fmt.Sprintf("192.168.%d.0/24", n+10)
		w.vr(fmt.Sprintf("network create -d ipvlan --subnet %s --subnet %s -o parent=enp0s3 -o ipvlan_mode=l3 net", s1, s2))
		eps = append(eps, w.run(fmt.Sprintf("c%d", n), "net", "--ip", fmt.Sprintf("192.168.%d.10", n)),
			w.run(fmt.Sprintf("d%d", n), "net", "--ip", fmt.Sprintf("192.168.%d.10", n+10)))
		neighbors = append(neighbors, bgppeer.Neighbor{Addr: netip.MustParseAddr(hostAddr), ASN: uint32(65000 + n)})
		all[netip.MustParsePrefix(s1)] = netip.MustParseAddr(hostAddr)
		all[netip.MustParsePrefix(s2)] = netip.MustParseAddr(hostAddr)
	}
	bird := bgppeer.StartBIRD(t, openNS(t, tor), bgppeer.Config{RouterID: netip.MustParseAddr("10.0.1.1"), ASN: 65000, Neighbors: neighbors})
	noReply(t, eps[0].h, eps[0].ip, eps[2].ip)
	for n, w := range hosts {
		w.startSpeaker("--asn", fmt.Sprint(65001+n), "--peer", fmt.Sprintf("10.0.%d.1", n+1), "--peer-asn", "65000")
	}
	bird.WaitRoutes(all)
	for _, a := range eps {
		for _, b := range eps {
			if a.ip != b.ip {
				reaches(t, a.h, a.ip, b.ip)
			}
		}
	}

	for _, e := range eps[:2] {
		hosts[0].vr("disconnect net " + e.ns)
	}
	hosts[0].vr("network rm net")
	delete(all, netip.MustParsePrefix("192.168.1.0/24"))
	delete(all, netip.MustParsePrefix("192.168.11.0/24"))
	bird.WaitRoutes(all)
	for _, a := range eps[2:] {
		for _, b := range eps[2:] {
			if a.ip != b.ip {
				reaches(t, a.h, a.ip, b.ip)
			}
		}
	}
}
