package rtnl

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"

	"github.com/vlanraw/vlanraw/errdefs"
)

// ErrDumpInterrupted is returned when a dump stayed inconsistent
// (NLM_F_DUMP_INTR) after every retry.
var ErrDumpInterrupted = errors.New("dump interrupted by concurrent changes")

// OpError is an error returned by the kernel for one rtnetlink operation.
type OpError struct {
	// Op is what was attempted, such as "create link" or "add address".
	Op string
	// Name names the object the operation was about, such as a link name.
	// It may be empty.
	Name string
	// Err is the underlying error, usually a unix.Errno.
	Err error
	// Message is the kernel's extended acknowledgement text, if any.
	Message string
}

// Error implements error.
func (e *OpError) Error() string {
	s := e.Op
	if e.Name != "" {
		s += " " + e.Name
	}
	s += ": " + e.Err.Error()
	if e.Message != "" {
		s += " (kernel: " + e.Message + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }

// newOpError wraps err, lifting the extended acknowledgement out of a
// *netlink.OpError. It returns nil for a nil err.
func newOpError(op, name string, err error) error {
	if err == nil {
		return nil
	}
	oe := &OpError{Op: op, Name: name, Err: err}
	var ne *netlink.OpError
	if errors.As(err, &ne) {
		oe.Err = ne.Err
		oe.Message = ne.Message
	}
	return oe
}

// KindNotSupportedError reports a link kind the running kernel cannot
// create, with the kernel configuration option that provides it.
type KindNotSupportedError struct {
	// Kind is the link kind, such as "ipvlan".
	Kind string
	// Config is the kernel option that provides it, such as "CONFIG_IPVLAN".
	Config string
	// Err is the kernel's error.
	Err error
}

// Error implements error.
func (e *KindNotSupportedError) Error() string {
	return fmt.Sprintf("the running kernel cannot create %s links: it was built without %s (or the module is not loaded): %v",
		e.Kind, e.Config, e.Err)
}

// Unwrap returns the kernel's error.
func (e *KindNotSupportedError) Unwrap() error { return e.Err }

// Is reports whether target is errdefs.ErrNotSupported.
func (e *KindNotSupportedError) Is(target error) bool { return target == errdefs.ErrNotSupported }
