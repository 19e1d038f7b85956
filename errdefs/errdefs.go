// Package errdefs holds the error categories that every vlanraw package
// reports alike: a bad value (ErrInvalid) and a feature the running
// kernel lacks (ErrNotSupported).
//
// Errors carry their own message, saying what was wrong and what to do;
// they match a category with errors.Is, however deeply they are wrapped:
//
//	if errors.Is(err, errdefs.ErrInvalid) {
//		// a mistake of the caller's: nothing was changed
//	}
//
// The packages' own error types (links.InvalidError,
// rtnl.KindNotSupportedError, bpf.NotSupportedError, ...) implement Is
// to match their category. Categories that belong to one package stay
// there, such as modes.ErrNotFound or ipam.ErrPoolFull.
package errdefs

import "errors"

var (
	// ErrInvalid is matched by errors that report a bad argument, option
	// or value, found before anything was changed: a bad link name, VLAN
	// id or MTU, an unknown network option, a subnet that overlaps
	// another. Correcting the request is what to do; the CLI exits with
	// status 2 for them.
	ErrInvalid = errors.New("invalid argument")

	// ErrNotSupported is matched by errors that report something the
	// running kernel lacks: a link kind built without its CONFIG option,
	// a link setting newer than the kernel, TCX before Linux 6.6, a
	// missing cls_bpf module. Another kernel, or doing without, is what
	// to do.
	ErrNotSupported = errors.New("not supported by this kernel")
)
