// Package cni is vlanraw's CNI plugin: when CNI_COMMAND is set, the
// vlanraw binary, under any file name, reads a network configuration on
// stdin and does ADD, DEL, CHECK, STATUS, GC or VERSION as the CNI
// specification (1.1.0; configurations of 0.3.1, 0.4.0 and 1.0.0 too)
// asks, printing a result or the specification's error JSON on stdout.
//
// A configuration of type "vlanraw" names its driver ("driver":
// "ipvlan" or "macvlan"); installed as ipvlan or macvlan, vlanraw takes
// the reference plugins' configurations unchanged ("type": "ipvlan").
// Without "network", the configuration's keys (master, mode, mtu, mac,
// ipvlan_flag, and for macvlan bcqueuelen and vlanraw's sourceMacs,
// nopromisc and nodst, which map onto the network options macvlan_*)
// describe an implicit vlanraw network (master, if left out, is the link
// of the default route, in the container with linkInContainer, whose
// links are made on a master in the container's namespace) and the addresses
// come from the IPAM plugin named in "ipam", run through CNI_PATH (its
// allocation is undone when anything after it fails). With "network":
// NAME, the endpoint joins a network made with `vlanraw network create`
// and vlanraw's own IPAM picks its addresses. Either way the records are
// kept in the state directory ("stateDir", by default the CLI's), under
// its lock, and the kernel work is package modes'.
//
// Under "type": "vlanraw", an endpoint is set up as vlanraw's CLI sets
// one up: without routes from the IPAM plugin, ipvlan l3 and l3s get a
// connected "default dev eth0" and ipvlan l2 and macvlan "default via"
// the gateway; an IPv4-only endpoint gets disable_ipv6=1 (no link-local
// address, no router solicitations), as under Docker. Under a reference
// plugin's type (a drop-in), it gets the reference plugin's kernel state
// instead (modes.Attachment.DropIn): only the IPAM plugin's routes, via
// the gateway of their family where they name none, in every mode;
// arp_notify and ndisc_notify in every mode; IPv6 left as the namespace
// has it unless the endpoint has an IPv6 address (then disable_ipv6=0
// and keep_addr_on_down=1). The differences from the reference plugins
// that remain, under a drop-in configuration:
//
//   - a macvlan link's MAC is random, as the reference's, but vlanraw
//     picks it (a locally administered unicast address) where the
//     reference lets the kernel pick it; so the link-local address
//     derived from it differs too;
//   - the link carries vlanraw's mark: its ifalias ("vlanraw:...") and
//     its group, by which GC and `vlanraw gc` find it;
//   - an IPv6 address is added with IFA_F_NODAD, usable at once, where
//     the reference runs duplicate address detection (and, with an IPv6
//     gateway, waits for it);
//   - the link is created in the container's namespace directly, not in
//     the host's under a temporary name and then moved;
//   - the result has the same fields and values, the MAC aside (its
//     interfaces[].mac is the link's); vlanraw also keeps a record of the
//     attachment in its state directory;
//   - CHECK compares more (the link's mode, each address and route
//     against prevResult), STATUS fails with code 50 when the master is
//     missing or down, and GC deletes links and records, where the
//     reference plugins check less and have no GC;
//   - chained after another plugin (a prevResult with interfaces), the
//     result keeps prevResult's interfaces and appends vlanraw's, with
//     its index, where the reference ipvlan replaces the list with its
//     own interface alone.
//
// A configuration of type "vlanraw" refuses a key neither the
// specification nor vlanraw knows (code 2), so that a misspelt key is
// not silently ignored; under a drop-in type such keys are ignored, as
// the reference plugins ignore them.
//
// The plugin catches no signal, unlike vlanraw's commands, which roll
// back on SIGINT, SIGTERM and SIGHUP: runtimes stop a plugin that takes
// too long with SIGKILL (libcni runs it with exec.CommandContext), the
// reference plugins catch none either, and installing the handlers cost
// every ADD and DEL a quarter of a millisecond (the Go runtime's signal
// thread, started and handed each signal in turn: VERSION p50 2.35 ms
// with them, 2.11 ms without). A plugin stopped by any signal leaves
// its intent, and the next vlanraw command (a CNI command or the CLI's)
// finishes or undoes its work before its own, as after SIGKILL
// (TestCNISignal).
package cni
