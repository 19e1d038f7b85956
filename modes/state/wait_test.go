package state

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWaitForProcess waits for the lock a helper process holds: running,
// then stopped with SIGSTOP, the waiter must report the helper after about
// a second and give up at its timeout; then the helper's release must let
// a waiter proceed.
func TestWaitForProcess(t *testing.T) {
	dir := t.TempDir()
	if err := open(t, dir, 1).Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
		t.Fatal(err)
	}
	cmd, stdin := startHelper(t, "hold", dir, "locked")
	pid := cmd.Process.Pid
	want := Holder{PID: pid, Command: strings.Join(cmd.Args, " ")}
	lockPath := open(t, dir, 1).lockPath()

	const timeout = 1500 * time.Millisecond
	for _, tt := range []struct {
		name string
		stop bool
		call func(*Store[doc]) error
	}{
		{"running, View", false, func(s *Store[doc]) error { return s.View(func(*doc) error { return nil }) }},
		{"stopped, Update", true, func(s *Store[doc]) error { return s.Update(func(*doc) error { return nil }) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.stop {
				if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
					t.Fatal(err)
				}
				defer syscall.Kill(pid, syscall.SIGCONT)
			}
			s := open(t, dir, 1)
			var reports []Holder
			var reportedAfter time.Duration
			start := time.Now()
			s.SetWait(timeout, func(h Holder) {
				reports = append(reports, h)
				reportedAfter = time.Since(start)
			})
			err := tt.call(s)
			waited := time.Since(start)

			wantErr := fmt.Sprintf("another vlanraw (pid %d: %s) has held the lock on %s for over 1.5s; "+
				"it may be stopped (SIGSTOP): resume or kill it, or wait longer with --wait", pid, want.Command, lockPath)
			if err == nil || err.Error() != wantErr {
				t.Fatalf("got %v\nwant %s", err, wantErr)
			}
			if !errors.Is(err, ErrLockTimeout) {
				t.Errorf("%v does not match ErrLockTimeout", err)
			}
			if !slices.Equal(reports, []Holder{want}) {
				t.Errorf("reports %+v, want one of %+v", reports, want)
			}
			if reportedAfter < reportAfter || reportedAfter >= timeout {
				t.Errorf("reported after %v, want after %v and before the timeout", reportedAfter, reportAfter)
			}
			if waited < timeout {
				t.Errorf("gave up after %v, want %v", waited, timeout)
			}
		})
	}

	// Wait as long as it takes; on the report, release the lock.
	s := open(t, dir, 1)
	reported := make(chan Holder, 1)
	s.SetWait(0, func(h Holder) { reported <- h })
	done := make(chan error, 1)
	go func() {
		done <- s.Update(func(d *doc) error { d.Items = append(d.Items, "waiter"); return nil })
	}()
	select {
	case h := <-reported:
		if h != want {
			t.Errorf("reported %+v, want %+v", h, want)
		}
	case err := <-done:
		t.Fatalf("Update returned %v while the helper held the lock", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	// The waits given up above are still blocked in flock(2): each takes
	// the lock in turn and must release it at once for this one to get it.
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Update still waiting 30s after the helper released the lock: a wait given up keeps it")
	}
	if got := view(t, s).Items; !slices.Equal(got, []string{"old", "holder", "waiter"}) {
		t.Errorf("Items = %q", got)
	}
}

// TestWaitGivenUp waits for a lock another goroutine holds, with a
// timeout shorter than the report delay, then checks that the flock the
// wait gave up on does not keep the lock once it gets it.
func TestWaitGivenUp(t *testing.T) {
	dir := t.TempDir()
	holder := open(t, dir, 1)
	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- holder.Update(func(*doc) error { close(locked); <-release; return nil })
	}()
	<-locked

	s := open(t, dir, 1)
	s.SetWait(100*time.Millisecond, func(h Holder) { t.Errorf("reported %+v before the timeout", h) })
	err := s.View(func(*doc) error { t.Error("View ran while the lock was held"); return nil })
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d: ", os.Getpid())) ||
		!strings.Contains(err.Error(), "for over 100ms") {
		t.Fatalf("View = %v, want ErrLockTimeout naming this process and the wait", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The given-up flock gets the lock now, or has got it: it must let go.
	s.SetWait(30*time.Second, nil)
	if err := s.Update(func(*doc) error { return nil }); err != nil {
		t.Fatalf("Update after the holder released the lock: %v", err)
	}
}

// TestWaitFreeLock checks that a free lock is taken without a report.
func TestWaitFreeLock(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	s.SetWait(time.Nanosecond, func(h Holder) { t.Errorf("reported %+v", h) })
	if err := s.Update(func(d *doc) error { d.Items = []string{"a"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := view(t, s).Items; !slices.Equal(got, []string{"a"}) {
		t.Errorf("Items = %q", got)
	}
}

func TestFlockHolder(t *testing.T) {
	const locks = `1: POSIX  ADVISORY  WRITE 100 fe:00:42 0 EOF
2: FLOCK  ADVISORY  WRITE 101 fe:01:42 0 EOF
3: FLOCK  ADVISORY  WRITE 102 fe:00:420 0 EOF
4: OFDLCK ADVISORY  READ -1 fe:00:42 0 EOF
5: -> FLOCK  ADVISORY  WRITE 103 fe:00:42 0 EOF
5: FLOCK  ADVISORY  READ 104 fe:00:42 0 EOF
6: FLOCK  ADVISORY  READ 105 fe:00:42 0 EOF
7: FLOCK  ADVISORY  WRITE 106 00:2a:7 0 EOF
8: FLOCK  ADVISORY  WRITE 107 103:0b:8 0 EOF
9: FLOCK  ADVISORY  WRITE garbage fe:00:9 0 EOF
10: FLOCK  ADVISORY  WRITE 108 fe:00 0 EOF
`
	tests := []struct {
		name         string
		major, minor uint32
		ino          uint64
		want         int
	}{
		{"first reader, not the waiter or other locks", 0xfe, 0, 42, 104},
		{"another minor", 0xfe, 1, 42, 101},
		{"another inode", 0xfe, 0, 420, 102},
		{"small device", 0, 0x2a, 7, 106},
		{"three-digit major", 0x103, 0x0b, 8, 107},
		{"pid not a number", 0xfe, 0, 9, 0},
		{"not locked", 0xfe, 0, 43, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := flockHolder(strings.NewReader(locks), tt.major, tt.minor, tt.ino); got != tt.want {
				t.Errorf("flockHolder(%x:%x:%d) = %d, want %d", tt.major, tt.minor, tt.ino, got, tt.want)
			}
		})
	}
}
