package bench

import (
	"fmt"
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
)

// dpCounters are bpf frame counters on the tc ingress of a topology's
// endpoint links, one per namespace: what the endpoints received, from
// the other endpoint, from their own driver, or from the wire.
type dpCounters struct {
	hooks  []*bpf.Hook // every endpoint's
	server *bpf.Hook   // the server's, also in hooks
}

// dpAttach attaches counters to the ingress of ifname in client and in
// server (once when they are the same namespace), detached when the
// benchmark ends.
func dpAttach(b *testing.B, ifname string, client, server *netns.NS) *dpCounters {
	var c dpCounters
	nss := []*netns.NS{server}
	if client != server {
		nss = append(nss, client)
	}
	for _, ns := range nss {
		h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: ifname, Direction: bpf.Ingress})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if err := h.Close(); err != nil {
				b.Error(err)
			}
		})
		c.hooks = append(c.hooks, h)
	}
	c.server = c.hooks[0]
	return &c
}

// read returns the counts summed over every endpoint, and the server's.
func (c *dpCounters) read(b *testing.B) (all, server bpf.Counts) {
	for _, h := range c.hooks {
		n, err := h.Counts()
		if err != nil {
			b.Fatal(err)
		}
		for i := range n.Class {
			all.Class[i] = all.Class[i].Add(n.Class[i])
		}
		if h == c.server {
			server = n
		}
	}
	return all, server
}

// dpFrames are the frames of a window of counts that the data-plane
// report shows: those a mode without broadcast should not deliver.
type dpFrames struct {
	all, arp, bcast, mcast, nd uint64
}

// framesOf sorts c into dpFrames: ARP requests and replies, Ethernet
// broadcast, IPv4 and IPv6 multicast (MLD included, ND not), and IPv6
// neighbour and router discovery.
func framesOf(c bpf.Counts) dpFrames {
	p := func(cl bpf.Class) uint64 { return c.Class[cl].Packets }
	return dpFrames{
		all:   c.Total().Packets,
		arp:   p(bpf.ClassARPRequest) + p(bpf.ClassARPReply),
		bcast: p(bpf.ClassBroadcast),
		mcast: p(bpf.ClassIPv4Multicast) + p(bpf.ClassIPv6Multicast),
		nd:    p(bpf.ClassIPv6ND),
	}
}

// report reports f divided by per, each as prefix+"-KIND-frames".
func (f dpFrames) report(b *testing.B, prefix string, per float64) {
	for _, m := range []struct {
		kind string
		n    uint64
	}{{"arp", f.arp}, {"bcast", f.bcast}, {"mcast", f.mcast}, {"nd", f.nd}} {
		b.ReportMetric(float64(m.n)/per, prefix+"-"+m.kind+"-frames")
	}
	b.ReportMetric(float64(f.all)/per, prefix+"-frames")
}

// dpWindow is what the counters saw over the measured loop, taken as the
// difference of two reads.
type dpWindow struct {
	c            *dpCounters
	before       bpf.Counts // every endpoint, at the start
	serverBefore bpf.Counts
}

// start reads the counters at the start of the window and returns what
// they saw before it: from link creation through address setup,
// neighbour resolution and warm-up.
func (c *dpCounters) start(b *testing.B) (*dpWindow, dpFrames) {
	all, server := c.read(b)
	return &dpWindow{c: c, before: all, serverBefore: server}, framesOf(all)
}

// end returns what the counters saw since start. It fails the benchmark
// if the server's counter saw fewer IPv4 unicast frames than the
// datagrams its UDP socket read in the window, udpRx: then the counts
// are not what the endpoint received.
func (w *dpWindow) end(b *testing.B, udpRx uint64) dpFrames {
	all, server := w.c.read(b)
	got := server.Sub(w.serverBefore).Class[bpf.ClassIPv4Unicast].Packets
	if got < udpRx {
		b.Fatalf("the server's ingress counted %d IPv4 unicast frames, but its socket read %d datagrams", got, udpRx)
	}
	return framesOf(all.Sub(w.before))
}

// String formats f for logs.
func (f dpFrames) String() string {
	return fmt.Sprintf("%d frames: %d arp, %d broadcast, %d multicast, %d nd", f.all, f.arp, f.bcast, f.mcast, f.nd)
}
