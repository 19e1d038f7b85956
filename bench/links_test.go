package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// linkBench is a namespace with a veth parent p0 for link benchmarks.
type linkBench struct {
	h    *links.Handle
	name string // namespace name, for ip -n
}

func newLinkBench(b *testing.B) *linkBench {
	ns, name := testenv.NewNetNS(b)
	h, err := links.Open(ns)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true}}); err != nil {
		b.Fatal(err)
	}
	return &linkBench{h: h, name: name}
}

// createVlanraw creates the links with CreateAll (pipelined requests).
func (lb *linkBench) createVlanraw(b *testing.B, names []string, group uint32) time.Duration {
	specs := macvlans(names, group)
	start := time.Now()
	if err := lb.h.CreateAll(specs); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// createOneByOne creates the links with one Create (one request and its
// acknowledgement) each.
func (lb *linkBench) createOneByOne(b *testing.B, names []string, group uint32) time.Duration {
	specs := macvlans(names, group)
	start := time.Now()
	for _, s := range specs {
		if err := lb.h.Create(s); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

func macvlans(names []string, group uint32) []links.Spec {
	mode := rtnl.MACVlanModeBridge
	specs := make([]links.Spec, len(names))
	for i, n := range names {
		g := group
		specs[i] = &links.MACVlan{Attrs: links.Attrs{Name: n, Group: &g}, Parent: "p0", Mode: &mode}
	}
	return specs
}

func (lb *linkBench) createIPBatch(b *testing.B, names []string, group uint32) time.Duration {
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = fmt.Sprintf("link add link p0 name %s group %d type macvlan mode bridge", n, group)
	}
	return ipBatch(b, lb.name, lines)
}

// deleteGroup removes every link of group, untimed.
func (lb *linkBench) deleteGroup(b *testing.B, group uint32) {
	if err := lb.h.Conn().DeleteLinkGroup(group); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMACVlanCreate creates 1000 macvlan links in-process, with
// CreateAll and with one Create each, and with one `ip -batch` process,
// alternating, and reports the rates and ratios (above 1 means vlanraw
// is faster).
func BenchmarkMACVlanCreate(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 10
	}
	lb := newLinkBench(b)
	names := linkNames("mv", n)
	var all, one, ip time.Duration
	for b.Loop() {
		all += lb.createVlanraw(b, names, 7)
		lb.deleteGroup(b, 7)
		ip += lb.createIPBatch(b, names, 7)
		lb.deleteGroup(b, 7)
		one += lb.createOneByOne(b, names, 7)
		lb.deleteGroup(b, 7)
	}
	total := float64(n) * float64(b.N)
	b.ReportMetric(total/all.Seconds(), "createall-links/s")
	b.ReportMetric(total/one.Seconds(), "create-links/s")
	b.ReportMetric(total/ip.Seconds(), "ip-batch-links/s")
	b.ReportMetric(ip.Seconds()/all.Seconds(), "ratio-createall-vs-ip-batch")
	b.ReportMetric(ip.Seconds()/one.Seconds(), "ratio-create-vs-ip-batch")
}

// BenchmarkMACVlanDelete deletes 1000 macvlan links three ways in the same
// run: vlanraw's batched DeleteAll, iproute2's own group delete
// (`ip link del group G`), and `ip -batch` with one `link del` per link.
// Ratios above 1 mean vlanraw is faster.
func BenchmarkMACVlanDelete(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 10
	}
	lb := newLinkBench(b)
	names := linkNames("mv", n)
	var vr, grp, batch time.Duration
	for b.Loop() {
		lb.createVlanraw(b, names, 0)
		start := time.Now()
		if err := lb.h.DeleteAll(names); err != nil {
			b.Fatal(err)
		}
		vr += time.Since(start)

		lb.createVlanraw(b, names, 9)
		grp += ipRun(b, "-n", lb.name, "link", "del", "group", "9")

		lb.createVlanraw(b, names, 0)
		lines := make([]string, n)
		for i, name := range names {
			lines[i] = "link del " + name
		}
		batch += ipBatch(b, lb.name, lines)
	}
	it := float64(b.N)
	b.ReportMetric(vr.Seconds()/it, "vlanraw-s/1000")
	b.ReportMetric(grp.Seconds()/it, "ip-group-s/1000")
	b.ReportMetric(batch.Seconds()/it, "ip-batch-s/1000")
	b.ReportMetric(batch.Seconds()/vr.Seconds(), "ratio-vs-ip-batch")
	b.ReportMetric(grp.Seconds()/vr.Seconds(), "ratio-vs-ip-group")
}
