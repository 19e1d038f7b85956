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
package cni
