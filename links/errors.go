package links

import (
	"fmt"

	"github.com/vlanraw/vlanraw/errdefs"
)

// InvalidError reports a bad value in a spec, found before anything was
// sent to the kernel. It matches errdefs.ErrInvalid.
type InvalidError struct {
	// Field names what was wrong, such as "vlan id".
	Field string
	// Value is the bad value as the user gave it.
	Value string
	// Reason says why it is wrong and what to do instead.
	Reason string
}

// Error implements error.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is reports whether target is errdefs.ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == errdefs.ErrInvalid }

func invalid(field, value, reason string, args ...any) error {
	return &InvalidError{Field: field, Value: value, Reason: fmt.Sprintf(reason, args...)}
}
