package state

// TEMPORARY stub of the intent API, replaced by the real one at merge.

import (
	"errors"
	"time"
)

var ErrUnfinished = errors.New("unfinished")
var ErrUnwritable = errors.New("unwritable")
var ErrLockTimeout = errors.New("lock timeout")

type Holder struct {
	PID     int
	Command string
}

func (s *Store[T]) Intend(b []byte) error                    { return nil }
func (s *Store[T]) SetRecover(fn func(*T, []byte) error)     {}
func (s *Store[T]) SetValidate(fn func(*T) error)            {}
func (s *Store[T]) SetWait(d time.Duration, fn func(Holder)) {}
