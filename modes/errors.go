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

// categoryError is an error with a message of its own that matches one
// error category (errdefs.ErrInvalid, ErrNotFound, ErrConflict), and
// unwraps to its cause, if any.
type categoryError struct {
	category error
	msg      string
	cause    error
}

func (e *categoryError) Error() string { return e.msg }

func (e *categoryError) Is(target error) bool { return target == e.category }

func (e *categoryError) Unwrap() error { return e.cause }

// invalidf returns an error matching errdefs.ErrInvalid.
func invalidf(format string, args ...any) error {
	return &categoryError{category: errdefs.ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// notFoundf returns an error matching ErrNotFound.
func notFoundf(format string, args ...any) error {
	return &categoryError{category: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// conflictf returns an error matching ErrConflict.
func conflictf(format string, args ...any) error {
	return &categoryError{category: ErrConflict, msg: fmt.Sprintf(format, args...)}
}

// asCategory makes err match category as well, keeping its message.
func asCategory(category, err error) error {
	if err == nil || errors.Is(err, category) {
		return err
	}
	return &categoryError{category: category, msg: err.Error(), cause: err}
}
