package modes

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid is matched by errors that report a bad option or value,
	// found before anything was changed. The CLI exits with status 2 for
	// them.
	ErrInvalid = errors.New("invalid argument")

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

// invalidf returns an error matching ErrInvalid.
func invalidf(format string, args ...any) error {
	return &kindError{kind: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// notFoundf returns an error matching ErrNotFound.
func notFoundf(format string, args ...any) error {
	return &kindError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// conflictf returns an error matching ErrConflict.
func conflictf(format string, args ...any) error {
	return &kindError{kind: ErrConflict, msg: fmt.Sprintf(format, args...)}
}

// asInvalid makes err, such as a *ipam.ConfigError, match ErrInvalid as
// well as what it matched before, keeping its message.
func asInvalid(err error) error {
	if err == nil || errors.Is(err, ErrInvalid) {
		return err
	}
	return &kindError{kind: ErrInvalid, msg: err.Error(), cause: err}
}

// asKind makes err match kind as well, keeping its message.
func asKind(kind, err error) error {
	if err == nil || errors.Is(err, kind) {
		return err
	}
	return &kindError{kind: kind, msg: err.Error(), cause: err}
}
