package bpf_test

import (
	"testing"
	"time"
)

// frameNamed returns the bytes of the live frame called name.
func frameNamed(tb testing.TB, name string) []byte {
	for _, f := range liveFrames() {
		if f.name == name {
			return f.b
		}
	}
	tb.Fatalf("no live frame %q", name)
	return nil
}

// BenchmarkClassifier measures what the classifier costs per frame with
// BPF_PROG_TEST_RUN (the program alone: no skb allocation, no tc or TCX
// dispatch), for an ARP, an IPv4, an IPv6 and a VLAN-tagged frame,
// against the simplest tc counter (trivialCounter: one per-CPU slot
// plus one) on the same frame, interleaved in the same run. It reports
// ns/pkt for both and their ratio, x-trivial (the goal is 1.5 or less);
// ns/op is the time of one round of both, repeat frames each.
func BenchmarkClassifier(b *testing.B) {
	const repeat = 20000
	o := loadObjects(b)
	trivial, _ := trivialCounter(b)
	for _, f := range []struct {
		name string
		b    []byte
	}{
		{"ARP", frameNamed(b, "arp request")},
		{"IPv4", frameNamed(b, "ipv4 unicast")},
		{"IPv6", frameNamed(b, "ipv6 unicast")},
		{"VLAN", frameNamed(b, "802.1q vid 50")},
	} {
		b.Run(f.name, func(b *testing.B) {
			var ours, theirs time.Duration
			n := 0
			for b.Loop() {
				_, d, err := o.Program.Benchmark(f.b, repeat, nil)
				if err != nil {
					b.Fatal(err)
				}
				_, dt, err := trivial.Benchmark(f.b, repeat, nil)
				if err != nil {
					b.Fatal(err)
				}
				ours += d
				theirs += dt
				n++
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(n), "ns/pkt")
			b.ReportMetric(float64(theirs.Nanoseconds())/float64(n), "trivial-ns/pkt")
			b.ReportMetric(float64(ours)/float64(theirs), "x-trivial")
		})
	}
}
