// Package links holds vlanraw's typed link operations: create, inspect,
// change and delete ipvlan, ipvtap, macvlan, macvtap, vlan, dummy and veth
// links, and the addresses, routes and neighbour entries on them.
//
// Specs are checked before anything reaches the kernel: a bad name, VLAN
// id, MTU, MAC or flag is reported as an error matching errdefs.ErrInvalid that
// names the value, and nothing is created. Errors from the kernel are
// *rtnl.OpError values carrying its extended-ack text.
//
// A Handle works in one network namespace. Links are created directly in
// another namespace when Attrs.NetNS is set, never moved afterwards.
// Namespaces are opened, by name, path or process id, with package netns.
package links
