package state

import (
	"errors"
	"fmt"
)

// ErrUnfinished, returned (wrapped or not) by the function given to
// Update, says that the work its Intend recorded was neither finished nor
// completely undone (its rollback failed): Update then keeps the intent
// file for the next View or Update to finish the work. View and Update
// return errors matching it when they find an intent file and cannot
// finish its work.
var ErrUnfinished = errors.New("work left unfinished for the next command")

// SetRecover sets the function that finishes, or undoes, the work
// recorded by an intent file that an earlier Update left (see Intend).
// Whenever View or Update takes its lock and finds dir/name.intent, it
// first calls fn under the exclusive lock with the current document and
// the intent as Intend wrote it. If fn returns nil, the document is
// saved (if fn changed it), the intent file removed, and the View or
// Update goes on. Otherwise View or Update returns fn's error, wrapped
// and matching ErrUnfinished too, and the intent file stays.
//
// fn must cope with work that is already complete, or not begun: a
// process may die before starting the work it recorded, or after saving
// the document but before removing the intent file.
//
// Without SetRecover, an intent file makes View and Update fail with an
// error naming it. Call SetRecover before using the Store.
func (s *Store[T]) SetRecover(fn func(v *T, intent []byte) error) { s.recover = fn }

// testHookRelock, when set by a test, is called by View between
// releasing its shared lock and taking the exclusive one to recover.
var testHookRelock func()

// hasIntent reports whether the intent file holds an intent.
func (s *Store[T]) hasIntent() (bool, error) {
	b, err := s.readIntent()
	return b != nil, err
}

// recoverLocked finishes the work recorded by the intent file, if there
// is one, as SetRecover describes. The caller holds the exclusive lock.
func (s *Store[T]) recoverLocked() error {
	intent, err := s.readIntent()
	if intent == nil || err != nil {
		return err
	}
	if s.recover == nil {
		return s.noRecover()
	}
	removeStale(s.dir) // a vlanraw stopped: it may have been writing
	l, err := s.read()
	if err != nil {
		return err
	}
	if err := s.recover(l.v, intent); err != nil {
		return &explained{
			msg:  fmt.Sprintf("finish the work of a vlanraw that stopped: %v (its record stays in %s for the next try)", err, s.intentPath()),
			errs: []error{ErrUnfinished, err},
		}
	}
	if err := s.save(l); err != nil {
		return err
	}
	return s.removeIntent()
}

// noRecover is the error of a View or Update that finds an intent file
// without a function to recover with.
func (s *Store[T]) noRecover() error {
	return &explained{
		msg: fmt.Sprintf("%s records the work of a vlanraw that stopped in the middle of a change, and this program cannot finish it: "+
			"run vlanraw to finish it, or undo what it records by hand and remove the file", s.intentPath()),
		errs: []error{ErrUnfinished},
	}
}
