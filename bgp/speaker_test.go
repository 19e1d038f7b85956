package bgp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/bgppeer"
)

// childEnv, set in a child's environment, makes this test binary a
// speaker (see runChild) rather than run the tests. A speaker's sockets
// are its process's, so a test runs it as a child started inside a
// namespace: the test binary's own threads are in the host's.
const childEnv = "VLANRAW_BGP_TEST_SPEAKER"

// childSpec is what a child speaker runs with.
type childSpec struct {
	Config Config
	Routes []Route
	Socket string
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		runChild(spec)
	}
	os.Exit(m.Run())
}

// runChild is a speaker announcing spec's routes and serving its status
// on spec's socket; each line on stdin is a JSON []Route to announce
// instead. SIGTERM stops it (withdrawing everything), and it exits 0.
func runChild(raw string) {
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fail(err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	sp, err := Start(context.Background(), spec.Config, os.Stderr)
	if err != nil {
		fail(err)
	}
	if _, _, err := sp.Announce(spec.Routes); err != nil {
		fail(err)
	}
	l, err := net.Listen("unix", spec.Socket)
	if err != nil {
		fail(err)
	}
	go ServeStatus(l, sp)
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			var rs []Route
			if err := json.Unmarshal(in.Bytes(), &rs); err != nil {
				fail(err)
			}
			if _, _, err := sp.Announce(rs); err != nil {
				fail(err)
			}
		}
	}()
	<-sigs
	if err := sp.Stop(context.Background()); err != nil {
		fail(err)
	}
	os.Exit(0)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "speaker:", err)
	os.Exit(1)
}

// child is a running child speaker.
type child struct {
	cmd    *exec.Cmd
	in     *json.Encoder
	socket string
}

// route is a Route from its words.
func route(prefix, nextHop string) Route {
	return Route{Prefix: netip.MustParsePrefix(prefix), NextHop: netip.MustParseAddr(nextHop)}
}

// stop sends the child SIGTERM and checks that it exits 0.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("the speaker, stopped with SIGTERM: %v; want exit 0", err)
	}
}

// startChild starts a speaker in ns.
func startChild(t *testing.T, ns *netns.NS, cfg Config, routes []Route) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{socket: filepath.Join(t.TempDir(), SocketName)}
	spec, err := json.Marshal(childSpec{Config: cfg, Routes: routes, Socket: c.socket})
	if err != nil {
		t.Fatal(err)
	}
	c.cmd = exec.Command(exe)
	c.cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	c.cmd.Stderr = os.Stderr
	w, err := c.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.in = json.NewEncoder(w)
	if err := ns.Do(c.cmd.Start); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	return c
}

// wire is a host namespace and a router namespace joined by a veth pair:
// eth0 in the host (192.0.2.2/24, 2001:db8::2/64), eth0 in the router
// (192.0.2.1/24, 2001:db8::1/64).
func wire(t *testing.T) (host, router *netns.NS) {
	t.Helper()
	host, _ = testenv.NewNetNS(t)
	router, _ = testenv.NewNetNS(t)
	h, err := links.Open(host)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "eth0", Up: true}, Peer: links.Attrs{Name: "eth0", Up: true, NetNS: router}}); err != nil {
		t.Fatal(err)
	}
	r, err := links.Open(router)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, side := range []struct {
		h     *links.Handle
		addrs []string
	}{{h, []string{"192.0.2.2/24", "2001:db8::2/64"}}, {r, []string{"192.0.2.1/24", "2001:db8::1/64"}}} {
		l, err := side.h.Get("eth0")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range side.addrs {
			if err := side.h.AddAddress(l.Index, netip.MustParsePrefix(a), true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return host, router
}

// TestSpeakerBIRD announces an IPv4 and an IPv6 prefix to BIRD 2 across
// a veth, with the next hops given; changes the set (one withdrawn, one
// added, one next hop changed) and BIRD follows; the status socket
// reports the established session and the routes; SIGTERM withdraws
// everything before the speaker exits 0.
func TestSpeakerBIRD(t *testing.T) {
	host, router := wire(t)
	bird := bgppeer.StartBIRD(t, router, bgppeer.Config{
		RouterID: netip.MustParseAddr("192.0.2.1"), ASN: 65000,
		Neighbors: []bgppeer.Neighbor{{Addr: netip.MustParseAddr("192.0.2.2"), ASN: 65001}},
	})
	routes := []Route{route("10.10.0.0/24", "192.0.2.2"), route("10.20.0.0/24", "192.0.2.2"), route("2001:db8:10::/64", "2001:db8::2")}
	start := time.Now()
	sp := startChild(t, host, Config{ASN: 65001, RouterID: netip.MustParseAddr("192.0.2.2"),
		Peers: []Peer{{Addr: netip.MustParseAddr("192.0.2.1"), ASN: 65000, HoldTime: 9 * time.Second}}}, routes)
	bird.WaitRoutes(bgppeer.Want("10.10.0.0/24", "192.0.2.2", "10.20.0.0/24", "192.0.2.2", "2001:db8:10::/64", "2001:db8::2"))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the routes reached BIRD %s after the speaker started; want within 10s", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := ReadStatus(ctx, sp.socket)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sessions) != 1 || st.Sessions[0].Peer != netip.MustParseAddr("192.0.2.1") || st.Sessions[0].ASN != 65000 ||
		st.Sessions[0].State != StateEstablished || st.Sessions[0].Since.IsZero() {
		t.Errorf("status sessions %+v; want 192.0.2.1 AS 65000 established", st.Sessions)
	}
	if st.ASN != 65001 || st.RouterID != netip.MustParseAddr("192.0.2.2") || len(st.Announced) != 3 || st.Announced[2] != routes[2] {
		t.Errorf("status %+v; want AS 65001, router ID 192.0.2.2 and the 3 routes", st)
	}

	// One withdrawn, one added, one next hop changed.
	if err := sp.in.Encode([]Route{route("10.10.0.0/24", "192.0.2.3"), route("10.30.0.0/24", "192.0.2.2"), route("2001:db8:10::/64", "2001:db8::2")}); err != nil {
		t.Fatal(err)
	}
	bird.WaitRoutes(bgppeer.Want("10.10.0.0/24", "192.0.2.3", "10.30.0.0/24", "192.0.2.2", "2001:db8:10::/64", "2001:db8::2"))

	sp.stop(t)
	bird.WaitRoutes(map[netip.Prefix]netip.Addr{})
	if _, err := ReadStatus(ctx, sp.socket); err == nil {
		t.Error("the status socket answers after the speaker stopped")
	}
}

// TestSpeakerFRR announces an IPv4 and an IPv6 prefix to FRR's bgpd
// across a veth; bgpd's table (show ip bgp, show bgp ipv6 unicast) has
// both via the next hops given, and SIGTERM withdraws them.
func TestSpeakerFRR(t *testing.T) {
	host, router := wire(t)
	frr := bgppeer.StartFRR(t, router, bgppeer.Config{
		RouterID: netip.MustParseAddr("192.0.2.1"), ASN: 65000,
		Neighbors: []bgppeer.Neighbor{{Addr: netip.MustParseAddr("192.0.2.2"), ASN: 65001}},
	})
	start := time.Now()
	sp := startChild(t, host, Config{ASN: 65001, RouterID: netip.MustParseAddr("192.0.2.2"),
		Peers: []Peer{{Addr: netip.MustParseAddr("192.0.2.1"), ASN: 65000}}},
		[]Route{route("10.10.0.0/24", "192.0.2.2"), route("2001:db8:10::/64", "2001:db8::2")})
	frr.WaitRoutes(bgppeer.Want("10.10.0.0/24", "192.0.2.2", "2001:db8:10::/64", "2001:db8::2"))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the routes reached FRR %s after the speaker started; want within 10s", d)
	}
	sp.stop(t)
	frr.WaitRoutes(bgppeer.Want())
}
