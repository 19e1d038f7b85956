package report

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Input is the output of one benchmark run, from one place: the host, or
// a QEMU guest.
type Input struct {
	// Label names where it ran, such as host or qemu-6.12.
	Label string `json:"label"`
	// Source is the file it was read from, if any.
	Source string `json:"source,omitempty"`
	Env    Env    `json:"env"`
	// Benchmarks are in the order they first appear.
	Benchmarks []*Benchmark `json:"benchmarks"`
	// Skipped and Failed are the benchmarks and packages that reported
	// --- SKIP or --- FAIL (or a FAIL line), with the last line they
	// logged.
	Skipped []Note `json:"skipped,omitempty"`
	Failed  []Note `json:"failed,omitempty"`
}

// Note is a benchmark that skipped or failed, and why.
type Note struct {
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
}

// Benchmark is one benchmark (or sub-benchmark) and its figures over
// every run (go test -count N prints each N times).
type Benchmark struct {
	// Name is the full name without the GOMAXPROCS suffix, such as
	// BenchmarkDataPlane/macvlan-bridge.
	Name string `json:"name"`
	Pkg  string `json:"pkg,omitempty"`
	// Procs is the GOMAXPROCS suffix (-2), or 1 when there was none.
	Procs int `json:"procs"`
	// Iterations holds b.N of each run.
	Iterations []int64   `json:"iterations"`
	Metrics    []*Metric `json:"metrics"`
}

// Metric is one unit's figures over the runs of a benchmark.
type Metric struct {
	Unit string `json:"unit"`
	// Samples holds one figure per run, in run order; a run that printed
	// NaN or an infinity is left out.
	Samples []float64 `json:"samples"`
	Median  float64   `json:"median"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
}

// Kind is the kind of the metric's unit.
func (m *Metric) Kind() Kind { return KindOf(m.Unit) }

// N is the number of runs the figures come from.
func (m *Metric) N() int { return len(m.Samples) }

// summarize sets Median, Min and Max from Samples. The median of an even
// number of samples is the mean of the middle two.
func (m *Metric) summarize() {
	if len(m.Samples) == 0 {
		m.Median, m.Min, m.Max = 0, 0, 0
		return
	}
	s := slices.Clone(m.Samples)
	slices.Sort(s)
	m.Min, m.Max = s[0], s[len(s)-1]
	if n := len(s); n%2 == 1 {
		m.Median = s[n/2]
	} else {
		m.Median = (s[n/2-1] + s[n/2]) / 2
	}
}

// add appends a sample; non-finite ones are left out.
func (m *Metric) add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	m.Samples = append(m.Samples, v)
}

// Group is the top-level benchmark without "Benchmark", such as DataPlane.
func (b *Benchmark) Group() string {
	g, _, _ := strings.Cut(b.Name, "/")
	return strings.TrimPrefix(g, "Benchmark")
}

// Sub is the sub-benchmark part of the name, such as macvlan-bridge, or
// "" for a benchmark without sub-benchmarks.
func (b *Benchmark) Sub() string {
	_, s, _ := strings.Cut(b.Name, "/")
	return s
}

// sizePattern (compiled on first use, not when vlanraw starts) matches a sub-benchmark named by a size: 1000 or n=1000.
var sizePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:[A-Za-z_]+=)?(\d+)$`) })

// Size returns the size a sub-benchmark's name gives (n=4000, 4000), if
// it is one.
func (b *Benchmark) Size() (int, bool) {
	m := sizePattern().FindStringSubmatch(b.Sub())
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// Runs is the number of times the benchmark ran.
func (b *Benchmark) Runs() int { return len(b.Iterations) }

// Metric returns the metric of unit, or nil.
func (b *Benchmark) Metric(unit string) *Metric {
	for _, m := range b.Metrics {
		if m.Unit == unit {
			return m
		}
	}
	return nil
}

// metric returns the metric of unit, added if missing.
func (b *Benchmark) metric(unit string) *Metric {
	if m := b.Metric(unit); m != nil {
		return m
	}
	m := &Metric{Unit: unit}
	b.Metrics = append(b.Metrics, m)
	return m
}

// Benchmark returns the benchmark called name, or nil.
func (in *Input) Benchmark(name string) *Benchmark {
	for _, b := range in.Benchmarks {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// Shows reports whether the report shows metrics of kind k for in: all
// of them, except absolute figures from QEMU/TCG.
func (in *Input) Shows(k Kind) bool {
	return k != Absolute || in.Env.Virt.Timed()
}
