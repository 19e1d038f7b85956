package netns_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestAddLeavesNoThread adds named namespaces many times over and
// checks that no thread of this process stays in one: a thread left
// there (the main thread cannot be discarded) would keep the namespace
// alive after Delete, and every link in it.
func TestAddLeavesNoThread(t *testing.T) {
	testenv.RequireRoot(t)
	for i := range 20 {
		name := fmt.Sprintf("vrt-addns-%d-%d", os.Getpid(), i)
		ns, err := netns.Add(name)
		if err != nil {
			t.Fatal(err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(ns.FD(), &st); err != nil {
			t.Fatal(err)
		}
		ns.Close()
		if err := netns.Delete(name); err != nil {
			t.Fatal(err)
		}
		tasks, _ := filepath.Glob("/proc/self/task/*/ns/net")
		for _, task := range tasks {
			var ts unix.Stat_t
			if unix.Stat(task, &ts) == nil && ts.Ino == st.Ino {
				t.Fatalf("%s is in namespace %s after its deletion", filepath.Dir(filepath.Dir(task)), name)
			}
		}
	}
}
