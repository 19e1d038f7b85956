package bpf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
)

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

// NotSupportedError says what the running kernel lacks to attach
// counters, and what to do instead. It matches errdefs.ErrNotSupported.
type NotSupportedError struct {
	// Lacks is what is missing, such as "no TCX".
	Lacks string
	// Hint says what to do instead, such as "use mode cls_bpf", or is "".
	Hint string
	// Err is the kernel's answer, or nil.
	Err error
}

// Error implements error: "kernel RELEASE has LACKS: HINT (ERR)".
func (e *NotSupportedError) Error() string {
	s := fmt.Sprintf("kernel %s has %s", kernelRelease(), e.Lacks)
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// Unwrap returns the kernel's answer.
func (e *NotSupportedError) Unwrap() error { return e.Err }

// Is reports whether target is errdefs.ErrNotSupported.
func (e *NotSupportedError) Is(target error) bool { return target == errdefs.ErrNotSupported }

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
