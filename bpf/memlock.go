package bpf

import (
	"sync"

	"github.com/cilium/ebpf/rlimit"
)

// raiseMemlock lifts the process's RLIMIT_MEMLOCK, once, on kernels that
// charge eBPF maps and programs to it: Linux before 5.11, which moved
// that accounting to memory cgroups. There, the default limit (64 KiB
// on 5.10) is too small for the classifier's per-CPU maps, and every
// load fails with EPERM. On newer kernels it does nothing. Raising the
// limit needs CAP_SYS_RESOURCE; the error, if any, is kept for the load
// error that may follow (see newLoadError), not returned on its own.
var raiseMemlock = sync.OnceValue(rlimit.RemoveMemlock)
