package modes

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/errdefs"
)

// The categories of this package's errors; a bad option or value is
// errdefs.ErrInvalid.
var (
	// ErrNotFound is matched by errors that report an unknown network or
	// endpoint.
	ErrNotFound = errors.New("not found")

	// ErrConflict is matched by errors that report a name, parent link,
	// namespace or address that something else holds already.
	ErrConflict = errors.New("conflict")
)

// kindError is an error with a message of its own that matches one of the
// package's sentinels, and unwraps to its cause, if any.
type kindError struct {
	kind  error
	msg   string
	cause error
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Is(target error) bool { return target == e.kind }

func (e *kindError) Unwrap() error { return e.cause }

// invalidf returns an error matching errdefs.ErrInvalid.
func invalidf(format string, args ...any) error {
	return &kindError{kind: errdefs.ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// notFoundf returns an error matching ErrNotFound.
func notFoundf(format string, args ...any) error {
	return &kindError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// conflictf returns an error matching ErrConflict.
func conflictf(format string, args ...any) error {
	return &kindError{kind: ErrConflict, msg: fmt.Sprintf(format, args...)}
}

// asKind makes err match kind as well, keeping its message.
func asKind(kind, err error) error {
	if err == nil || errors.Is(err, kind) {
		return err
	}
	return &kindError{kind: kind, msg: err.Error(), cause: err}
}
