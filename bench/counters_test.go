package bench

import (
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// countersPairs is how many flows without and with counters each
// iteration of BenchmarkCountersUDP sends: a 3-5% difference is the size
// of one flow's noise here, so one pair per iteration is not enough.
const countersPairs = 5

// BenchmarkCountersUDP sends UDP flows between two macvlan endpoints
// without counters and with the bpf classifier on ingress and egress of
// both ends, alternating in the same run (and which goes first),
// countersPairs pairs per iteration, and reports packets per second with
// counters as a fraction of without (goal: at least 0.95). It fails
// if the counters did not see the packets that arrived, so the "with"
// runs really ran the classifier.
func BenchmarkCountersUDP(b *testing.B) {
	t := dpMACVlan(b, false)
	dpWarm(b, t)
	d := dpLoadFor().udp
	var off, on dpTotals
	without := func() {
		u, err := traffic.UDPFlood(t.client, t.server, t.addr, d)
		if err != nil {
			b.Fatal(err)
		}
		off.udpRx, off.udpTx, off.udpTime = off.udpRx+u.Received, off.udpTx+u.Sent, off.udpTime+u.Duration
	}
	with := func() {
		var hooks []*bpf.Hook
		for _, ns := range []*netns.NS{t.client, t.server} {
			for _, dir := range bpf.Directions() {
				h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: "eth0", Direction: dir})
				if err != nil {
					b.Fatal(err)
				}
				hooks = append(hooks, h)
			}
		}
		u, err := traffic.UDPFlood(t.client, t.server, t.addr, d)
		if err != nil {
			b.Fatal(err)
		}
		on.udpRx, on.udpTx, on.udpTime = on.udpRx+u.Received, on.udpTx+u.Sent, on.udpTime+u.Duration
		c, err := hooks[2].Counts() // server ingress
		if err != nil {
			b.Fatal(err)
		}
		if got := c.Class[bpf.ClassIPv4Unicast].Packets; got < u.Received {
			b.Fatalf("server ingress counted %d IPv4 unicast packets, but %d datagrams arrived", got, u.Received)
		}
		for _, h := range hooks {
			if err := h.Detach(); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Alternate which goes first, so that neither always runs on a
	// machine warmed (or tired) by the other.
	i := 0
	for b.Loop() {
		for range countersPairs {
			if i%2 == 0 {
				without()
				with()
			} else {
				with()
				without()
			}
			i++
		}
	}
	b.ReportMetric(off.pps(), "udp-pps-without")
	b.ReportMetric(on.pps(), "udp-pps-with")
	b.ReportMetric(on.pps()/off.pps(), "with-vs-without")
}
