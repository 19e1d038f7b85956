package verify

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// lab is a throwaway setup: a host namespace holding the parent p0, a
// veth whose peer eth0 sits in a "wire" namespace (the far side), and a
// Manager whose host namespace is the throwaway one.
type lab struct {
	t        *testing.T
	m        *modes.Manager
	host     *netns.NS
	hostName string
	wireName string
	wire     *netns.NS
}

func newLab(t *testing.T) *lab {
	t.Helper()
	testenv.RequireRoot(t)
	l := &lab{t: t}
	host, hostName := testenv.NewNetNS(t)
	wire, wireName := testenv.NewNetNS(t)
	l.host, l.hostName, l.wireName, l.wire = host, hostName, wireName, wire
	h := handle(t, host)
	err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "eth0", Up: true, NetNS: wire}})
	if err != nil {
		t.Fatalf("create veth parent: %v", err)
	}
	mhost, err := netns.Open(hostName)
	if err != nil {
		t.Fatal(err)
	}
	m, err := modes.NewManagerIn(t.TempDir(), mhost)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	l.m = m
	return l
}

// handle opens a links handle in ns for the test.
func handle(t *testing.T, ns *netns.NS) *links.Handle {
	t.Helper()
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// network creates a network from a `network create` line's options
// ("-o k=v" words only, plus the driver) over subnets 10.77.0.0/24 and
// fd77::/64, and connects n new namespaces to it.
func (l *lab) network(driver modes.Driver, opts string, n int) *modes.Network {
	l.t.Helper()
	o := map[string]string{}
	for _, kv := range strings.Fields(opts) {
		k, v, _ := strings.Cut(kv, "=")
		o[k] = v
	}
	const name = "vnet"
	_, err := l.m.CreateNetwork(modes.NetworkSpec{Name: name, Driver: driver, Options: o,
		Subnets: []modes.SubnetSpec{{Subnet: "10.77.0.0/24"}, {Subnet: "fd77::/64"}}})
	if err != nil {
		l.t.Fatalf("create network: %v", err)
	}
	for range n {
		_, nsName := testenv.NewNetNS(l.t)
		if _, err := l.m.Connect(modes.ConnectSpec{Network: name, NetNS: nsName}); err != nil {
			l.t.Fatalf("connect: %v", err)
		}
	}
	nw, err := l.m.Network(name)
	if err != nil {
		l.t.Fatal(err)
	}
	return nw
}

// config returns the Config of a run on nw with the far side.
func (l *lab) config(nw *modes.Network) Config {
	return Config{Network: nw, Host: l.host, Wire: l.wire, WireDev: "eth0"}
}

// run verifies nw with c and logs the table.
func (l *lab) run(c Config) *Result {
	l.t.Helper()
	res, err := Run(c)
	if err != nil {
		l.t.Fatalf("verify: %v", err)
	}
	var b strings.Builder
	res.WriteText(&b)
	l.t.Logf("\n%s", b.String())
	return res
}

// reflect makes the far side a bridge port in hairpin mode, which sends
// frames back out the port they came in on, as VEPA needs. It uses
// iproute2 (package links has no bridge).
func (l *lab) reflect() {
	l.t.Helper()
	ip := ipTool(l.t)
	for _, line := range []string{
		"link add br0 type bridge",
		"link set eth0 master br0",
		"link set eth0 type bridge_slave hairpin on",
		"link set br0 up",
	} {
		out, err := exec.Command(ip, append([]string{"-n", l.wireName}, strings.Fields(line)...)...).CombinedOutput()
		if err != nil {
			l.t.Fatalf("ip -n %s %s: %v: %s", l.wireName, line, err, out)
		}
	}
}

// ipTool returns iproute2's ip: on PATH, or where Debian puts it (the
// QEMU harness copies it in).
func ipTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("ip"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("needs iproute2's ip for a bridge in hairpin mode (testenv/deps.sh installs it)")
	return ""
}

// ownCounters attaches the test's own ingress counters, apart from the
// run's, to each endpoint's link and to the parent, and detaches them
// when the test ends.
func (l *lab) ownCounters(nw *modes.Network) (eps []*bpf.Hook, parent *bpf.Hook) {
	l.t.Helper()
	attach := func(ns *netns.NS, ifname string) *bpf.Hook {
		h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: ifname, Direction: bpf.Ingress})
		if err != nil {
			l.t.Fatalf("attach the test's counter to %s: %v", ifname, err)
		}
		l.t.Cleanup(func() { h.Detach() })
		return h
	}
	for _, e := range nw.Endpoints {
		ns, err := netns.OpenPath(e.NetNSPath)
		if err != nil {
			l.t.Fatal(err)
		}
		l.t.Cleanup(func() { ns.Close() })
		eps = append(eps, attach(ns, e.IfName))
	}
	return eps, attach(l.host, nw.Parent)
}

// packets reads class c from a test-owned counter.
func packets(t *testing.T, h *bpf.Hook, c bpf.Class) int {
	t.Helper()
	k, err := h.Counts()
	if err != nil {
		t.Fatal(err)
	}
	return int(k.Class[c].Packets)
}

// rowCounts checks the observed counts of one row of res: want has one
// count per endpoint for a per-endpoint row, else one.
func rowCounts(t *testing.T, res *Result, from expect.Origin, p expect.Probe, at expect.Point, c bpf.Class, want ...int) {
	t.Helper()
	s := expect.Step{From: from, Probe: p}
	row, ok := res.Row(s, at, c)
	if !ok {
		t.Errorf("%s: no row for %s at %s", s, c, at)
		return
	}
	if !slices.Equal(row.Observed, want) {
		t.Errorf("%s: %s at the %s: observed %v, want %v", s, c, at, row.Observed, want)
	}
}

// rowAtLeast checks that one row of res observed at least min (at each
// endpoint).
func rowAtLeast(t *testing.T, res *Result, from expect.Origin, p expect.Probe, at expect.Point, c bpf.Class, min int) {
	t.Helper()
	s := expect.Step{From: from, Probe: p}
	row, ok := res.Row(s, at, c)
	if !ok || len(row.Observed) == 0 {
		t.Errorf("%s: no row for %s at %s", s, c, at)
		return
	}
	for _, o := range row.Observed {
		if o < min {
			t.Errorf("%s: %s at the %s: observed %v, want at least %d", s, c, at, row.Observed, min)
		}
	}
}
