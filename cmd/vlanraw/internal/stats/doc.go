// Package stats is vlanraw's stats object: it attaches the eBPF frame
// counters of package bpf to a link's tc hooks, pinned so that they
// outlive the command, shows them (once, or redrawn with --watch) and
// detaches them.
package stats
