package ipam

import (
	"errors"
	"strings"

	"github.com/vlanraw/vlanraw/errdefs"
)

var (
	// ErrInUse is matched by errors that report an explicit address that is
	// already assigned, or reserved: a gateway, an auxiliary address, or an
	// IPv4 network or broadcast address or IPv6 subnet-router anycast
	// address.
	ErrInUse = errors.New("address already in use")

	// ErrPoolFull is matched by errors that report that no address is left
	// to allocate.
	ErrPoolFull = errors.New("no available addresses on this pool")
)

// ConfigError lists everything wrong with the configuration of one or
// more pools. It matches errdefs.ErrInvalid.
type ConfigError struct {
	// Problems holds one message per problem, in Docker's words where
	// Docker has them, such as
	// "invalid subnet 10.10.10.0/8: it should be 10.0.0.0/8".
	Problems []string
}

// Error implements error. One problem is reported as it is; several are
// reported one per line, each starting with "* ", as Docker does.
func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0]
	}
	return "* " + strings.Join(e.Problems, "\n* ")
}

// Is reports whether target is errdefs.ErrInvalid.
func (e *ConfigError) Is(target error) bool { return target == errdefs.ErrInvalid }

// addrError is an error about one address; it unwraps to one of the
// sentinels so that the message can be worded freely.
type addrError struct {
	msg  string
	kind error
}

func (e *addrError) Error() string { return e.msg }
func (e *addrError) Unwrap() error { return e.kind }
