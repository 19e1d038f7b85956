package state

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/internal/osfile"
)

// ErrLockTimeout is matched by the error View and Update return when
// another process held the lock for longer than the timeout given to
// SetWait.
var ErrLockTimeout = errors.New("timed out waiting for the state lock")

// reportAfter is how long a lock wait lasts before SetWait's function
// hears who holds the lock.
const reportAfter = time.Second

// waitConfig is what SetWait set: how long to wait for the lock and whom
// to tell who holds it.
type waitConfig struct {
	timeout time.Duration
	waiting func(Holder)
}

// lockFile opens (creating it if need be) the lock file at path and takes
// a flock on it: unix.LOCK_SH or unix.LOCK_EX. Closing the returned file
// releases the lock. With the zero waitConfig it waits as long as it
// takes, silently; else see Store.SetWait.
//
// flock locks belong to the open file description, so two goroutines of
// one process exclude each other just as two processes do.
func lockFile(path string, how int, w waitConfig) (*os.File, error) {
	f, err := osfile.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open state lock: %w", err)
	}
	if w.timeout == 0 && w.waiting == nil {
		err = flock(f, how)
	} else {
		err = flock(f, how|unix.LOCK_NB)
		if err == unix.EWOULDBLOCK {
			return waitLock(f, path, how, w)
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

// flock calls flock(2) until a signal does not interrupt it.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// waitLock waits for the flock on f, which another open file
// description holds, as Store.SetWait describes. flock(2) blocks on a
// goroutine of its own; when waitLock gives up, that goroutine is
// abandoned and closes f as soon as flock returns, so that a lock it gets
// late is released at once.
func waitLock(f *os.File, path string, how int, w waitConfig) (*os.File, error) {
	var (
		mu        sync.Mutex // orders a late result against abandoned
		abandoned bool
		done      = make(chan error, 1)
	)
	go func() {
		err := flock(f, how)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			f.Close()
			return
		}
		done <- err
	}()

	result := func(err error) (*os.File, error) {
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return f, nil
	}
	var report, timeout <-chan time.Time
	if w.waiting != nil {
		t := time.NewTimer(reportAfter)
		defer t.Stop()
		report = t.C
	}
	if w.timeout > 0 {
		t := time.NewTimer(w.timeout)
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case err := <-done:
			return result(err)
		case <-report:
			select {
			case err := <-done: // both were ready: the lock is ours
				return result(err)
			default:
			}
			w.waiting(lockHolder(f))
		case <-timeout:
			h := lockHolder(f)
			mu.Lock()
			select {
			case err := <-done: // flock returned meanwhile: take its result
				mu.Unlock()
				return result(err)
			default:
			}
			abandoned = true
			mu.Unlock()
			return nil, timeoutError(path, h, w.timeout)
		}
	}
}

// timeoutError is the error of a lock wait that gave up after waited
// with h holding the lock on path.
func timeoutError(path string, h Holder, waited time.Duration) error {
	who := "another process"
	if h.PID > 0 {
		who = fmt.Sprintf("another vlanraw (pid %d: %s)", h.PID, h.Command)
		if h.Command == "" {
			who = fmt.Sprintf("another vlanraw (pid %d)", h.PID)
		}
	}
	return &explained{
		msg: fmt.Sprintf("%s has held the lock on %s for over %s; it may be stopped (SIGSTOP): resume or kill it, or wait longer with --wait",
			who, path, waited),
		errs: []error{ErrLockTimeout},
	}
}
