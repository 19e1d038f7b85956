package traffic_test

import (
	"bytes"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// The tests of the benchmarks' load: UDPFlood, TCPStream and TCPRR, over
// newPair's veth (from a to b) and over lo.

// server is the address of the server end of newPair's veth.
var server = netip.AddrPortFrom(addrB, 0)

// checkNoLeak fails the test if a goroutine started by package traffic is
// still alive: every function must have joined its goroutines before it
// returned, so none may be left but one that has said it is done and has
// not yet ended (a goroutine sends its result before it returns: the
// caller can go on in between, more so on a loaded machine, and the
// goroutine can be preempted anywhere on its way out). Such a goroutine is
// runnable, not waiting; those are given the processor until they are
// gone. One waiting for anything (I/O, a channel, a lock) fails at once,
// and so does one still there after 1000 turns.
func checkNoLeak(t *testing.T) {
	t.Helper()
	var left [][]byte
	for range 1000 {
		left = left[:0]
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		ending := true
		for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
			if bytes.Contains(g, []byte("github.com/vlanraw/vlanraw/testenv/traffic.")) {
				left = append(left, g)
				ending = ending && runnable(g)
			}
		}
		if len(left) == 0 || !ending {
			break
		}
		runtime.Gosched()
	}
	for _, g := range left {
		t.Errorf("goroutine left behind:\n%s", g)
	}
}

// runnable reports whether the goroutine whose trace g is (as
// runtime.Stack writes it: "goroutine 7 [runnable]:" and its frames) is
// running or ready to run, not waiting for something.
func runnable(g []byte) bool {
	head, _, _ := bytes.Cut(g, []byte("\n"))
	return bytes.Contains(head, []byte(" [runnable]:")) || bytes.Contains(head, []byte(" [running]:"))
}

func TestUDPFlood(t *testing.T) {
	p := newPair(t)
	a, b := p.a, p.b
	const d = 300 * time.Millisecond
	r, err := traffic.UDPFlood(a, b, server, d)
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

func TestUDPFloodNoReceiver(t *testing.T) {
	a := newPair(t).a
	// The server end's address is not in namespace a's peer: binding it
	// in a (where it is not configured) must fail cleanly.
	if _, err := traffic.UDPFlood(a, a, server, 10*time.Millisecond); err == nil {
		t.Fatal("UDP with a receiver address the namespace lacks: no error")
	}
	checkNoLeak(t)
}

func TestTCPStream(t *testing.T) {
	p := newPair(t)
	a, b := p.a, p.b
	const d = 300 * time.Millisecond
	r, err := traffic.TCPStream(a, b, server, d)
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
	if r.Sent < traffic.StreamBuffer {
		t.Errorf("sent %d bytes: want at least one %d-byte buffer", r.Sent, traffic.StreamBuffer)
	}
	if r.Duration < d || r.Duration > d+time.Second {
		t.Errorf("took %v, want about %v", r.Duration, d)
	}
}

func TestTCPRR(t *testing.T) {
	p := newPair(t)
	a, b := p.a, p.b
	const n = 500
	r, err := traffic.TCPRR(a, b, server, n)
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
	if _, err := traffic.TCPRR(a, b, server, 0); err == nil {
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
	u, err := traffic.UDPFlood(ns, ns, lo, 50*time.Millisecond)
	if err != nil || u.Received == 0 || u.Received > u.Sent {
		t.Errorf("UDP over lo: %+v, %v", u, err)
	}
	s, err := traffic.TCPStream(ns, ns, lo, 50*time.Millisecond)
	if err != nil || s.Received == 0 || s.Received != s.Sent {
		t.Errorf("TCPStream over lo: %+v, %v", s, err)
	}
	r, err := traffic.TCPRR(ns, ns, lo, 50)
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
		if got := traffic.Percentile(ds, c.p); got != c.want {
			t.Errorf("Percentile(1..10, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := traffic.Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil, 50) = %v, want 0", got)
	}
}

func TestRunnable(t *testing.T) {
	for _, tt := range []struct {
		g    string
		want bool
	}{
		{"goroutine 159 [runnable]:\ngithub.com/vlanraw/vlanraw/testenv/traffic.TCPRR.func1()", true},
		{"goroutine 7 [running]:\ngithub.com/vlanraw/vlanraw/testenv/traffic.TCPRR.func1()", true},
		{"goroutine 9 [IO wait]:\ninternal/poll.runtime_pollWait(...)\ngithub.com/vlanraw/vlanraw/testenv/traffic.TCPRR.func1()", false},
		{"goroutine 10 [chan send]:\ngithub.com/vlanraw/vlanraw/testenv/traffic.TCPRR.func1()", false},
		{"goroutine 11 [sync.Mutex.Lock, 2 minutes]:\ngithub.com/vlanraw/vlanraw/testenv/traffic.TCPRR.func1()\n\t/x/tcp.go:1 [runnable]:", false},
	} {
		if got := runnable([]byte(tt.g)); got != tt.want {
			t.Errorf("runnable(%q) = %v, want %v", tt.g, got, tt.want)
		}
	}
}
