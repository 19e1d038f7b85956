package bench

import (
	"testing"
	"time"
)

// contender is one way of doing what a benchmark times: run does it once
// (with any untimed setup and cleanup of its own), ops operations, and
// returns the time the operation itself took.
type contender struct {
	name string
	ops  int
	run  func() time.Duration
}

// interleave runs every contender once per b.Loop iteration, vlanraw
// and its peers alternating (A B A B), the starting one rotated each
// iteration so that none always follows the same other, and returns
// each contender's total time by name.
func interleave(b *testing.B, cs []contender) map[string]time.Duration {
	total := make(map[string]time.Duration, len(cs))
	for i := 0; b.Loop(); i++ {
		for j := range cs {
			c := cs[(i+j)%len(cs)]
			total[c.name] += c.run()
		}
	}
	return total
}

// versus is a benchmark's comparison of a vlanraw contender with a peer.
type versus struct{ vlanraw, peer string }

// reportRates reports, for each contender, its operations per iteration
// over its total time, as a rate in unit (such as "links/s"), and for
// each pair the ratio of vlanraw's rate to the peer's: above 1 means
// vlanraw is faster.
func reportRates(b *testing.B, cs []contender, total map[string]time.Duration, unit string, pairs []versus) {
	rate := make(map[string]float64, len(cs))
	for _, c := range cs {
		rate[c.name] = float64(c.ops) * float64(b.N) / total[c.name].Seconds()
		b.ReportMetric(rate[c.name], c.name+"-"+unit)
	}
	for _, p := range pairs {
		b.ReportMetric(rate[p.vlanraw]/rate[p.peer], "ratio-"+p.vlanraw+"-vs-"+p.peer)
	}
}
