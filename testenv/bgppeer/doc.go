// Package bgppeer runs real BGP routers for tests and benchmarks of
// vlanraw's speaker: BIRD 2 (Debian's bird2) and FRR's bgpd (Debian's
// frr), each inside a network namespace with its configuration, control
// socket and log in a temporary directory, and reads their routing tables
// through their own clients (birdc; bgpd's vty socket, as vtysh). testenv/deps.sh installs
// both; the QEMU harness gets them through VLANRAW_VMTEST_EXTRA (see the
// Makefile's vmtest target).
//
// Waiting for a router to learn or forget a route polls its client until
// a deadline: routers offer no notification a test could wait on.
package bgppeer
