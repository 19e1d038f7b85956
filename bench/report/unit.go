package report

import (
	"strconv"
	"strings"
)

// Kind is what a metric's unit says about its figures, which decides
// what the report shows for a run whose timings mean nothing (QEMU/TCG).
type Kind int

// The kinds of metric. See KindOf for the naming rule.
const (
	// Absolute is a time, a rate or any other figure that depends on how
	// fast the machine is, such as ns/op or udp-pps.
	Absolute Kind = iota
	// Ratio is a figure divided by a named peer's, measured in the same
	// run, such as udp-pps-vs-bridge or x-trivial.
	Ratio
	// Count counts things rather than timing them, such as
	// ep-bcast-frames or cli-floor-MB.
	Count
)

// String implements fmt.Stringer.
func (k Kind) String() string {
	switch k {
	case Absolute:
		return "absolute"
	case Ratio:
		return "ratio"
	case Count:
		return "count"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// countSuffixes end the units of Count metrics.
var countSuffixes = []string{"-frames", "-count", "-MB", "B/op", "allocs/op"}

// KindOf returns the kind of a metric from its unit, which benchmarks
// name by this rule (documented for benchmark writers in package bench):
//
//   - a unit whose hyphen-separated words include "vs" or "ratio", or
//     whose first word is "x", is a Ratio against the peer it names:
//     udp-pps-vs-bridge, ratio-createall-vs-ip-batch,
//     inproc-add-ratio-vs-cni, x-trivial;
//   - a unit ending in -frames, -count or -MB, or Go's B/op and
//     allocs/op, is a Count: ep-bcast-frames, cli-floor-MB;
//   - anything else is Absolute: ns/op, udp-pps, connect-ms/endpoint.
func KindOf(unit string) Kind {
	words := strings.Split(unit, "-")
	if words[0] == "x" && len(words) > 1 {
		return Ratio
	}
	for _, w := range words {
		if w == "vs" || w == "ratio" {
			return Ratio
		}
	}
	for _, s := range countSuffixes {
		if strings.HasSuffix(unit, s) {
			return Count
		}
	}
	return Absolute
}
