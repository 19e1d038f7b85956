package load_test

import (
	"bytes"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/bench/load"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// server is the address of the server end of newPair's veth.
var server = netip.MustParseAddrPort("10.78.0.2:0")

// newPair returns two throwaway namespaces joined by a veth pair: the
// client's t0 has 10.78.0.1/24, the server's t1 has 10.78.0.2/24.
func newPair(t *testing.T) (client, srv *netns.NS) {
	t.Helper()
	a, _ := testenv.NewNetNS(t)
	b, _ := testenv.NewNetNS(t)
	ha, err := links.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer ha.Close()
	hb, err := links.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer hb.Close()
	err = ha.Create(&links.Veth{
		Attrs: links.Attrs{Name: "t0", Up: true},
		Peer:  links.Attrs{Name: "t1", Up: true, NetNS: b},
	})
	if err != nil {
		t.Fatalf("create veth: %v", err)
	}
	for _, x := range []struct {
		h    *links.Handle
		name string
		pfx  string
	}{{ha, "t0", "10.78.0.1/24"}, {hb, "t1", "10.78.0.2/24"}} {
		l, err := x.h.Get(x.name)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.h.AddAddress(l.Index, netip.MustParsePrefix(x.pfx), true); err != nil {
			t.Fatalf("add %s: %v", x.pfx, err)
		}
	}
	return a, b
}

// checkNoLeak fails the test if a goroutine started by package load is
// still alive: every function must have joined its goroutines before it
// returned, so none may be left at all, not even one about to exit.
func checkNoLeak(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("github.com/vlanraw/vlanraw/bench/load.")) {
			t.Errorf("goroutine left behind:\n%s", g)
		}
	}
}

func TestUDP(t *testing.T) {
	a, b := newPair(t)
	const d = 300 * time.Millisecond
	r, err := load.UDP(a, b, server, d)
	if err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t)
	t.Logf("sent %d, received %d in %v: %.0f pps, loss %.2f%%", r.Sent, r.Received, r.Duration, r.PPS(), 100*r.Loss())
	if r.Sent == 0 || r.Received == 0 {
		t.Fatalf("sent %d, received %d: want both above 0", r.Sent, r.Received)
	}
	if r.Received > r.Sent {
		t.Errorf("received %d > sent %d: datagrams counted that were not sent", r.Received, r.Sent)
	}
	if r.Duration < d || r.Duration > d+time.Second {
		t.Errorf("sent for %v, want about %v", r.Duration, d)
	}
	if want := float64(r.Received) / r.Duration.Seconds(); r.PPS() != want {
		t.Errorf("PPS %v, want %v", r.PPS(), want)
	}
	if loss := r.Loss(); loss < 0 || loss >= 1 {
		t.Errorf("loss %v: want within [0, 1)", loss)
	}
}

func TestUDPNoReceiver(t *testing.T) {
	a, _ := newPair(t)
	// The server end's address is not in namespace a's peer: binding it
	// in a (where it is not configured) must fail cleanly.
	if _, err := load.UDP(a, a, server, 10*time.Millisecond); err == nil {
		t.Fatal("UDP with a receiver address the namespace lacks: no error")
	}
	checkNoLeak(t)
}

func TestTCPStream(t *testing.T) {
	a, b := newPair(t)
	const d = 300 * time.Millisecond
	r, err := load.TCPStream(a, b, server, d)
	if err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t)
	t.Logf("sent %d, received %d bytes in %v: %.1f MB/s", r.Sent, r.Received, r.Duration, r.BytesPerSecond()/1e6)
	if r.Received == 0 {
		t.Fatal("no bytes received")
	}
	// TCP delivers every byte written before the close, and the server
	// reads to the end.
	if r.Received != r.Sent {
		t.Errorf("received %d bytes, sent %d: want equal", r.Received, r.Sent)
	}
	if r.Sent < load.StreamBuffer {
		t.Errorf("sent %d bytes: want at least one %d-byte buffer", r.Sent, load.StreamBuffer)
	}
	if r.Duration < d || r.Duration > d+time.Second {
		t.Errorf("took %v, want about %v", r.Duration, d)
	}
}

func TestTCPRR(t *testing.T) {
	a, b := newPair(t)
	const n = 500
	r, err := load.TCPRR(a, b, server, n)
	if err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t)
	p50, p99 := r.Percentile(50), r.Percentile(99)
	t.Logf("%d round trips in %v: p50 %v, p99 %v", len(r.RTTs), r.Duration, p50, p99)
	if len(r.RTTs) != n {
		t.Fatalf("%d round trips timed, want %d", len(r.RTTs), n)
	}
	if p50 <= 0 || p99 < p50 || r.RTTs[0] > p50 || r.RTTs[n-1] < p99 {
		t.Errorf("min %v, p50 %v, p99 %v, max %v: want 0 < min <= p50 <= p99 <= max", r.RTTs[0], p50, p99, r.RTTs[n-1])
	}
	var sum time.Duration
	for _, d := range r.RTTs {
		sum += d
	}
	if sum > r.Duration {
		t.Errorf("round trips add up to %v, more than the %v they all took", sum, r.Duration)
	}
	if _, err := load.TCPRR(a, b, server, 0); err == nil {
		t.Error("TCPRR with 0 round trips: no error")
	}
}

// TestLoopback runs all three in one namespace, over lo.
func TestLoopback(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	up := true
	if err := h.Set("lo", links.Change{Up: &up}); err != nil {
		t.Fatal(err)
	}
	lo := netip.MustParseAddrPort("127.0.0.1:0")
	u, err := load.UDP(ns, ns, lo, 50*time.Millisecond)
	if err != nil || u.Received == 0 || u.Received > u.Sent {
		t.Errorf("UDP over lo: %+v, %v", u, err)
	}
	s, err := load.TCPStream(ns, ns, lo, 50*time.Millisecond)
	if err != nil || s.Received == 0 || s.Received != s.Sent {
		t.Errorf("TCPStream over lo: %+v, %v", s, err)
	}
	r, err := load.TCPRR(ns, ns, lo, 50)
	if err != nil || len(r.RTTs) != 50 {
		t.Errorf("TCPRR over lo: %d round trips, %v", len(r.RTTs), err)
	}
	checkNoLeak(t)
}

func TestPercentile(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0, 1}, {50, 5}, {99, 9}, {100, 10}, {-1, 1}, {101, 10}} {
		if got := load.Percentile(ds, c.p); got != c.want {
			t.Errorf("Percentile(1..10, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := load.Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil, 50) = %v, want 0", got)
	}
}
