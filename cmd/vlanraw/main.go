// Command vlanraw creates ipvlan, macvlan and vlan links and networks over
// raw rtnetlink, on hosts without iproute2 or Docker.
//
// Usage:
//
//	vlanraw [-n NETNS] [-j] [-d] [-p] OBJECT COMMAND [ARGS...]
//
// The link object takes iproute2's words, so that `ip link ...` commands
// can be pasted after `vlanraw`. See `vlanraw help` and `vlanraw help link`.
//
// Exit status: 0 on success, 1 when the kernel (or the system) refused,
// 2 for a mistake in the command line or an invalid value.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
