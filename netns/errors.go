package netns

import (
	"fmt"
	"os"

	"github.com/vlanraw/vlanraw/errdefs"
)

// Errors that report a word that names no network namespace in any
// accepted form, or a file that is another kind of namespace, match
// errdefs.ErrInvalid. Such an error says which forms are accepted.

// Forms says which words name a network namespace, for messages.
const Forms = "a name under " + Dir + ", a path such as /proc/PID/ns/net, or a process id"

// invalidError is an error with its own message that matches errdefs.ErrInvalid.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }

func (e *invalidError) Is(target error) bool { return target == errdefs.ErrInvalid }

// badWord returns an error matching errdefs.ErrInvalid whose message ends by
// saying which forms of word are accepted.
func badWord(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...) + "; give " + Forms}
}

// NotNetNSError reports a file that is not a network namespace.
type NotNetNSError struct {
	// Path is the file.
	Path string
	// What says what it is instead: "nothing is mounted there" or "it is
	// a mount namespace", say.
	What string
	// Gone is set when nothing is mounted there, as when a named
	// namespace was deleted and its file left over: the error then
	// matches os.ErrNotExist; otherwise it matches errdefs.ErrInvalid.
	Gone bool
}

// Error implements error.
func (e *NotNetNSError) Error() string {
	return fmt.Sprintf("%s is not a network namespace (%s); give %s", e.Path, e.What, Forms)
}

// Is reports whether target is os.ErrNotExist (when Gone) or errdefs.ErrInvalid
// (otherwise).
func (e *NotNetNSError) Is(target error) bool {
	if e.Gone {
		return target == os.ErrNotExist
	}
	return target == errdefs.ErrInvalid
}
