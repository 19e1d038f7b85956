// Package vm runs a program, usually a Go test binary, as the only process
// of a throwaway QEMU virtual machine that boots one of Debian's cloud
// kernels.
//
// The host side resolves and caches a kernel package with apt, writes an
// initramfs (a newc cpio archive) holding the vmtest binary as /init, the
// program, its shared libraries, iproute2's ip and the kernel modules for
// the virtual link kinds vlanraw needs, and boots it under QEMU with TCG.
//
// The guest side (Init) runs as PID 1: it mounts the usual pseudo file
// systems, loads the modules, runs the program with its output on the
// second serial port, writes one framed result line and powers off.
//
// The two sides share the Config written into the initramfs and the framed
// result line; the kernel console is kept apart on the first serial port so
// that the program's output reaches the host byte for byte.
package vm
