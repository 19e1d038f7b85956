// Package testenv is vlanraw's test environment: throwaway network
// namespaces and kernel-aware requirements for tests (this package), and
// the QEMU harness that runs the tests on Debian's kernels (package vm and
// command vmtest).
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// NewNetNS creates a named network namespace (under /run/netns, so that
// iproute2's `ip -n NAME` can use it too) that is deleted when the test
// ends. It skips the test with a reason when not run as root.
func NewNetNS(tb testing.TB) (*netns.NS, string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root to create network namespaces (run the tests as root, as CI does)")
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "vrtest-" + hex.EncodeToString(b)
	ns, err := netns.Add(name)
	if err != nil {
		tb.Fatalf("create test network namespace: %v", err)
	}
	tb.Cleanup(func() {
		ns.Close()
		if err := netns.Delete(name); err != nil {
			tb.Errorf("delete test network namespace %s: %v", name, err)
		}
	})
	return ns, name
}

// sleepEnv, set to 1 in its environment, makes a test binary that imports
// this package do nothing but wait until it is killed: StartIn runs one.
// It is read in init, before any test or TestMain runs.
const sleepEnv = "VLANRAW_TESTENV_SLEEP"

func init() {
	if os.Getenv(sleepEnv) == "1" {
		for {
			unix.Pause()
		}
	}
}

// StartIn starts a process living in the network namespace ns that does
// nothing until the test ends, when it is killed, and returns its process
// id, so that the namespace is also /proc/PID/ns/net. The process is this
// test binary, which needs nothing installed (see sleepEnv); it is in ns
// from its first instruction on.
func StartIn(tb testing.TB, ns *netns.NS) int {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatalf("start a process in %s: %v", ns, err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), sleepEnv+"=1")
	if err := ns.Do(cmd.Start); err != nil {
		tb.Fatalf("start a process in %s: %v", ns, err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}
