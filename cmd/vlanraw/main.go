// Command vlanraw creates ipvlan, macvlan and vlan links and networks over
// raw rtnetlink, on hosts without iproute2 or Docker.
//
// Usage:
//
//	vlanraw [-n NETNS] [-j] [-d] [-p] [--state-dir DIR] OBJECT COMMAND [ARGS...]
//
// The link, addr, route, neigh and netns objects take iproute2's words,
// so that `ip link ...` commands can be pasted after `vlanraw`. The
// network, connect and disconnect objects take Docker's, as `docker
// network create -d ipvlan ...` does, for plain network namespaces; routes
// prints or applies what an upstream router needs for an ipvlan l3
// network, and restore recreates what the state directory records. See
// `vlanraw help` and `vlanraw help OBJECT`.
//
// Exit status: 0 on success, 1 when the kernel (or the system) refused,
// 2 for a mistake in the command line or an invalid value.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
