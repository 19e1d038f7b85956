// Package bpf counts the frames that pass a tc hook, by class: ARP
// requests and replies, broadcast, IPv4 and IPv6 multicast, IPv6
// neighbour discovery, IPv4 and IPv6 unicast, VLAN-tagged (and per VLAN
// id), and other. It proves what an ipvlan or macvlan mode lets through.
//
// The classifier is a SCHED_CLS eBPF program written in C (counter.c),
// compiled with bpf2go into counter_bpfel.o and embedded. Each Attach
// loads a fresh copy, so every hook has its own counters: per-CPU
// arrays, summed when read. The program never changes a frame's fate: it
// returns TC_ACT_UNSPEC (which TCX reads as TCX_NEXT), so the filters and
// programs after it decide as if it were not there.
//
// # Attach paths
//
// On kernels with TCX (Linux 6.6 and later) counters are attached with a
// bpf_link; elsewhere as a direct-action cls_bpf filter under a clsact
// qdisc, built over rtnetlink by package rtnl, never with the tc binary.
// ModeAuto finds out by trying TCX. Detach removes exactly what Attach
// made: a clsact qdisc that was there before stays, and one vlanraw
// created goes once no filter is left on it.
//
// # Network namespaces
//
// AttachOptions.NetNS, opened with package netns (nil: the current
// one), names the interface's namespace; the rtnetlink requests go
// through a connection bound to it, and the TCX attach runs on a thread
// inside it (NS.Do).
//
// # Pinning
//
// With AttachOptions.Pin the program, its counters and, with TCX, the
// link are pinned under /sys/fs/bpf/vlanraw/NETNS-INODE/IFNAME-DIRECTION/
// (the BPF file system is mounted there if nothing is), beside a record
// of how the hook was attached. The counters then outlive the process:
// OpenPinned reads them from any process, and Detach removes them. The
// record is written before anything is attached, so that Detach also
// cleans up after an attach that was killed half-way.
package bpf
