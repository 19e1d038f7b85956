package netns

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/internal/osfile"
)

// NS is an open network namespace. A nil *NS is the caller's current
// namespace (see the package documentation).
type NS struct {
	f *os.File
	// word is the namespace as it was given to Open, or its path.
	word string
}

// Open opens the network namespace that word names: a name under Dir, an
// absolute path or a process id (see Path).
func Open(word string) (*NS, error) {
	path, err := Path(word)
	if err != nil {
		return nil, err
	}
	n, err := OpenPath(path)
	if err != nil {
		return nil, err
	}
	n.word = word
	return n, nil
}

// OpenPath opens the network namespace at path, such as /proc/1/ns/net
// or /run/netns/blue. A path where nothing exists, or where no namespace
// is mounted (a plain file or a directory, such as the file a deleted
// name leaves behind), gives an error matching os.ErrNotExist; a
// namespace of another kind one matching errdefs.ErrInvalid.
func OpenPath(path string) (*NS, error) {
	// statfs before open: opening a FIFO would wait for a writer.
	var fs unix.Statfs_t
	if err := unix.Statfs(path, &fs); err != nil {
		return nil, pathError(path, err)
	}
	if fs.Type != unix.NSFS_MAGIC && fs.Type != unix.PROC_SUPER_MAGIC {
		return nil, &NotNetNSError{Path: path, What: "nothing is mounted there", Gone: true}
	}
	f, err := osfile.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	if err := checkType(int(f.Fd()), path); err != nil {
		f.Close()
		return nil, err
	}
	return &NS{f: f, word: path}, nil
}

// pathError reports the failure err of a system call on path, naming
// both. A process that is exiting (ESRCH) is gone: the error matches
// os.ErrNotExist as well.
func pathError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("%s: %w (%w)", path, os.ErrNotExist, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// nsKinds names the kinds of namespace by their clone flag.
var nsKinds = map[int]string{
	unix.CLONE_NEWNS: "mount", unix.CLONE_NEWUTS: "UTS", unix.CLONE_NEWIPC: "IPC", unix.CLONE_NEWUSER: "user",
	unix.CLONE_NEWPID: "PID", unix.CLONE_NEWCGROUP: "cgroup", unix.CLONE_NEWTIME: "time",
}

// checkType refuses the open namespace file fd, opened from path, when
// it is another kind of namespace than a network one, such as
// /proc/self/ns/mnt. Kernels before 4.11, which cannot tell, pass.
func checkType(fd int, path string) error {
	t, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	if err != nil || t == unix.CLONE_NEWNET {
		return nil
	}
	what := "it is another kind of namespace"
	if k, ok := nsKinds[t]; ok {
		what = "it is a " + k + " namespace"
	}
	return &NotNetNSError{Path: path, What: what}
}

// FD returns the namespace's file descriptor. It stays valid until Close.
func (n *NS) FD() int { return int(n.f.Fd()) }

// Path returns the path the namespace was opened from.
func (n *NS) Path() string { return n.f.Name() }

// String returns the namespace as it was given to Open (or the path it
// was opened from), for messages; "the current network namespace" for
// nil.
func (n *NS) String() string {
	if n == nil {
		return "the current network namespace"
	}
	return n.word
}

// Close releases the namespace. It does nothing on nil.
func (n *NS) Close() error {
	if n == nil {
		return nil
	}
	return n.f.Close()
}

// Do runs fn on an OS thread that has entered the namespace, and returns
// its error. The thread returns to its original namespace afterwards; if
// it cannot, the thread is left locked so that the Go runtime discards
// it. On nil, Do runs fn right here, in the current namespace.
func (n *NS) Do(fn func() error) error {
	if n == nil {
		return fn()
	}
	enter := func() error {
		if err := unix.Setns(n.FD(), unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("enter network namespace %s: %w", n.Path(), err)
		}
		return nil
	}
	return onThread(enter, fn)
}

// onThread runs enter, which moves the calling thread into another network
// namespace (setns or unshare), then fn, on a locked OS thread of a
// goroutine of its own, never on the main thread, which the runtime cannot
// discard. The thread goes back to its original namespace before it is
// unlocked; when it cannot, it stays locked and the runtime discards it
// when the goroutine ends, so that no thread is left in the namespace.
func onThread(enter, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := osfile.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open current network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := enter(); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: it dies with this goroutine.
			errc <- errors.Join(ferr, fmt.Errorf("return to original network namespace: %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
