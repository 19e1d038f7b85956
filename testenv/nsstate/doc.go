// Package nsstate reads what the kernel holds in one network namespace
// into plain values that tests compare with go-cmp: each link's kind,
// mode, MTU, MAC, addresses and notify sysctls (arp_notify,
// ndisc_notify), and the main table's routes. It reads through package
// links and rtnl, as vlanraw does, and /proc/sys from a thread inside the
// namespace.
package nsstate
