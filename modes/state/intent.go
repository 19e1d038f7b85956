package state

// A minimal implementation of intents, to be replaced by the fuller one
// with the same API: Intend, SetRecover, SetValidate, SetWait, Holder and
// the errors below.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

var (
	// ErrUnfinished is matched by an error of an Update's function after
	// which the intent it recorded must stay, for the next View or
	// Update to finish the work (see SetRecover).
	ErrUnfinished = errors.New("unfinished")
	// ErrUnwritable is matched by errors that report a state directory
	// that cannot be written.
	ErrUnwritable = errors.New("state directory not writable")
	// ErrLockTimeout is matched by errors that report a lock held for
	// longer than SetWait allows.
	ErrLockTimeout = errors.New("timed out waiting for the state lock")
)

// Holder is the process that holds a store's lock.
type Holder struct {
	PID     int
	Command string
}

// intentFile is the name of the intent file of the store.
func (s *Store[T]) intentFile() string { return s.name + ".intent" }

// Intend records b, what the caller of Update is about to do, in
// DIR/NAME.intent (atomically, as the state file). Call it only from the
// function given to Update. The intent goes when that Update writes the
// document, or when its function fails with an error that does not match
// ErrUnfinished; otherwise it stays, and the next View or Update passes it
// to the function given to SetRecover before anything else.
func (s *Store[T]) Intend(b []byte) error {
	return writeAtomic(s.dir, s.intentFile(), b)
}

// SetRecover sets the function that finishes or undoes the work an
// intent left behind describes; it runs under the exclusive lock, and the
// document is written when it returns nil. It is not safe to call while
// the store is in use.
func (s *Store[T]) SetRecover(fn func(*T, []byte) error) { s.recoverFn = fn }

// SetValidate sets a function that checks every document read: an error
// it returns is reported as a corrupt state file, naming it.
func (s *Store[T]) SetValidate(fn func(*T) error) { s.validateFn = fn }

// SetWait is accepted and ignored by this implementation: the lock is
// waited for as long as it takes.
func (s *Store[T]) SetWait(d time.Duration, fn func(Holder)) {}

// readIntent returns the intent left behind, nil when there is none.
func (s *Store[T]) readIntent() ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, s.intentFile()))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state intent: %w", err)
	}
	return b, nil
}

// hasIntent reports whether an intent file exists.
func (s *Store[T]) hasIntent() bool {
	_, err := os.Lstat(filepath.Join(s.dir, s.intentFile()))
	return err == nil
}

// dropIntent removes the intent file.
func (s *Store[T]) dropIntent() error {
	err := os.Remove(filepath.Join(s.dir, s.intentFile()))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove state intent: %w", err)
	}
	return nil
}

// recoverLocked passes an intent left behind to the recover function,
// then writes v (whose file holds old) and removes the intent. The caller
// holds the exclusive lock. It returns the file's bytes.
func (s *Store[T]) recoverLocked(v *T, old []byte) ([]byte, error) {
	if s.recoverFn == nil {
		return old, nil
	}
	b, err := s.readIntent()
	if err != nil || b == nil {
		return old, err
	}
	if err := s.recoverFn(v, b); err != nil {
		return old, fmt.Errorf("recover from the interrupted update recorded in %s: %w", filepath.Join(s.dir, s.intentFile()), err)
	}
	if old, err = s.writeIfChanged(v, old); err != nil {
		return old, err
	}
	return old, s.dropIntent()
}
