package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/testenv"
)

// setFlags sets the inode flags of path to flags (FS_IOC_SETFLAGS, as
// chattr does).
func setFlags(path string, flags uint32) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(flags))
}

// flagsDir returns a new directory on a file system that supports
// immutable and append-only files (the test's temporary directory, else
// one in /dev/shm), or skips the test saying why there is none.
func flagsDir(t *testing.T) string {
	t.Helper()
	var why []string
	for _, parent := range []string{"", "/dev/shm"} {
		dir := t.TempDir()
		if parent != "" {
			var err error
			if dir, err = os.MkdirTemp(parent, "vlanraw-state-test"); err != nil {
				why = append(why, err.Error())
				continue
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
		}
		probe := filepath.Join(dir, "probe")
		write(t, probe, "")
		err := setFlags(probe, fsImmutableFL)
		if err == nil {
			setFlags(probe, 0)
			return dir
		}
		why = append(why, "chattr +i in "+dir+": "+err.Error())
		if err == unix.EPERM {
			break // no CAP_LINUX_IMMUTABLE: no other directory helps
		}
	}
	if os.Getenv("VLANRAW_TESTENV") == "vm" {
		// vmtest's guest has only tmpfs, which supports inode flags
		// from Linux 6.0 on (FS_IOC_SETFLAGS in shmem): anything else
		// there is a failure, not a reason to skip.
		testenv.RequireKernel(t, "6.0", "chattr +i and +a on tmpfs")
		t.Fatalf("kernel %s (6.0 or newer) has no immutable files on tmpfs: %q", testenv.KernelRelease(), why)
	}
	t.Skipf("no file system here supports immutable files: %q", why)
	return ""
}

// TestIntendUnreplaceable checks that Intend refuses to record work
// when the state file could not be saved afterwards, because of inode
// flags on the state file or the directory.
func TestIntendUnreplaceable(t *testing.T) {
	tests := []struct {
		name    string
		onDir   bool
		flags   uint32
		wantErr string
	}{
		{name: "immutable state file", flags: fsImmutableFL,
			wantErr: "state file DIR/test.json cannot be replaced (immutable: chattr -i it): nothing was changed"},
		{name: "append-only state file", flags: fsAppendFL,
			wantErr: "state file DIR/test.json cannot be replaced (append-only: chattr -a it): nothing was changed"},
		{name: "immutable directory", onDir: true, flags: fsImmutableFL,
			wantErr: "state directory DIR cannot be written in (immutable: chattr -i it): nothing was changed"},
		{name: "append-only directory", onDir: true, flags: fsAppendFL,
			wantErr: "state directory DIR cannot be written in (append-only: chattr -a it): nothing was changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := flagsDir(t)
			s := open(t, dir, 1)
			if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
				t.Fatal(err)
			}
			before := read(t, s.Path())
			target := s.Path()
			if tt.onDir {
				target = dir
			}
			if err := setFlags(target, tt.flags); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { setFlags(target, 0) })
			// The check is needed: the state file cannot be renamed.
			if err := os.Rename(s.Path(), s.Path()+".moved"); !errors.Is(err, unix.EPERM) {
				t.Fatalf("renaming the state file: %v, want EPERM", err)
			}

			want := strings.ReplaceAll(tt.wantErr, "DIR", dir)
			called := false
			err := s.Update(func(d *doc) error {
				called = true
				err := s.Intend([]byte("link eth9.10"))
				if err == nil {
					d.Items = append(d.Items, "new")
				}
				return err
			})
			if !called {
				t.Fatal("fn not called")
			}
			if err == nil || err.Error() != want {
				t.Fatalf("Update = %v\nwant %s", err, want)
			}
			if !errors.Is(err, ErrUnwritable) || !errors.Is(err, unix.EPERM) {
				t.Errorf("%v does not match ErrUnwritable and EPERM", err)
			}
			if got := intentOf(t, s); got != "-" {
				t.Errorf("intent: %q, want none", got)
			}
			if got := read(t, s.Path()); string(got) != string(before) {
				t.Errorf("state file changed:\n%s", got)
			}
			noTemporaryFiles(t, dir)

			if err := setFlags(target, 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Update(func(d *doc) error { return s.Intend([]byte("x")) }); err != nil {
				t.Errorf("Update after chattr -%s: %v", tt.name, err)
			}
		})
	}
}

// TestIntendReadOnly checks Intend on a read-only file system: a tmpfs
// mounted for the test and remounted read-only (chmod does not stop
// root).
func TestIntendReadOnly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		t.Skipf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	s := open(t, dir, 1)
	if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}

	err := s.Update(func(d *doc) error {
		if err := s.Intend([]byte("link eth9.10")); err != nil {
			return err
		}
		t.Error("Intend succeeded on a read-only file system")
		return nil
	})
	want := "state directory " + dir + " cannot be written in (read-only file system: remount it read-write, " +
		"or choose another state directory with --state-dir): nothing was changed"
	if err == nil || err.Error() != want {
		t.Fatalf("Update = %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrUnwritable) || !errors.Is(err, unix.EROFS) {
		t.Errorf("%v does not match ErrUnwritable and EROFS", err)
	}
	if got := view(t, s).Items; len(got) != 1 || got[0] != "old" {
		t.Errorf("Items = %q", got)
	}
}
