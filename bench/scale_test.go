package bench

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/testenv"
)

// scaleRef is the size every other size's time per endpoint is compared
// with, in the same run.
const scaleRef = 10

// scaleSizes are the numbers of endpoints BenchmarkEndpointScale connects.
func scaleSizes() []int {
	if testing.Short() {
		return []int{1, scaleRef}
	}
	return []int{1, scaleRef, 100, 1000, 4000}
}

// raiseNoFile raises the limit of open files to at least want: every
// namespace of a scale run holds a descriptor while ConnectAll works, and
// a kernel's default hard limit (4096, as inside the QEMU guest) is below
// what 4000 endpoints need. Go raises the soft limit to the hard one by
// itself; raising the hard one needs root, which these benchmarks have.
func raiseNoFile(tb testing.TB, want uint64) {
	tb.Helper()
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		tb.Fatalf("getrlimit NOFILE: %v", err)
	}
	if l.Cur >= want {
		return
	}
	l.Cur = want
	l.Max = max(l.Max, want)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		tb.Fatalf("raise the open-file limit to %d for the endpoints' namespaces: %v", want, err)
	}
}

// newNamespaces creates n throwaway namespaces (deleted when the
// benchmark ends) and returns the specs connecting each to "net".
func newNamespaces(tb testing.TB, n int) []modes.ConnectSpec {
	tb.Helper()
	raiseNoFile(tb, uint64(4*n+1024))
	specs := make([]modes.ConnectSpec, n)
	for i := range specs {
		ns, name := testenv.NewNetNS(tb)
		ns.Close() // the name is all ConnectAll needs; 4000 open handles are not
		specs[i] = modes.ConnectSpec{Network: "net", NetNS: name}
	}
	return specs
}

// endpointLinks counts the namespaces of specs that hold an eth0, as the
// kernel reports them.
func endpointLinks(tb testing.TB, specs []modes.ConnectSpec) int {
	tb.Helper()
	n := 0
	for _, s := range specs {
		h, err := links.OpenName(s.NetNS)
		if err != nil {
			tb.Fatal(err)
		}
		if hasEth0(tb, h) {
			n++
		}
		h.Close()
	}
	return n
}

// scaleRound connects specs with one ConnectAll, then tears them down
// with DisconnectAll and removes the network, checking each time what the
// kernel holds, and returns the two timed phases. It creates the network
// again afterwards, untimed.
func (e *endpointBench) scaleRound(b *testing.B, specs []modes.ConnectSpec) (up, down time.Duration) {
	start := time.Now()
	if _, err := e.m.ConnectAll(specs); err != nil {
		b.Fatal(err)
	}
	up = time.Since(start)
	if got := endpointLinks(b, specs); got != len(specs) {
		b.Fatalf("ConnectAll of %d endpoints: the kernel shows %d", len(specs), got)
	}
	start = time.Now()
	if err := e.m.DisconnectAll("net"); err != nil {
		b.Fatal(err)
	}
	if err := e.m.RemoveNetwork("net"); err != nil {
		b.Fatal(err)
	}
	down = time.Since(start)
	if got := endpointLinks(b, specs); got != 0 {
		b.Fatalf("teardown of %d endpoints: the kernel still shows %d", len(specs), got)
	}
	e.createNetwork(b)
	return up, down
}

// BenchmarkEndpointScale connects n macvlan endpoints, one per namespace,
// on one parent with one ConnectAll (as `vlanraw connect NET NS1 NS2 ...`
// does), then tears them down with DisconnectAll and removes the network
// (`vlanraw disconnect --all`, `network rm`), for n = 1, 10, 100, 1000
// and 4000 (1 and 10 with -short), and reports the time per endpoint of
// each phase. Flat across n means no step is O(n) per endpoint: each
// size above 1 also runs a round of 10 endpoints in fresh namespaces
// before its own and one after, and reports its time per endpoint over
// theirs (the growth; the goal is at most 1.5 at 4000). An untimed round
// comes first, and namespace creation is not timed. With -benchtime Nx
// the n namespaces are reused after the first iteration (about 15%
// faster at n=1000 here).
func BenchmarkEndpointScale(b *testing.B) {
	for _, n := range scaleSizes() {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchScale(b, n) })
	}
}

func benchScale(b *testing.B, n int) {
	e := newEndpointBench(b, modes.MACVlan, "10.128.0.0/9")
	specs := newNamespaces(b, n)
	// A first round, on namespaces of its own, pays what only the first
	// round of a run pays (the state file's creation, the Go runtime's
	// growth), so that neither timed round below does.
	e.scaleRound(b, newNamespaces(b, scaleRef))
	var up, down, refUp, refDown time.Duration
	ref := func() {
		if n == 1 {
			return
		}
		// Fresh namespaces, like the n ones on the first iteration.
		u, d := e.scaleRound(b, newNamespaces(b, scaleRef))
		refUp, refDown = refUp+u, refDown+d
	}
	for b.Loop() {
		// The reference round before and after: neither order is
		// the only one, even in a run of one iteration.
		ref()
		u, d := e.scaleRound(b, specs)
		up, down = up+u, down+d
		ref()
	}
	per := func(d time.Duration, n int) float64 { return d.Seconds() * 1e3 / float64(n) / float64(b.N) }
	b.ReportMetric(per(up, n), "connect-ms/endpoint")
	b.ReportMetric(per(down, n), "teardown-ms/endpoint")
	b.ReportMetric(up.Seconds()/float64(b.N), "connect-s-total")
	b.ReportMetric(down.Seconds()/float64(b.N), "teardown-s-total")
	if n > 1 {
		b.ReportMetric(per(up, n)/per(refUp, 2*scaleRef), "connect-growth-vs-n10")
		b.ReportMetric(per(down, n)/per(refDown, 2*scaleRef), "teardown-growth-vs-n10")
	}
}
