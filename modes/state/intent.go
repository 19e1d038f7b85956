package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrUnwritable is matched by the errors Intend returns when the state
// could not be saved after the work it is about to record: the state
// directory cannot be written in, or the state file cannot be replaced.
// They match the errno of the cause too (unix.EPERM for an immutable or
// append-only file).
var ErrUnwritable = errors.New("state cannot be written")

// update is what one Update in progress knows about its intents.
type update struct {
	// intended is whether Intend wrote the intent file.
	intended bool
	// transient is whether Transient was called: the save needs no
	// sync of the directory.
	transient bool
}

func (s *Store[T]) intentFile() string { return s.name + ".intent" }
func (s *Store[T]) intentPath() string { return filepath.Join(s.dir, s.intentFile()) }

// Intend records intent, a description of the work the function given
// to Update is about to do outside the store (creating kernel links,
// say), in dir/name.intent. Call it only from inside that function,
// before doing the work; a second call replaces the intent.
//
// The intent file stays until the Update ends: Update removes it once the
// document is saved, or when the function returns an error that does not
// match ErrUnfinished. If the process dies first, or the function returns
// an error matching ErrUnfinished, or the document cannot be saved, it
// stays, and the next View or Update of any process gives it to the
// function set with SetRecover before anything else.
//
// The file is written in place (see intentfile.go) and not synced: the
// intent must outlive the process, not the machine, because what it
// protects, kernel links, does not outlive a reboot either.
//
// Before writing, Intend checks that the state file could be replaced
// afterwards: that neither the directory nor the state file, if there is
// one, is immutable or append-only (a file system without such flags
// passes), and that the directory can be written in, which writing the
// intent proves. If not, it returns an error matching ErrUnwritable, and
// the errno of the cause, that names the file and says what to do.
func (s *Store[T]) Intend(intent []byte) error {
	u := s.active.Load()
	if u == nil {
		return fmt.Errorf("state %s: Intend called outside the function given to Update", s.name)
	}
	// What a failure leaves behind.
	left := "nothing was changed"
	if u.intended {
		left = "the intent recorded before stays in " + s.intentPath()
	}

	// Inode flags stop the rename of the state file over itself, and
	// those of the directory stop even the removal of a temporary file
	// there: look at them before writing anything.
	for _, f := range []struct{ what, path, cannot string }{
		{"state directory", s.dir, "cannot be written in"},
		{"state file", s.Path(), "cannot be replaced"},
	} {
		flags, err := fileFlags(f.path)
		if err != nil {
			return fmt.Errorf("%s %s: check that it can be written: %w", f.what, f.path, err)
		}
		if fix := flagsFix(flags); fix != "" {
			return &explained{
				msg:  fmt.Sprintf("%s %s %s (%s): %s", f.what, f.path, f.cannot, fix, left),
				errs: []error{ErrUnwritable, unix.EPERM},
			}
		}
	}

	// The intent is written in place: ask the kernel whether the state
	// directory can take the temporary file of the next save (access(2)
	// reports a read-only file system to root too).
	err := unix.Access(s.dir, unix.W_OK)
	if err == nil {
		err = s.writeIntent(intent)
	}
	if err != nil {
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			return fmt.Errorf("write %s: %w", s.intentPath(), err)
		}
		fix := errno.Error() + ": make it writable, or choose another state directory with --state-dir"
		if errno == unix.EROFS {
			fix = "read-only file system: remount it read-write, or choose another state directory with --state-dir"
		}
		return &explained{
			msg:  fmt.Sprintf("state directory %s cannot be written in (%s): %s", s.dir, fix, left),
			errs: []error{ErrUnwritable, errno},
		}
	}
	u.intended = true
	return nil
}

// Transient marks the change the function given to Update is making as
// one that a reboot makes moot: records of what does not outlive the
// machine, such as links in network namespaces. Its save then skips the
// sync of the directory that makes the rename durable. The state file
// is still synced before the rename, so when the machine stops it holds
// either the new document or the previous one, complete; the previous
// one records what the reboot took away anyway, as the intent file
// (never synced, for the same reason) does. That sync costs one to two
// milliseconds, as much as the rest of a CNI ADD's own work. Call it only
// from inside that function.
func (s *Store[T]) Transient() {
	if u := s.active.Load(); u != nil {
		u.transient = true
	}
}
