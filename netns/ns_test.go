package netns_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestOpenRefuses opens files that are no network namespace, and
// namespaces that do not exist: each is refused, saying what the file is
// and which forms to give, matching os.ErrNotExist where nothing is (a
// missing name or process, a file or directory where nothing is
// mounted) and ErrInvalid for another kind of namespace.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	const todo = "; give a name under /run/netns, a path such as /proc/PID/ns/net, or a process id"
	for _, tc := range []struct {
		word, want string
		invalid    bool
	}{
		{plain, plain + " is not a network namespace (nothing is mounted there)" + todo, false},
		{dir, dir + " is not a network namespace (nothing is mounted there)" + todo, false},
		{fifo, fifo + " is not a network namespace (nothing is mounted there)" + todo, false},
		{"/proc/self/ns/mnt", "/proc/self/ns/mnt is not a network namespace (it is a mount namespace)" + todo, true},
		{"/proc/self/ns/uts", "/proc/self/ns/uts is not a network namespace (it is a UTS namespace)" + todo, true},
		{"vrtest-nosuch-" + strconv.Itoa(os.Getpid()), "/run/netns/vrtest-nosuch-" + strconv.Itoa(os.Getpid()) + ": no such file or directory", false},
		{filepath.Join(dir, "missing"), filepath.Join(dir, "missing") + ": no such file or directory", false},
		{"4194305", "/proc/4194305/ns/net: no such file or directory", false}, // above PID_MAX_LIMIT
	} {
		t.Run(tc.word, func(t *testing.T) {
			ns, err := netns.Open(tc.word)
			if err == nil {
				ns.Close()
				t.Fatalf("Open(%q) opened it; want %q", tc.word, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Open(%q): %q\nwant %q", tc.word, err, tc.want)
			}
			if got := errors.Is(err, errdefs.ErrInvalid); got != tc.invalid {
				t.Errorf("Open(%q): matches ErrInvalid: %v, want %v", tc.word, got, tc.invalid)
			}
			if got := errors.Is(err, os.ErrNotExist); got == tc.invalid {
				t.Errorf("Open(%q): matches os.ErrNotExist: %v, want %v", tc.word, got, !tc.invalid)
			}
		})
	}
}

// newNS creates a namespace for the test and returns it, its name, its
// identity and that of the current namespace, which differ.
func newNS(t *testing.T) (ns *netns.NS, name string, id, cur netns.ID) {
	t.Helper()
	ns, name = testenv.NewNetNS(t)
	id, err := ns.ID()
	if err != nil {
		t.Fatal(err)
	}
	var here *netns.NS
	if cur, err = here.ID(); err != nil {
		t.Fatal(err)
	}
	if cur == id {
		t.Fatalf("the new namespace %v is the current one", id)
	}
	return ns, name, id, cur
}

// TestOpenForms opens one namespace by its name, by its path and by the
// process id of a process living in it, and finds the same namespace
// each time, by identity, and not the current one.
func TestOpenForms(t *testing.T) {
	ns, name, want, _ := newNS(t)
	pid := testenv.StartIn(t, ns)
	for _, word := range []string{name, "/run/netns/" + name, strconv.Itoa(pid), "/proc/" + strconv.Itoa(pid) + "/ns/net"} {
		n, err := netns.Open(word)
		if err != nil {
			t.Errorf("Open(%q): %v", word, err)
			continue
		}
		got, err := n.ID()
		if err != nil || got != want || n.String() != word {
			t.Errorf("Open(%q): ID %v (%v), String %q; want %v, %q", word, got, err, n.String(), want, word)
		}
		if at, err := netns.IDAt(n.Path()); err != nil || at != want {
			t.Errorf("IDAt(%q) = %v, %v; want %v", n.Path(), at, err, want)
		}
		n.Close()
	}
}

// TestDo runs a function inside a namespace, where the thread sees that
// namespace, and on nil, where it runs right here; the thread that ran
// it is back in its own namespace afterwards.
func TestDo(t *testing.T) {
	ns, _, want, cur := newNS(t)
	var here *netns.NS
	var inside netns.ID
	err := ns.Do(func() (err error) {
		inside, err = here.ID()
		return err
	})
	if err != nil || inside != want {
		t.Errorf("inside Do the thread is in %v (%v), want %v", inside, err, want)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/ns/net")
	for _, task := range tasks {
		if id, err := netns.IDAt(task); err == nil && id == want {
			t.Errorf("%s is still in %v after Do", filepath.Dir(filepath.Dir(task)), want)
		}
	}
	var there netns.ID
	err = here.Do(func() (err error) {
		there, err = here.ID()
		return err
	})
	if err != nil || there != cur {
		t.Errorf("nil.Do ran in %v (%v), want the current %v", there, err, cur)
	}
	sentinel := errors.New("from fn")
	if err := ns.Do(func() error { return sentinel }); !errors.Is(err, sentinel) {
		t.Errorf("Do returned %v, want fn's error", err)
	}
	if err := here.Close(); err != nil {
		t.Errorf("nil.Close: %v", err)
	}
	if s := here.String(); !strings.Contains(s, "current") {
		t.Errorf("nil.String() = %q", s)
	}
}
