// Package rtnl is vlanraw's rtnetlink wire layer: the messages and
// requests of NETLINK_ROUTE, and connections to send them on. Everything
// it speaks is rtnetlink:
//
//   - links: link drivers that hand-build IFLA_INFO_DATA for the link
//     kinds of its table (see Link kinds below), and a link message that
//     encodes its attributes in the order iproute2 sends them, with
//     batched creation and changes; changes of any kind pipelined in
//     one round trip (see Conn.Pipeline);
//   - addresses, routes and neighbour entries (RTM_*ADDR, RTM_*ROUTE,
//     RTM_*NEIGH) and per-link IPv4 settings (IFLA_AF_SPEC);
//   - traffic control: qdiscs and filters (RTM_*QDISC, RTM_*TFILTER),
//     such as a clsact qdisc and a direct-action cls_bpf filter, as tc
//     sends them;
//   - link notifications (RTNLGRP_LINK).
//
// The package holds no semantics: it says nothing about which mode suits
// which network. Package links builds typed operations on top of it.
//
// # Link kinds
//
// The link kinds vlanraw knows are one table, in kinds.go (see Kinds):
// each kind's name, the kernel option and module that provide it, and its
// driver, if vlanraw has one. A driver is a file of its own, <kind>.go.
// The table also names the option in a *KindNotSupportedError, and
// package testenv reads it to probe kinds and boot test kernels with
// their modules.
//
// Adding a kind to vlanraw touches exactly these files:
//
//   - rtnl/<kind>.go: the driver, its IFLA_<KIND>_* attributes and their
//     typed values, in the order iproute2 sends them;
//   - rtnl/kinds.go: the kind's line in the table (name, CONFIG option,
//     module, driver);
//   - links/<kind>.go: its Spec (see package links);
//   - cmd/vlanraw/internal/iproute/kind_<kind>.go: its words for `link
//     add` and `link set`, its details for `link show -d` and its help
//     (see the linkKind type there);
//   - cmd/vlanraw/internal/iproute/kinds.go: the kind's entry in
//     kindTable.
//
// and tests: the kind's own (the CLI's unit tests beside its file, a
// test on a real kernel in cmd/vlanraw); its sample data in rtnl's driver_test.go
// and, to fuzz it, a target in fuzz_test.go; its golden requests
// (capture.sh, golden_test.go); and, if Debian's 6.12 has it, the kinds
// testenv/vm's live test expects of that guest. The commit that added
// netkit shows them all. Nothing else names a kind: testenv and its VM harness read this table,
// and the rest of the CLI asks its own.
//
// # Network namespaces
//
// A Conn is opened inside one network namespace with Dial, given as a
// *netns.NS (package netns opens, names and manages namespaces; rtnl does
// not), and stays there for its lifetime; open one Conn per namespace you
// talk to. Links can be created directly inside another namespace by
// setting LinkAttributes.NetNSFD, without a later move.
//
// # Link notifications
//
// DialLinkEvents subscribes to the RTM_NEWLINK and RTM_DELLINK
// notifications of one namespace. To wait for a link, subscribe, then
// look, then receive: nothing that happens after the look is missed. An
// overrun of the socket's buffer is reported as ErrOverrun, after which
// the caller looks at everything again.
//
// # Errors
//
// Every error that comes back from the kernel is an *OpError carrying the
// kernel's extended acknowledgement text, if any. It unwraps to the errno,
// so errors.Is(err, unix.EEXIST) and errors.Is(err, os.ErrNotExist) work.
// A link kind the running kernel lacks is reported as a
// *KindNotSupportedError that matches errdefs.ErrNotSupported.
package rtnl
