package bench

import (
	"errors"
	"os/exec"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// endpointBench is a "host" namespace holding the parent p0 (a veth whose
// peer p1 stays there too), a vlanraw network "net" on it, and target
// namespaces for the endpoints.
type endpointBench struct {
	host     *netns.NS
	hostName string
	m        *modes.Manager
	stateDir string
	driver   modes.Driver
	subnet   string
}

// endpointDrivers are the drivers the endpoint benchmark compares with
// the CNI plugin of the same name.
var endpointDrivers = []modes.Driver{modes.MACVlan, modes.IPVlan}

func newEndpointBench(b *testing.B, driver modes.Driver, subnet string) *endpointBench {
	testenv.RequireKind(b, string(driver))
	host, hostName := testenv.NewNetNS(b)
	h, err := links.Open(host)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true}}); err != nil {
		b.Fatal(err)
	}
	stateDir := b.TempDir()
	mhost, err := netns.Open(hostName)
	if err != nil {
		b.Fatal(err)
	}
	m, err := modes.NewManagerIn(stateDir, mhost)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	e := &endpointBench{host: host, hostName: hostName, m: m, stateDir: stateDir, driver: driver, subnet: subnet}
	e.createNetwork(b)
	return e
}

// createNetwork creates the network "net" on p0: macvlan bridge or
// ipvlan l2, the modes the CNI peer is configured with.
func (e *endpointBench) createNetwork(b *testing.B) {
	opts := map[string]string{modes.OptParent: "p0", modes.OptMACVlanMode: "bridge"}
	if e.driver == modes.IPVlan {
		opts = map[string]string{modes.OptParent: "p0", modes.OptIPVlanMode: "l2"}
	}
	_, err := e.m.CreateNetwork(modes.NetworkSpec{
		Name: "net", Driver: e.driver,
		Subnets: []modes.SubnetSpec{{Subnet: e.subnet}},
		Options: opts,
	})
	if err != nil {
		b.Fatal(err)
	}
}

// bareLink creates a link eth0 of the network's kind and mode on p0
// directly in target.
func (e *endpointBench) bareLink(target *netns.NS) error {
	h, err := links.Open(e.host)
	if err != nil {
		return err
	}
	defer h.Close()
	a := links.Attrs{Name: "eth0", NetNS: target, Up: true}
	if e.driver == modes.IPVlan {
		mode := rtnl.IPVlanModeL2
		return h.Create(&links.IPVlan{Attrs: a, Parent: "p0", Mode: &mode})
	}
	mode := rtnl.MACVlanModeBridge
	return h.Create(&links.MACVlan{Attrs: a, Parent: "p0", Mode: &mode})
}

// percentile returns the p-th percentile (0..100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkEndpoint connects one endpoint into an existing namespace and
// disconnects it, for a macvlan (bridge) and an ipvlan (l2) network,
// alternating vlanraw in-process, the vlanraw CLI, and the CNI plugin of
// the same kind with host-local IPAM driven by cnitool (started from a
// thread inside the host namespace, so it pays no `ip netns exec`), with
// a bare link delete as the floor for DEL, `vlanraw help` as the floor
// of a vlanraw run and /bin/true as the floor of any program's run, 100
// times per iteration (3 with -short). It reports p50 and p99 per
// operation and the ratios of the p50s (above 1: vlanraw is faster);
// cni-add-vs-true-exec is the most any CLI could beat cnitool's ADD by
// here. ipvlan runs where the kernel has it (in QEMU here).
func BenchmarkEndpoint(b *testing.B) {
	for _, d := range endpointDrivers {
		b.Run("driver="+string(d), func(b *testing.B) { benchEndpoint(b, d) })
	}
}

// endpointReps is the number of samples of each operation that one
// iteration of BenchmarkEndpoint takes, so that p50 and p99 mean
// something even with -benchtime 1x.
func endpointReps() int {
	if testing.Short() {
		return 3
	}
	return 100
}

func benchEndpoint(b *testing.B, driver modes.Driver) {
	e := newEndpointBench(b, driver, "10.10.0.0/16")
	cni := newCNIPeer(b, string(driver), "p0", "10.20.0.0/16")
	target, targetName := testenv.NewNetNS(b)
	th, err := links.Open(target)
	if err != nil {
		b.Fatal(err)
	}
	defer th.Close()
	cli := vlanrawCLI(b)
	// QEMU guests hold only the programs the run needs: there the
	// floor of any program is not measured.
	trueProg, err := exec.LookPath("true")
	if err != nil {
		b.Logf("no floor of any program: %v", err)
	}
	vlanraw := func(args ...string) time.Duration {
		return timeCmd(b, cli, append([]string{"--state-dir", e.stateDir, "-n", e.hostName}, args...)...)
	}
	s := endpointSamples{}
	// add and del time one ADD and one DEL, checking in between and
	// after that the kernel shows the endpoint and then no more.
	add := func(name string, fn func() time.Duration) {
		s[name] = append(s[name], fn())
		if !hasEth0(b, th) {
			b.Fatalf("%s: no eth0 in the target namespace", name)
		}
	}
	del := func(name string, fn func() time.Duration) {
		s[name] = append(s[name], fn())
		if hasEth0(b, th) {
			b.Fatalf("%s: eth0 is still in the target namespace", name)
		}
	}
	since := func(fn func() error) func() time.Duration {
		return func() time.Duration {
			start := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			return time.Since(start)
		}
	}
	for b.Loop() {
		for range endpointReps() {
			// The floor for any CLI: starting the same binary to print
			// its help and exit.
			s["cli-exec-floor"] = append(s["cli-exec-floor"], timeCmd(b, cli, "help"))
			// The floor for any program: starting one that does
			// nothing.
			if trueProg != "" {
				s["true-exec"] = append(s["true-exec"], timeCmd(b, trueProg))
			}
			add("cli-add", func() time.Duration { return vlanraw("connect", "net", targetName) })
			del("cli-del", func() time.Duration { return vlanraw("disconnect", "net", targetName) })
			add("vlanraw-add", since(func() error {
				_, err := e.m.Connect(modes.ConnectSpec{Network: "net", NetNS: targetName})
				return err
			}))
			del("vlanraw-del", since(func() error { return e.m.Disconnect("net", targetName) }))
			// The floor for a delete: one RTM_DELLINK of the same kind
			// of link.
			if err := e.bareLink(target); err != nil {
				b.Fatal(err)
			}
			del("bare-del", since(func() error { return th.Delete("eth0") }))
			add("cni-add", cni.timed(b, e.host, "add", target.Path()))
			del("cni-del", cni.timed(b, e.host, "del", target.Path()))
		}
	}
	for _, name := range []string{"vlanraw-add", "vlanraw-del", "cli-add", "cli-del", "cni-add", "cni-del", "bare-del", "cli-exec-floor", "true-exec"} {
		if len(s[name]) == 0 {
			continue
		}
		b.ReportMetric(s.ms(name, 50), name+"-p50-ms")
		b.ReportMetric(s.ms(name, 99), name+"-p99-ms")
	}
	for _, r := range []struct{ metric, peer, vlanraw string }{
		{"inproc-add-ratio-vs-cni", "cni-add", "vlanraw-add"},
		{"cli-add-ratio-vs-cni", "cni-add", "cli-add"},
		{"inproc-del-ratio-vs-cni", "cni-del", "vlanraw-del"},
		{"cli-del-ratio-vs-cni", "cni-del", "cli-del"},
		{"cni-add-vs-exec-floor", "cni-add", "cli-exec-floor"},
		{"cni-add-vs-true-exec", "cni-add", "true-exec"},
	} {
		if len(s[r.vlanraw]) > 0 {
			b.ReportMetric(s.ms(r.peer, 50)/s.ms(r.vlanraw, 50), r.metric)
		}
	}
	// Against the floor, lower is better: these are vlanraw's time over
	// the bare delete's.
	b.ReportMetric(s.ms("vlanraw-del", 50)/s.ms("bare-del", 50), "inproc-del-vs-bare-del")
	b.ReportMetric(s.ms("cli-del", 50)/s.ms("bare-del", 50), "cli-del-vs-bare-del")
}

// endpointSamples are the timings of each operation, by name.
type endpointSamples map[string][]time.Duration

// ms returns the p-th percentile of name's samples in milliseconds.
func (s endpointSamples) ms(name string, p float64) float64 {
	return ms(percentile(s[name], p))
}

// hasEth0 reports whether the kernel shows an eth0 in h's namespace.
func hasEth0(tb testing.TB, h *links.Handle) bool {
	tb.Helper()
	_, err := h.Get("eth0")
	switch {
	case err == nil:
		return true
	case errors.Is(err, unix.ENODEV):
		return false
	}
	tb.Fatalf("look for eth0: %v", err)
	return false
}
