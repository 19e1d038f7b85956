package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// findingInputs are a host and a QEMU/TCG run, as Parse reads them.
func findingInputs(t *testing.T) []*Input {
	t.Helper()
	host := `vlanraw-env: kernel=6.18 virt=host
BenchmarkDataPlane/loopback-2   1 1 ns/op   3.0 udp-pps-vs-bridge   100 udp-pps
BenchmarkDataPlane/veth-2       1 1 ns/op   1.2 udp-pps-vs-bridge   40 udp-pps
BenchmarkDataPlane/veth-2       1 1 ns/op   1.4 udp-pps-vs-bridge   45 udp-pps
BenchmarkDataPlane/veth-2       1 1 ns/op   1.3 udp-pps-vs-bridge   42 udp-pps
BenchmarkDataPlane/macvlan-bridge-2   1 1 ns/op   1.25 udp-pps-vs-bridge   50 udp-pps
BenchmarkEndpointScale/n=10-2   1 1 ns/op   1.0 connect-growth-vs-n10
BenchmarkEndpointScale/n=4000-2 1 1 ns/op   1.6 connect-growth-vs-n10
BenchmarkEndpointScale/n=100-2  1 1 ns/op   1.1 connect-growth-vs-n10
`
	qemu := `vlanraw-env: kernel=6.12 virt=qemu-tcg
BenchmarkDataPlane/ipvlan-l3-2   1 1 ns/op   2.0 udp-pps-vs-bridge   9 udp-pps
BenchmarkDataPlane/ipvlan-l2-2   1 1 ns/op   1.5 udp-pps-vs-bridge   8 udp-pps
`
	var ins []*Input
	for _, s := range []struct{ label, text string }{{"host", host}, {"qemu-6.12", qemu}} {
		in, err := Parse(strings.NewReader(s.text), s.label)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
	}
	return ins
}

func TestFindingAnswer(t *testing.T) {
	ins := findingInputs(t)
	met, notMet := true, false
	for _, tt := range []struct {
		name string
		f    Finding
		want []Result
	}{{
		name: "highest, floor excluded, each input",
		f:    Finding{Bench: `^BenchmarkDataPlane/`, Metric: "udp-pps-vs-bridge", Pick: Highest, Exclude: []string{"loopback"}},
		want: []Result{
			{Input: "host", Benchmark: "BenchmarkDataPlane/veth", Median: 1.3, Min: 1.2, Max: 1.4, N: 3},
			{Input: "qemu-6.12", Benchmark: "BenchmarkDataPlane/ipvlan-l3", Median: 2, Min: 2, Max: 2, N: 1},
		},
	}, {
		name: "lowest",
		f:    Finding{Bench: `^BenchmarkDataPlane/`, Metric: "udp-pps-vs-bridge", Pick: Lowest},
		want: []Result{
			{Input: "host", Benchmark: "BenchmarkDataPlane/macvlan-bridge", Median: 1.25, Min: 1.25, Max: 1.25, N: 1},
			{Input: "qemu-6.12", Benchmark: "BenchmarkDataPlane/ipvlan-l2", Median: 1.5, Min: 1.5, Max: 1.5, N: 1},
		},
	}, {
		name: "absolute figures of QEMU/TCG are left out",
		f:    Finding{Bench: `^BenchmarkDataPlane/(ipvlan|macvlan)`, Metric: "udp-pps", Pick: Each},
		want: []Result{{Input: "host", Benchmark: "BenchmarkDataPlane/macvlan-bridge", Median: 50, Min: 50, Max: 50, N: 1}},
	}, {
		name: "largest size, goal not met",
		f:    Finding{Bench: `^BenchmarkEndpointScale/`, Metric: "connect-growth-vs-n10", Pick: Largest, Goal: Goal{AtMost, 1.5}},
		want: []Result{{Input: "host", Benchmark: "BenchmarkEndpointScale/n=4000", Median: 1.6, Min: 1.6, Max: 1.6, N: 1, Met: &notMet}},
	}, {
		name: "each, goal met",
		f:    Finding{Bench: `^BenchmarkEndpointScale/n=1`, Metric: "connect-growth-vs-n10", Pick: Each, Goal: Goal{AtMost, 1.5}},
		want: []Result{
			{Input: "host", Benchmark: "BenchmarkEndpointScale/n=10", Median: 1, Min: 1, Max: 1, N: 1, Met: &met},
			{Input: "host", Benchmark: "BenchmarkEndpointScale/n=100", Median: 1.1, Min: 1.1, Max: 1.1, N: 1, Met: &met},
		},
	}, {
		name: "not measured",
		f:    Finding{Bench: `^BenchmarkEndpoint(/|$)`, Metric: "cli-add-ratio-vs-cni", Pick: Each, Goal: Goal{AtLeast, 10}},
		want: []Result{},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.f.Answer(ins)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, a.Results); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := (Finding{Bench: "("}).Answer(ins); err == nil {
		t.Error("a bad pattern: no error")
	}
}

// TestFindingsCompile checks that every default finding's pattern
// compiles and that its metric is a kind the report shows for QEMU/TCG
// too (a ratio or a count), so that every run can answer it.
func TestFindingsCompile(t *testing.T) {
	for _, f := range Findings {
		if _, err := f.Answer(nil); err != nil {
			t.Error(err)
		}
		if KindOf(f.Metric) == Absolute {
			t.Errorf("finding %q: metric %q is absolute", f.Question, f.Metric)
		}
	}
}

func TestGoal(t *testing.T) {
	for _, tt := range []struct {
		g    Goal
		v    float64
		met  bool
		text string
	}{
		{Goal{AtLeast, 10}, 10, true, ">= 10"},
		{Goal{AtLeast, 10}, 9.9, false, ">= 10"},
		{Goal{AtMost, 1.5}, 1.6, false, "<= 1.5"},
		{Goal{AtMost, 0.95}, 0.5, true, "<= 0.95"},
		{Goal{}, 0, true, ""},
	} {
		if got := tt.g.Met(tt.v); got != tt.met {
			t.Errorf("%v met by %v: %v", tt.g, tt.v, got)
		}
		if got := tt.g.String(); got != tt.text {
			t.Errorf("%#v: %q, want %q", tt.g, got, tt.text)
		}
	}
}
