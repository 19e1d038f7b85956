// Package testenv is vlanraw's test environment: throwaway network
// namespaces and kernel-aware requirements for tests (this package), and
// the QEMU harness that runs the tests on Debian's kernels (package vm and
// command vmtest).
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

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
