package bench

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/bgppeer"
)

// The BGP benchmarks run on the host: `vlanraw network create` of an
// ipvlan l3 network records it without creating any ipvlan link (the
// endpoints do), so the speaker announces real records and real parent
// addresses on a kernel without ipvlan, and the timings are the host's
// (in QEMU with TCG they would mean nothing). Each compares `vlanraw bgp
// run` with Debian's gobgpd (GoBGP 3, whose wire package vlanraw's
// speaker encodes its messages with) driven by its own gobgp client, both
// peering with one BIRD 2 router across veths, in the same run.

// bgpBench is a BIRD router (AS 65000) with two neighbours, each a host
// namespace on a veth of its own: vlanraw's (192.0.2.2, AS 65001, BIRD's
// peer0) and gobgpd's (198.51.100.2, AS 65002, peer1).
type bgpBench struct {
	cli      string
	bird     *bgppeer.BIRD
	vHost    *netns.NS
	vName    string
	state    string
	gHost    *netns.NS
	gobgp    string
	gobgpAPI string
	procs    []*exec.Cmd
}

const (
	vlanrawHop = "192.0.2.2"
	gobgpdHop  = "198.51.100.2"
)

// newBGPBench sets the router and both hosts up, starts BIRD (both
// sessions disabled when disabled is set), gobgpd, and with announce
// vlanraw's speaker.
func newBGPBench(b *testing.B, disabled bool) *bgpBench {
	b.Helper()
	gobgpd, err := exec.LookPath("gobgpd")
	if err != nil {
		b.Skip("Debian's gobgpd is the reference speaker and is not installed: run testenv/deps.sh")
	}
	gobgp, err := exec.LookPath("gobgp")
	if err != nil {
		b.Skip("gobgpd's client gobgp is not installed: run testenv/deps.sh")
	}
	e := &bgpBench{cli: vlanrawCLI(b), gobgp: gobgp, state: b.TempDir()}
	router, _ := testenv.NewNetNS(b)
	e.vHost, e.vName = testenv.NewNetNS(b)
	e.gHost, _ = testenv.NewNetNS(b)
	rh, err := links.Open(router)
	if err != nil {
		b.Fatal(err)
	}
	defer rh.Close()
	for _, side := range []struct {
		host                 *netns.NS
		hostAddr, rlink, rAt string
	}{{e.vHost, vlanrawHop + "/24", "r0", "192.0.2.1/24"}, {e.gHost, gobgpdHop + "/24", "r1", "198.51.100.1/24"}} {
		h, err := links.Open(side.host)
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: side.rlink, Up: true, NetNS: router}}); err != nil {
			b.Fatal(err)
		}
		addAddr(b, h, "p0", side.hostAddr)
		addAddr(b, rh, side.rlink, side.rAt)
	}
	e.bird = bgppeer.StartBIRD(b, router, bgppeer.Config{
		RouterID: netip.MustParseAddr("192.0.2.1"), ASN: 65000,
		Neighbors: []bgppeer.Neighbor{
			{Addr: netip.MustParseAddr(vlanrawHop), ASN: 65001, Disabled: disabled},
			{Addr: netip.MustParseAddr(gobgpdHop), ASN: 65002, Disabled: disabled},
		},
	})
	dir := b.TempDir()
	conf := filepath.Join(dir, "gobgpd.toml")
	err = os.WriteFile(conf, []byte(`[global.config]
  as = 65002
  router-id = "`+gobgpdHop+`"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.51.100.1"
    peer-as = 65000
`), 0o644)
	if err != nil {
		b.Fatal(err)
	}
	e.gobgpAPI = "unix://" + filepath.Join(dir, "gobgpd.sock")
	e.start(b, e.gHost, gobgpd, "-f", conf, "--api-hosts", e.gobgpAPI, "--pprof-disable", "--disable-stdlog")
	waitUntil(b, "gobgpd's API", func() bool {
		return exec.Command(e.gobgp, "--target", e.gobgpAPI, "global").Run() == nil
	})
	return e
}

// addAddr adds prefix to link name.
func addAddr(b *testing.B, h *links.Handle, name, prefix string) {
	b.Helper()
	l, err := h.Get(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := h.AddAddress(l.Index, netip.MustParsePrefix(prefix), true); err != nil {
		b.Fatal(err)
	}
}

// start starts prog in ns until the benchmark ends.
func (e *bgpBench) start(b *testing.B, ns *netns.NS, prog string, args ...string) *exec.Cmd {
	b.Helper()
	cmd := exec.Command(prog, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := ns.Do(cmd.Start); err != nil {
		b.Fatalf("start %s: %v", prog, err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if b.Failed() {
			b.Logf("%s:\n%s", filepath.Base(prog), out.String())
		}
	})
	e.procs = append(e.procs, cmd)
	return cmd
}

// startSpeaker starts vlanraw bgp run in vlanraw's host.
func (e *bgpBench) startSpeaker(b *testing.B) *exec.Cmd {
	b.Helper()
	return e.start(b, e.vHost, e.cli, "--state-dir", e.state, "bgp", "run", "--asn", "65001", "--router-id", vlanrawHop, "--peer", "192.0.2.1", "--peer-asn", "65000")
}

// vlanraw runs the vlanraw CLI on vlanraw's host and state.
func (e *bgpBench) vlanraw(b *testing.B, args ...string) {
	b.Helper()
	timeCmd(b, e.cli, append([]string{"-n", e.vName, "--state-dir", e.state}, args...)...)
}

// gobgpRIB runs `gobgp global rib -a FAMILY VERB PREFIX nexthop HOP`.
func (e *bgpBench) gobgpRIB(b *testing.B, verb, prefix string) {
	b.Helper()
	timeCmd(b, e.gobgp, "--target", e.gobgpAPI, "global", "rib", "-a", "ipv4", verb, prefix, "nexthop", gobgpdHop)
}

// waitUntil polls cond every 10 ms until it holds, for bgppeer.Deadline.
func waitUntil(b *testing.B, what string, cond func() bool) {
	b.Helper()
	for start := time.Now(); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > bgppeer.Deadline {
			b.Fatalf("waited %s for %s", bgppeer.Deadline, what)
		}
	}
}

// convergeChanges is the number of changes per contender and direction
// in one iteration of BenchmarkBGPConvergence.
func convergeChanges() int {
	if testing.Short() {
		return 3
	}
	return 20
}

// BenchmarkBGPConvergence times one change, from the command that makes
// it to BIRD's table showing it (polled with birdc every 20 ms, the
// resolution of the figures), p50 over 20 changes each way per
// contender: vlanraw, `vlanraw network create` of an ipvlan l3 network
// (the speaker sees the state file replaced, through inotify, and
// announces its subnet) and `vlanraw network rm` (withdraws it); the
// reference, `gobgp global rib add` and `del` of the same kind of prefix
// on gobgpd. The changes alternate between the contenders. The ratios
// announce-vs-gobgpd and withdraw-vs-gobgpd are gobgpd's time over
// vlanraw's: above 1, vlanraw converges faster.
func BenchmarkBGPConvergence(b *testing.B) {
	e := newBGPBench(b, false)
	e.startSpeaker(b)
	n := convergeChanges()
	var vAdd, vDel, gAdd, gDel []time.Duration
	for b.Loop() {
		for i := range n {
			prefix := fmt.Sprintf("10.1.%d.0/24", i)
			start := time.Now()
			e.vlanraw(b, "network", "create", "-d", "ipvlan", "--subnet", prefix, "-o", "parent=p0", "-o", "ipvlan_mode=l3", "net")
			e.bird.WaitRoutes(bgppeer.Want(prefix, vlanrawHop))
			vAdd = append(vAdd, time.Since(start))
			start = time.Now()
			e.vlanraw(b, "network", "rm", "net")
			e.bird.WaitRoutes(bgppeer.Want())
			vDel = append(vDel, time.Since(start))

			prefix = fmt.Sprintf("10.2.%d.0/24", i)
			start = time.Now()
			e.gobgpRIB(b, "add", prefix)
			e.bird.WaitRoutes(bgppeer.Want(prefix, gobgpdHop))
			gAdd = append(gAdd, time.Since(start))
			start = time.Now()
			e.gobgpRIB(b, "del", prefix)
			e.bird.WaitRoutes(bgppeer.Want())
			gDel = append(gDel, time.Since(start))
		}
	}
	b.ReportMetric(ms(p50(vAdd)), "vlanraw-announce-ms")
	b.ReportMetric(ms(p50(vDel)), "vlanraw-withdraw-ms")
	b.ReportMetric(ms(p50(gAdd)), "gobgpd-announce-ms")
	b.ReportMetric(ms(p50(gDel)), "gobgpd-withdraw-ms")
	b.ReportMetric(float64(p50(gAdd))/float64(p50(vAdd)), "announce-vs-gobgpd")
	b.ReportMetric(float64(p50(gDel))/float64(p50(vDel)), "withdraw-vs-gobgpd")
}

// scalePrefixes is the number of prefixes of BenchmarkBGPScale.
func scalePrefixes() int {
	if testing.Short() {
		return 10
	}
	return 1000
}

// BenchmarkBGPScale announces 1000 prefixes to BIRD: vlanraw's, the
// subnets of one ipvlan l3 network (10.100.0.0/24 up), gobgpd's, the
// same number added with gobgp global rib add (10.200.0.0/24 up). Each
// speaker holds its prefixes before BIRD's session with it comes up
// (BIRD starts with both disabled); the time is from birdc enable to
// BIRD's table holding all of them, one speaker at a time, the other's
// session disabled again. The speakers' resident memory (VmRSS) is read
// after. table-vs-gobgpd is gobgpd's time over vlanraw's (above 1:
// vlanraw is faster) and ratio-rss-vs-gobgpd gobgpd's RSS over vlanraw's
// (above 1: vlanraw needs less).
func BenchmarkBGPScale(b *testing.B) {
	e := newBGPBench(b, true)
	n := scalePrefixes()
	vWant, gWant := map[netip.Prefix]netip.Addr{}, map[netip.Prefix]netip.Addr{}
	args := []string{"network", "create", "-d", "ipvlan"}
	var gPrefixes []string
	for i := range n {
		p := fmt.Sprintf("10.%d.%d.0/24", 100+i/256, i%256)
		args = append(args, "--subnet", p)
		vWant[netip.MustParsePrefix(p)] = netip.MustParseAddr(vlanrawHop)
		g := fmt.Sprintf("10.%d.%d.0/24", 200+i/256, i%256)
		gPrefixes = append(gPrefixes, g)
		gWant[netip.MustParsePrefix(g)] = netip.MustParseAddr(gobgpdHop)
	}
	e.vlanraw(b, append(args, "-o", "parent=p0", "-o", "ipvlan_mode=l3", "net")...)
	speaker := e.startSpeaker(b)
	gobgpd := e.procs[0]
	// gobgp's client adds one prefix a run: four at a time.
	work := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for p := range work {
				e.gobgpRIB(b, "add", p)
			}
		})
	}
	for _, p := range gPrefixes {
		work <- p
	}
	close(work)
	wg.Wait()
	waitUntil(b, "vlanraw's speaker to announce every prefix", func() bool {
		out, err := exec.Command(e.cli, "--state-dir", e.state, "bgp", "status").Output()
		return err == nil && strings.Contains(string(out), fmt.Sprintf("announced: %d prefix(es)", n))
	})
	var vTook, gTook []time.Duration
	for b.Loop() {
		for _, c := range []struct {
			peer int
			want map[netip.Prefix]netip.Addr
			took *[]time.Duration
		}{{0, vWant, &vTook}, {1, gWant, &gTook}} {
			start := time.Now()
			e.bird.Enable(c.peer)
			e.bird.WaitRoutes(c.want)
			*c.took = append(*c.took, time.Since(start))
			e.bird.Birdc(fmt.Sprintf("disable peer%d", c.peer))
			e.bird.WaitRoutes(bgppeer.Want())
		}
	}
	vRSS, gRSS := rssMB(b, speaker.Process.Pid), rssMB(b, gobgpd.Process.Pid)
	b.ReportMetric(ms(p50(vTook)), "vlanraw-table-ms")
	b.ReportMetric(ms(p50(gTook)), "gobgpd-table-ms")
	b.ReportMetric(float64(p50(gTook))/float64(p50(vTook)), "table-vs-gobgpd")
	b.ReportMetric(vRSS, "vlanraw-speaker-rss-MB")
	b.ReportMetric(gRSS, "gobgpd-rss-MB")
	b.ReportMetric(gRSS/vRSS, "ratio-rss-vs-gobgpd")
}

// rssMB reads a process's VmRSS.
func rssMB(b *testing.B, pid int) float64 {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// p50 returns the median.
func p50(ds []time.Duration) time.Duration { return percentile(ds, 50) }
