package bench

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/vlanraw/vlanraw/modes"
)

// rssSize is the number of links (or endpoints) whose listing the peak
// memory benchmarks measure.
func rssSize() int {
	if testing.Short() {
		return 10
	}
	return 4000
}

// rssReps is the number of runs of each command per iteration.
const rssReps = 5

// rssSamples gathers the peak RSS of each run of one command.
type rssSamples map[string][]float64

// median returns the median of name's samples.
func (s rssSamples) median(name string) float64 {
	v := slices.Clone(s[name])
	slices.Sort(v)
	return v[len(v)/2]
}

// jsonLen returns the length of the JSON array out, or ends the
// benchmark when out is not one.
func jsonLen(tb testing.TB, what string, out []byte) int {
	tb.Helper()
	var v []json.RawMessage
	if err := json.Unmarshal(out, &v); err != nil {
		tb.Fatalf("%s: not a JSON array: %v", what, err)
	}
	return len(v)
}

// BenchmarkRSS measures the peak memory of listing many links: `vlanraw
// link show -j` against `ip -j link show` over 4000 macvlans in one
// namespace, and `vlanraw network inspect` of a network with 4000
// endpoints (10 of each with -short), each next to `vlanraw help`, the
// floor of any run of the binary. The commands alternate, rssReps times
// per iteration; each figure is the median of its runs. The ratios are
// ratio-link-show-vs-ip, ip's peak over vlanraw's (above 1: vlanraw
// needs less), and inspect-vs-floor, inspect's peak over the floor's.
func BenchmarkRSS(b *testing.B) {
	b.Run("link-show", benchRSSLinkShow)
	b.Run("network-inspect", benchRSSInspect)
}

func benchRSSLinkShow(b *testing.B) {
	n := rssSize()
	lb := newLinkBench(b, linkKinds[0], n)
	lb.createAll(b)
	ip := ipPath(b)
	s := rssSamples{}
	for b.Loop() {
		for range rssReps {
			s.linkShow(b, lb, ip)
		}
	}
	b.ReportMetric(s.median("vlanraw"), "vlanraw-link-show-MB")
	b.ReportMetric(s.median("ip"), "ip-link-show-MB")
	b.ReportMetric(s.median("floor"), "cli-floor-MB")
	b.ReportMetric(s.median("ip")/s.median("vlanraw"), "ratio-link-show-vs-ip")
}

// linkShow takes one sample of each command of the link-show benchmark.
func (s rssSamples) linkShow(b *testing.B, lb *linkBench, ip string) {
	vout, v := peakRSS(b, lb.cli, "-n", lb.ns, "-j", "link", "show")
	iout, i := peakRSS(b, ip, "-n", lb.ns, "-j", "link", "show")
	_, f := peakRSS(b, lb.cli, "help")
	// Both must have listed every link: lo, p0, p1 and the n.
	want := len(lb.names) + 3
	if vn, in := jsonLen(b, "vlanraw -j link show", vout), jsonLen(b, "ip -j link show", iout); vn != want || in != want {
		b.Fatalf("vlanraw listed %d links and ip %d, want %d", vn, in, want)
	}
	s["vlanraw"], s["ip"], s["floor"] = append(s["vlanraw"], v), append(s["ip"], i), append(s["floor"], f)
}

func benchRSSInspect(b *testing.B) {
	n := rssSize()
	cli := vlanrawCLI(b)
	e := newEndpointBench(b, modes.MACVlan, "10.128.0.0/9")
	specs := newNamespaces(b, n)
	if _, err := e.m.ConnectAll(specs); err != nil {
		b.Fatal(err)
	}
	if got := endpointLinks(b, specs); got != n {
		b.Fatalf("ConnectAll of %d endpoints: the kernel shows %d", n, got)
	}
	b.Cleanup(func() {
		if err := e.m.DisconnectAll("net"); err != nil {
			b.Error(err)
		}
	})
	s := rssSamples{}
	for b.Loop() {
		for range rssReps {
			out, v := peakRSS(b, cli, "--state-dir", e.stateDir, "-n", e.hostName, "network", "inspect", "net")
			_, f := peakRSS(b, cli, "help")
			var nets []struct{ Containers map[string]json.RawMessage }
			if err := json.Unmarshal(out, &nets); err != nil || len(nets) != 1 || len(nets[0].Containers) != n {
				b.Fatalf("network inspect: want one network with %d containers (err %v)", n, err)
			}
			s["inspect"], s["floor"] = append(s["inspect"], v), append(s["floor"], f)
		}
	}
	b.ReportMetric(s.median("inspect"), "vlanraw-inspect-MB")
	b.ReportMetric(s.median("floor"), "cli-floor-MB")
	b.ReportMetric(s.median("inspect")/s.median("floor"), "inspect-vs-floor")
}
