// Package report turns the output of vlanraw's benchmark suite (go test
// -bench, text format) into a report: JSON with every run of every
// metric, Markdown with findings, environment and a table per group of
// benchmarks, and an SVG chart per group.
//
// Inputs are the saved outputs of one run each, labelled with where they
// ran: the host, or a QEMU guest (qemu-6.12). Parse reads go test's
// output, as text (with or without -v) or as go test -json's events: the
// header lines (goos:, goarch:, pkg:, cpu:), the environment line that
// package bench prints first (Env.Line: kernel, host or QEMU/TCG or KVM,
// CPU, Go, date), the result lines, repeated by -count, and the ---
// SKIP and --- FAIL blocks; it ignores everything else. Live follows a
// run while it runs: it announces each benchmark as it starts (with its
// peer, from Peers) and rewrites the report after every result, so that
// a run stopped part-way leaves the report of what finished.
//
// Each figure is the median of a benchmark's runs, with the lowest and
// highest run and their number. Units are sorted by name into ratios,
// counts and absolute figures (KindOf; the rule is documented for
// benchmark writers in package bench); for an input that ran under QEMU
// with TCG, where the CPU is emulated, only ratios and counts are
// shown. The Findings answer the questions the suite exists for from the
// run's own numbers, and say "not measured in this run" for a metric
// the run lacks.
//
// Charts are drawn by this package's own small SVG writer, deterministic
// byte for byte: bars of ratios from 1 on a log axis, or lines of time
// per item against size for a scale benchmark. Report.WriteFiles writes
// each file under a temporary name and renames it into place.
//
// `vlanraw bench report` and `make bench` use this package.
package report
