package bpf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// ErrNotSupported is matched by errors about something the running
// kernel lacks, such as TCX before Linux 6.6 or a kernel without cls_bpf.
var ErrNotSupported = errors.New("not supported by this kernel")

// ErrNotAttached is matched by errors about a hook that has no pinned
// counters, as OpenPinned returns them.
var ErrNotAttached = errors.New("no counters attached")

// ErrAttached is matched when pinned counters already sit on the hook
// Attach was asked to pin to.
var ErrAttached = errors.New("counters already attached")

// ErrClosed is matched by operations on a Hook after Close or Detach.
var ErrClosed = errors.New("hook is closed")

// HookError is an error about one hook: what was being done, on which
// interface and direction, and why it failed.
type HookError struct {
	// Op is what was being done, such as "attach counters to".
	Op string
	// Ifname and Direction name the hook.
	Ifname    string
	Direction Direction
	// Err is the cause.
	Err error
}

// Error implements error: "attach counters to eth0 ingress: CAUSE".
func (e *HookError) Error() string {
	return fmt.Sprintf("%s %s %s: %v", e.Op, e.Ifname, e.Direction, e.Err)
}

// Unwrap returns the cause.
func (e *HookError) Unwrap() error { return e.Err }

// notSupportedError says what the kernel lacks and what to do instead:
// "kernel RELEASE has LACKS: HINT (ERR)".
type notSupportedError struct {
	lacks string // such as "no TCX"
	hint  string // such as "use mode cls_bpf"
	err   error  // the kernel's answer
}

func (e *notSupportedError) Error() string {
	s := fmt.Sprintf("kernel %s has %s", kernelRelease(), e.lacks)
	if e.hint != "" {
		s += ": " + e.hint
	}
	if e.err != nil {
		s += " (" + e.err.Error() + ")"
	}
	return s
}

func (e *notSupportedError) Unwrap() error { return e.err }

func (e *notSupportedError) Is(target error) bool { return target == ErrNotSupported }

// LoadError is a failure to load the classifier into the kernel. When
// the verifier refused it, Log holds the verifier's whole log.
type LoadError struct {
	Err error
	Log []string
	// Memlock is why RLIMIT_MEMLOCK could not be raised, when that
	// failed and the kernel then refused the load with EPERM: kernels
	// before 5.11 charge eBPF maps and programs to that limit, and
	// raising it needs CAP_SYS_RESOURCE.
	Memlock error
}

// Error implements error; the verifier's log, if any, follows the cause
// on separate lines.
func (e *LoadError) Error() string {
	s := "load the classifier into the kernel: " + e.Err.Error()
	if e.Memlock != nil {
		s += "; kernel " + kernelRelease() + " charges eBPF maps to RLIMIT_MEMLOCK, which could not be raised: " + e.Memlock.Error()
	}
	if len(e.Log) > 0 {
		s += "\nverifier log:\n" + strings.Join(e.Log, "\n")
	}
	return s
}

// Unwrap returns the cause, a *ebpf.VerifierError when the verifier said
// no.
func (e *LoadError) Unwrap() error { return e.Err }

// newLoadError wraps a failure to load the classifier; memlock is the
// error of raising RLIMIT_MEMLOCK before the load, or nil.
func newLoadError(err, memlock error) error {
	le := &LoadError{Err: err}
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		le.Log = ve.Log
	}
	if memlock != nil && errors.Is(err, unix.EPERM) {
		le.Memlock = memlock
	}
	return le
}

// loadClassifier loads a fresh copy of the classifier into objs, after
// raising RLIMIT_MEMLOCK where the kernel needs that (see raiseMemlock).
// Errors are *LoadError values.
func loadClassifier(objs *counterObjects) error {
	memlock := raiseMemlock()
	if err := loadCounterObjects(objs, nil); err != nil {
		return newLoadError(err, memlock)
	}
	return nil
}
