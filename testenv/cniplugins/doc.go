// Package cniplugins provides the CNI plugin directories that vlanraw's
// client tests run, and cnitool to drive them. A plugin under test is
// only a directory of programs (a CNI_PATH): the reference plugins
// (containernetworking/plugins' macvlan, ipvlan, host-local, static and
// loopback, with cnitool, built with go install into .cache/cni/bin), or
// vlanraw installed under the reference plugins' names beside the others
// (DropIn). UnderTest chooses between them.
//
// Inside the QEMU harness there is no Go toolchain: the Makefile builds
// them on the host, ships them into the guest (VLANRAW_VMTEST_EXTRA) and
// names them in ReferenceEnv and VlanrawEnv.
package cniplugins
