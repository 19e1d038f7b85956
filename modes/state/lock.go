package state

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile opens (creating it if need be) the lock file at path and takes
// a flock on it: unix.LOCK_SH or unix.LOCK_EX, waiting as long as it
// takes. Closing the returned file releases the lock.
//
// flock locks belong to the open file description, so two goroutines of
// one process exclude each other just as two processes do.
func lockFile(path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open state lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
