package bpf

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// raiseMemlock lifts the process's RLIMIT_MEMLOCK, once, on kernels that
// charge eBPF maps and programs to it: Linux before 5.11, which moved
// that accounting to memory cgroups. There, the default limit (64 KiB
// on 5.10) is too small for the classifier's per-CPU maps, and every
// load fails with EPERM. On newer kernels it does nothing. Raising the
// limit needs CAP_SYS_RESOURCE; the error, if any, is kept for the load
// error that may follow (see newLoadError), not returned on its own.
//
// It decides by the kernel's release instead of using cilium/ebpf's
// rlimit package, whose probe runs in an init function and creates an
// eBPF map at the start of every process that links it: every vlanraw
// command, and the CNI plugin, would pay for it, although few of them
// load a program.
var raiseMemlock = sync.OnceValue(func() error {
	if !chargesMemlock(kernelRelease()) {
		return nil
	}
	inf := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &inf); err != nil {
		return fmt.Errorf("raising RLIMIT_MEMLOCK, which Linux %s charges eBPF maps to: %w", kernelRelease(), err)
	}
	return nil
})

// chargesMemlock reports whether a kernel of release rel ("5.10.0-43-cloud-amd64")
// charges eBPF objects to RLIMIT_MEMLOCK: those before 5.11. A release
// that cannot be read counts as one that does, since raising the limit
// is harmless where it is not needed.
func chargesMemlock(rel string) bool {
	var major, minor int
	if n, _ := fmt.Sscanf(rel, "%d.%d", &major, &minor); n != 2 {
		return true
	}
	return major < 5 || major == 5 && minor < 11
}
