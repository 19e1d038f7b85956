// Package bench is vlanraw's benchmark suite. Every benchmark measures
// vlanraw against a named peer in the same run, interleaved, and reports
// the ratio: iproute2's `ip -batch` for link operations, the CNI plugins
// through cnitool for endpoints, the reference CNI plugins with
// host-local through libcni (as containerd, CRI-O and podman call them)
// for vlanraw's CNI plugin, veth+bridge for the data plane, Debian's
// gobgpd (changed with its gobgp client) for the BGP speaker, both
// peering with one BIRD.
//
// Run it with `make bench` (as root): it runs the suite on the host and
// in QEMU and writes the report of package bench/report into
// bench/results, announcing each benchmark as it starts and rewriting
// the report after each result. `make bench-bin` compiles it for
// `vlanraw bench`. The load of the data-plane benchmarks (UDP packets
// per second, TCP stream and request/response) is package
// testenv/traffic's.
//
// # One iteration is a comparison
//
// Every benchmark measures vlanraw and its peer alternately within each
// b.Loop iteration, in an order that favours neither (A B B A for the
// data plane, the reference round before and after for the scale
// benchmark, every contender in turn for links and endpoints), so that
// -benchtime 1x, make bench's default, gives a complete comparison and
// -count gives the spread. Keep it so in a new benchmark.
//
// # Naming metrics
//
// The report (package bench/report, KindOf) sorts each b.ReportMetric
// unit into one of three kinds by its name, and shows only ratios and
// counts for a run under QEMU with TCG, whose timings mean nothing:
//
//   - A ratio against a peer measured in the same run: a unit whose
//     hyphen-separated words include "vs" or "ratio", or that starts with
//     "x-". Name it SUBJECT-vs-PEER (udp-pps-vs-bridge,
//     ratio-createall-vs-ip-batch, inproc-add-ratio-vs-cni,
//     connect-growth-vs-n10) or x-PEER for a cost multiple (x-trivial).
//     The bar charts draw ratios from 1, the peer, on a log scale. Say in
//     the benchmark's doc comment whether above 1 is better.
//   - A count, independent of the machine's speed: a unit ending in
//     -frames, -count or -MB (ep-bcast-frames, cli-floor-MB).
//   - Anything else is absolute (ns/op, udp-pps, connect-ms/endpoint): a
//     time, a rate or another figure that depends on the CPU. Keep "vs"
//     and "ratio" out of their names.
//
// Sub-benchmarks named by a size, n=N (or N), form a scale benchmark:
// the report draws its per-item units (those with a "/" that is not
// "/op" or "/s", such as connect-ms/endpoint) as lines against N on a
// log axis. The findings at the top of the report (report.Findings) name
// benchmarks and units; renaming one means updating that table.
package bench
