package main

import (
	"fmt"
	"io"
)

// benchHelp writes the help of the bench object.
func benchHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw bench [--out DIR] [--count N] [--benchtime X] [--short] [--run REGEXP]
       vlanraw bench report [--out DIR] [--follow LABEL [--plan FILE]] FILE[=LABEL]...

bench runs vlanraw's benchmark suite on this machine and writes its
report: each benchmark against a named peer in the same run (iproute2,
the CNI plugins, veth+bridge, a trivial eBPF counter), as ratios. It
needs root, and the suites compiled as test binaries, found next to the
vlanraw executable or in PATH:

  vlanraw-bench.test        go test -c -o bin/vlanraw-bench.test ./bench
  vlanraw-bpf-bench.test    go test -c -o bin/vlanraw-bpf-bench.test ./bpf

("make bench-bin" builds both into bin/, next to bin/vlanraw). Their
output streams to standard error, with a line that announces each
benchmark as it starts ("bench 3/8 BenchmarkEndpoint (peer: the CNI
plugins through cnitool) at 2m13s"), and the report is rewritten after
every result, so that a run stopped part-way leaves the report of what
finished; the paths written go to standard output. The CLI benchmarks
run this vlanraw; set VLANRAW_BENCH_CNI to a directory holding cnitool
and the macvlan, ipvlan and host-local CNI plugins to compare with them
(without it, and without Go to build them, those comparisons skip).

The report, in DIR (default bench/results), is named after the kernel
and the day: KERNEL-DATE.json (every run of every metric, with median,
min and max), KERNEL-DATE.md (findings, environment, a table per group
of benchmarks: median [min..max] of the runs) and KERNEL-DATE-GROUP.svg,
a chart per group. Runs under QEMU with TCG report only same-boot ratios
and counts: absolute times there mean nothing.

COMMANDS:
  report   build the report from saved outputs of go test -bench (text,
           -v or -json) or of the suites, each FILE labelled LABEL
           (default: its name without extension, such as host or
           qemu-6.12). With --follow LABEL, standard input is one more
           run, still running (go test -json or -v): it is followed as
           bench does, the report rewritten after each result; --plan
           FILE names its benchmarks, as go test -list prints them, for
           the count in "bench 3/8". "make bench" pipes go test -json
           into it, on the host, then in QEMU with the host's output
           as FILE

OPTIONS:
  --out DIR          write the report into DIR (default bench/results)
  --count N          run each benchmark N times (default 3); each figure
                     is the median of the N runs
  --benchtime X      per run: iterations such as 1x (default: every
                     benchmark compares within one iteration) or a time
                     such as 2s, as go test's -benchtime
  --short            minimal sizes and loads, to check that every
                     benchmark runs (figures are not meaningful)
  --run REGEXP       run only the benchmarks matching REGEXP, as go test's
                     -bench (default: all)
  -h, --help         print this help; so does a lone "help"

Exit status: 0 when every suite passed and the report was written; 1
when a suite is missing or failed (the report is still written with what
was measured) or a file cannot be read; 2 for a mistake in the command
line.
`)
}
