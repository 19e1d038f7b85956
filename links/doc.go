// Package links holds vlanraw's typed link operations: create, inspect,
// change and delete links of the kinds vlanraw knows, and the addresses,
// routes and neighbour entries on them.
//
// # Link kinds
//
// Each kind is one Spec type in a file of its own, <kind>.go (ipvlan.go
// holds ipvtap too, macvlan.go macvtap): its own fields, whether it needs
// a parent
// (NeedsParent), its peer if it has one, how its values are checked, the
// IFLA_INFO_DATA it sends, and which of its options a Change can carry.
// Nothing else in the package names a kind but kernel.go, which refuses
// the macvlan settings that kernels older than them would ignore. Adding
// a kind is adding its file here (package rtnl's documentation lists the
// files of the other layers).
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
