package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Busybox is the static busybox the root file systems are made of
// (Debian's busybox-static).
const Busybox = "/bin/busybox"

// applets are the busybox commands a root file system links to.
var applets = []string{"sh", "sleep", "ping", "ip", "cat"}

// Rootfs returns a new root file system holding the static busybox as
// /bin/busybox with applets linked to it.
func Rootfs(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := writeRootfs(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func writeRootfs(dir string) error {
	b, err := os.ReadFile(Busybox)
	if err != nil {
		return fmt.Errorf("the root file system needs a static busybox (apt-get install busybox-static, testenv/deps.sh runtimes): %w", err)
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), b, 0o755); err != nil {
		return err
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(bin, a)); err != nil {
			return err
		}
	}
	return nil
}
