package report

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// Finding is a question the report answers from one run's numbers: a
// metric of the benchmarks whose names match Bench, picked by Pick and
// compared with Goal.
type Finding struct {
	Question string
	// Bench is a regular expression matched against benchmark names
	// without the GOMAXPROCS suffix, such as ^BenchmarkDataPlane/.
	Bench string
	// Metric is the unit, such as udp-pps-vs-bridge.
	Metric string
	Pick   Pick
	// Exclude names sub-benchmarks left out, such as a floor that is no
	// candidate answer.
	Exclude []string
	Goal    Goal
}

// Pick says which of the matching benchmarks answer a Finding.
type Pick int

// The ways to pick.
const (
	// Each lists every matching benchmark.
	Each Pick = iota
	// Highest picks the benchmark with the highest median.
	Highest
	// Lowest picks the benchmark with the lowest median.
	Lowest
	// Largest picks the benchmark of the largest size (n=4000, see
	// Benchmark.Size).
	Largest
)

// String implements fmt.Stringer.
func (p Pick) String() string {
	switch p {
	case Each:
		return "each"
	case Highest:
		return "highest"
	case Lowest:
		return "lowest"
	case Largest:
		return "largest"
	}
	return "Pick(" + strconv.Itoa(int(p)) + ")"
}

// Cmp is how a Goal compares.
type Cmp int

// The comparisons.
const (
	NoGoal  Cmp = iota // no goal: the answer is a figure
	AtLeast            // the answer should be the goal or more
	AtMost             // the answer should be the goal or less
)

// String implements fmt.Stringer: "", ">=" or "<=".
func (c Cmp) String() string {
	switch c {
	case NoGoal:
		return ""
	case AtLeast:
		return ">="
	case AtMost:
		return "<="
	}
	return "Cmp(" + strconv.Itoa(int(c)) + ")"
}

// Goal is the value a Finding's answer should reach.
type Goal struct {
	Cmp   Cmp
	Value float64
}

// String formats the goal, such as ">= 10", or "" for none.
func (g Goal) String() string {
	if g.Cmp == NoGoal {
		return ""
	}
	return g.Cmp.String() + " " + tickLabel(g.Value)
}

// Met reports whether v meets the goal.
func (g Goal) Met(v float64) bool {
	switch g.Cmp {
	case AtLeast:
		return v >= g.Value
	case AtMost:
		return v <= g.Value
	}
	return true
}

// Findings are the questions of issues 6, 15 and 16 that the report answers
// first.
// They name benchmarks and metrics of packages bench and bpf; a finding
// whose metric a run lacks says "not measured in this run".
var Findings = []Finding{
	{Question: "Fastest mode for small packets (UDP, 64-byte payloads), as a multiple of veth+bridge's packets per second",
		Bench: `^BenchmarkDataPlane/`, Metric: "udp-pps-vs-bridge", Pick: Highest, Exclude: []string{"loopback"}},
	{Question: "Fastest mode for streams (TCP), as a multiple of veth+bridge's throughput",
		Bench: `^BenchmarkDataPlane/`, Metric: "tcp-MBps-vs-bridge", Pick: Highest, Exclude: []string{"loopback"}},
	{Question: "Fastest mode for request/response (TCP, p50 latency), as a multiple of veth+bridge's",
		Bench: `^BenchmarkDataPlane/`, Metric: "rr-p50-vs-bridge", Pick: Highest, Exclude: []string{"loopback"}},
	{Question: "Broadcast frames the endpoints received per iteration of the data-plane load, per mode",
		Bench: `^BenchmarkDataPlane/`, Metric: "ep-bcast-frames", Pick: Each},
	{Question: "Endpoint ADD, vlanraw in-process against the CNI plugin through cnitool (p50 ratio)",
		Bench: `^BenchmarkEndpoint(/|$)`, Metric: "inproc-add-ratio-vs-cni", Pick: Each, Goal: Goal{AtLeast, 10}},
	{Question: "Endpoint ADD, vlanraw CLI against the CNI plugin through cnitool (p50 ratio)",
		Bench: `^BenchmarkEndpoint(/|$)`, Metric: "cli-add-ratio-vs-cni", Pick: Each, Goal: Goal{AtLeast, 10}},
	{Question: "Endpoint ADD of the CNI plugin through cnitool, as a multiple of starting /bin/true: the most any CLI can beat it by on this machine",
		Bench: `^BenchmarkEndpoint(/|$)`, Metric: "cni-add-vs-true-exec", Pick: Each},
	{Question: "CNI ADD through libcni, vlanraw + host-local against the reference plugin + host-local (p50 ratio)",
		Bench: `^BenchmarkCNI(/|$)`, Metric: "hostlocal-add-ratio-vs-ref", Pick: Each, Goal: Goal{AtLeast, 2}},
	{Question: "CNI ADD through libcni, vlanraw on a vlanraw network (its own IPAM) against the reference plugin + host-local (p50 ratio)",
		Bench: `^BenchmarkCNI(/|$)`, Metric: "network-add-ratio-vs-ref", Pick: Each, Goal: Goal{AtLeast, 2}},
	{Question: "CNI ADD of the reference plugin + host-local, as a multiple of host-local's alone: the most a plugin that delegates to host-local can beat it by on this machine",
		Bench: `^BenchmarkCNI(/|$)`, Metric: "ref-add-vs-ipam-floor", Pick: Each},
	{Question: "CNI DEL through libcni, vlanraw + host-local against the reference plugin + host-local (p50 ratio)",
		Bench: `^BenchmarkCNI(/|$)`, Metric: "hostlocal-del-ratio-vs-ref", Pick: Each},
	{Question: "CNI DEL through libcni, vlanraw on a vlanraw network against the reference plugin + host-local (p50 ratio)",
		Bench: `^BenchmarkCNI(/|$)`, Metric: "network-del-ratio-vs-ref", Pick: Each},
	{Question: "32 CNI ADDs at once through libcni, vlanraw + host-local against the reference plugin + host-local (wall time ratio)",
		Bench: `^BenchmarkCNIConcurrent(/|$)`, Metric: "hostlocal-add32-ratio-vs-ref", Pick: Each, Goal: Goal{AtLeast, 2}},
	{Question: "32 CNI ADDs at once through libcni, vlanraw on a vlanraw network against the reference plugin + host-local (wall time ratio)",
		Bench: `^BenchmarkCNIConcurrent(/|$)`, Metric: "network-add32-ratio-vs-ref", Pick: Each, Goal: Goal{AtLeast, 2}},
	{Question: "32 CNI DELs at once through libcni, vlanraw + host-local against the reference plugin + host-local (wall time ratio)",
		Bench: `^BenchmarkCNIConcurrent(/|$)`, Metric: "hostlocal-del32-ratio-vs-ref", Pick: Each},
	{Question: "32 CNI DELs at once through libcni, vlanraw on a vlanraw network against the reference plugin + host-local (wall time ratio)",
		Bench: `^BenchmarkCNIConcurrent(/|$)`, Metric: "network-del32-ratio-vs-ref", Pick: Each},
	{Question: "Link creation, vlanraw CreateAll against ip -batch (rate ratio)",
		Bench: `^BenchmarkLinksCreate(/|$)`, Metric: "ratio-createall-vs-ip-batch", Pick: Each, Goal: Goal{AtLeast, 1}},
	{Question: "Link deletion, vlanraw DeleteAll against ip link del group (rate ratio)",
		Bench: `^BenchmarkLinksDelete(/|$)`, Metric: "ratio-deleteall-vs-ip-group", Pick: Each, Goal: Goal{AtLeast, 1}},
	{Question: "Connect time per endpoint at the largest n, over n=10 in the same run",
		Bench: `^BenchmarkEndpointScale/`, Metric: "connect-growth-vs-n10", Pick: Largest, Goal: Goal{AtMost, 1.5}},
	{Question: "Peak memory (max RSS) of ip link show over vlanraw link show -j with 4000 links",
		Bench: `^BenchmarkRSS/`, Metric: "ratio-link-show-vs-ip", Pick: Each},
	{Question: "eBPF classifier cost per frame, as a multiple of a trivial counter's (worst frame)",
		Bench: `^BenchmarkClassifier/`, Metric: "x-trivial", Pick: Highest, Goal: Goal{AtMost, 1.5}},
	{Question: "UDP packets per second with the eBPF counters attached, over without",
		Bench: `^BenchmarkCounters`, Metric: "with-vs-without", Pick: Each, Goal: Goal{AtLeast, 0.95}},
	{Question: "BGP: vlanraw network create to the subnet in BIRD's table, gobgpd's gobgp global rib add over it (p50 ratio)",
		Bench: `^BenchmarkBGPConvergence$`, Metric: "announce-vs-gobgpd", Pick: Each},
	{Question: "BGP: vlanraw network rm to the subnet gone from BIRD's table, gobgpd's gobgp global rib del over it (p50 ratio)",
		Bench: `^BenchmarkBGPConvergence$`, Metric: "withdraw-vs-gobgpd", Pick: Each},
	{Question: "BGP: 1000 prefixes into BIRD's table once the session is enabled, gobgpd's time over vlanraw's",
		Bench: `^BenchmarkBGPScale$`, Metric: "table-vs-gobgpd", Pick: Each},
}

// Answer is a Finding answered from each input that measured it.
type Answer struct {
	Question string `json:"question"`
	Metric   string `json:"metric"`
	Goal     string `json:"goal,omitempty"`
	// Results are empty when no input measured the metric.
	Results []Result `json:"results"`
}

// Result is one benchmark's figure in an Answer.
type Result struct {
	Input     string  `json:"input"`
	Benchmark string  `json:"benchmark"`
	Median    float64 `json:"median"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	N         int     `json:"n"`
	// Met is nil without a goal.
	Met *bool `json:"met,omitempty"`
}

// Answer answers f from inputs. Absolute metrics of QEMU/TCG inputs are
// left out, as everywhere in the report.
func (f Finding) Answer(inputs []*Input) (Answer, error) {
	re, err := regexp.Compile(f.Bench)
	if err != nil {
		return Answer{}, fmt.Errorf("finding %q: %w", f.Question, err)
	}
	a := Answer{Question: f.Question, Metric: f.Metric, Goal: f.Goal.String(), Results: []Result{}}
	for _, in := range inputs {
		if !in.Shows(KindOf(f.Metric)) {
			continue
		}
		var cands []*Benchmark
		for _, b := range in.Benchmarks {
			if m := b.Metric(f.Metric); m != nil && m.N() > 0 && re.MatchString(b.Name) && !slices.Contains(f.Exclude, b.Sub()) {
				cands = append(cands, b)
			}
		}
		for _, b := range f.pick(cands) {
			m := b.Metric(f.Metric)
			r := Result{Input: in.Label, Benchmark: b.Name, Median: m.Median, Min: m.Min, Max: m.Max, N: m.N()}
			if f.Goal.Cmp != NoGoal {
				met := f.Goal.Met(m.Median)
				r.Met = &met
			}
			a.Results = append(a.Results, r)
		}
	}
	return a, nil
}

// pick returns the benchmarks of cands that answer f.
func (f Finding) pick(cands []*Benchmark) []*Benchmark {
	if len(cands) == 0 || f.Pick == Each {
		return cands
	}
	best := -1
	for i, b := range cands {
		if best < 0 {
			if f.Pick != Largest {
				best = i
			} else if _, ok := b.Size(); ok {
				best = i
			}
			continue
		}
		v, bv := b.Metric(f.Metric).Median, cands[best].Metric(f.Metric).Median
		switch f.Pick {
		case Highest:
			if v > bv {
				best = i
			}
		case Lowest:
			if v < bv {
				best = i
			}
		case Largest:
			n, ok := b.Size()
			bn, _ := cands[best].Size()
			if ok && n > bn {
				best = i
			}
		}
	}
	if best < 0 {
		return nil
	}
	return cands[best : best+1]
}
