package modes

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestHeldThroughDeletedName opens a namespace through its name, deletes
// the name, and checks that the open file still counts as holding the
// namespace: in /proc/PID/fd it reads as "/", not as "net:[INODE]", and
// before the fix the namespace counted as gone (its records dropped, its
// addresses handed out again, its links left in place).
func TestHeldThroughDeletedName(t *testing.T) {
	testenv.RequireRoot(t)
	name := fmt.Sprintf("vrt-held-%08x", rand.Uint32())
	ns, err := netns.Add(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	var st, self unix.Stat_t
	if err := unix.Fstat(ns.FD(), &st); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat("/proc/self/ns/net", &self); err != nil {
		t.Fatal(err)
	}
	if err := netns.Delete(name); err != nil {
		t.Fatal(err)
	}
	fd := "/proc/self/fd/" + strconv.Itoa(ns.FD())
	target, err := os.Readlink(fd)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s reads as %q", fd, target)
	h := nsHolders{}
	h.addLink(fd, self.Dev)
	if h[netns.ID{Dev: st.Dev, Inode: st.Ino}] != fd {
		t.Errorf("addLink(%s) gives %v, want namespace %d held through it", fd, h, st.Ino)
	}

	// Other open files are no namespaces.
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h = nsHolders{}
	h.addLink("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), self.Dev)
	if len(h) != 0 {
		t.Errorf("a plain file counts as a namespace: %v", h)
	}
}
