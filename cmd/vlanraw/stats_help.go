package main

import (
	"fmt"
	"io"
)

// statsHelp writes the help of the stats object.
func statsHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw stats attach [--netns NS] [--mode auto|tcx|cls_bpf] DEV [ingress|egress|both]
       vlanraw stats show   [--netns NS] [-j] [-p] [--watch [--interval 1s]] [DEV [ingress|egress|both]]
       vlanraw stats detach [--netns NS] DEV [ingress|egress|both]

stats counts the frames that pass a link's tc hooks with an eBPF
classifier, by class: arp-request, arp-reply, broadcast, ipv4-multicast,
ipv6-multicast, ipv6-nd (router and neighbour discovery), ipv4-unicast,
ipv6-unicast, vlan (tagged frames, also counted per VLAN id) and other.
Bytes are the frames' lengths as on the wire, without the FCS. The
classifier never changes what happens to a frame.

Counters are pinned in the BPF file system (/sys/fs/bpf/vlanraw, mounted
if need be), so that they outlive vlanraw: attach, then show as often as
you like, then detach. Detach removes exactly what attach added, and
also cleans up after an attach that was killed half-way.

COMMANDS (any prefix works; "list" and "ls" are show):
  attach   attach counters to DEV's hooks (both by default) and print
           how each was attached
  show     print the counters of DEV's hooks, or of every hook with
           counters in the namespace when DEV is left out: a table per
           hook, a row per class, the total, a row per VLAN id seen
  detach   remove DEV's counters (both hooks by default; a hook without
           counters is skipped, and it is an error only if none had any)

OPTIONS:
  --netns NS         the link's network namespace: a name under /run/netns,
                     a path or a pid; default the one given with -n, else
                     the current one
  --mode MODE        attach only: auto (TCX on Linux 6.6 and later, else
                     cls_bpf; found out by trying), tcx (a bpf_link), or
                     cls_bpf (a direct-action filter under a clsact qdisc,
                     which is created if missing and removed with the
                     last filter when vlanraw created it)
  -j, --json         show only: print JSON, a list with one object per
                     hook: ifname, direction, mode, classes (by name:
                     packets, bytes), total, vlans (by id), error
  -p, --pretty       indent the JSON
  -w, --watch        show only: clear the terminal and redraw every
                     interval, with per-second rates, until interrupted
                     (Ctrl-C); with -j, print one JSON list per interval
  --interval D       the time between redraws, such as 500ms or 2s
                     (default 1s)
  -h, --help         print this help; so does a lone "help"
`)
}
