package modes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// Watch reports changes that may change Announced: the state file
// replaced (a network created or removed, an endpoint connected) and an
// address added to or removed from a link of the host namespace (a
// parent readdressed). It watches the state directory with inotify and
// subscribes to the kernel's address notifications, so a change is
// reported as soon as it is made, without polling.
//
// The channel receives nil for changes, several of them coalesced into
// one while the reader is busy, and, if watching fails, that error, after
// which it is closed. It is closed too once ctx is done. Watch returns
// once both watches are in place: a change made after it returns is
// reported.
func (m *Manager) Watch(ctx context.Context) (<-chan error, error) {
	file := m.store.Path()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("watch the state directory: inotify_init1: %w", err)
	}
	ino := os.NewFile(uintptr(fd), "inotify")
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(file), unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE|unix.IN_DELETE); err != nil {
		ino.Close()
		return nil, fmt.Errorf("watch the state directory %s: %w", filepath.Dir(file), err)
	}
	addrs, err := rtnl.DialAddrEvents(m.host)
	if err != nil {
		ino.Close()
		return nil, fmt.Errorf("host network namespace: %w", err)
	}
	out := make(chan error, 1)
	changed := func() {
		select {
		case out <- nil:
		default: // one is pending already
		}
	}
	failed := make(chan error, 2)
	go func() { failed <- watchFile(ino, filepath.Base(file), changed) }()
	go func() { failed <- watchAddrs(addrs, changed) }()
	go func() {
		defer close(out)
		var err error
		running := 2
		select {
		case <-ctx.Done():
		case err = <-failed:
			running--
		}
		ino.Close()
		addrs.Close()
		for ; running > 0; running-- {
			err = errors.Join(err, <-failed)
		}
		if err != nil { // nothing calls changed any more
			select {
			case <-out: // the error matters more than a change
			default:
			}
			out <- err
		}
	}()
	return out, nil
}

// watchFile calls changed for each inotify event on name read from ino,
// until ino is closed (nil) or a read fails.
func watchFile(ino *os.File, name string, changed func()) error {
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		n, err := ino.Read(buf)
		if errors.Is(err, os.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("watch the state directory: %w", err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			raw := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 || cString(raw) == name {
				changed()
			}
		}
	}
}

// cString is the NUL-padded name of an inotify event.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// watchAddrs calls changed for address notifications, and for lost ones,
// until ev is closed (nil) or a receive fails.
func watchAddrs(ev *rtnl.AddrEvents, changed func()) error {
	for {
		evs, err := ev.Receive()
		switch {
		case errors.Is(err, net.ErrClosed):
			return nil
		case errors.Is(err, rtnl.ErrOverrun):
			changed()
		case err != nil:
			return fmt.Errorf("watch the host's addresses: %w", err)
		case len(evs) > 0:
			changed()
		}
	}
}
