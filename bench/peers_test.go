package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ipPath returns iproute2's ip, or skips.
func ipPath(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("ip")
	if err != nil {
		tb.Skip("iproute2's ip is the peer and is not installed (make deps installs it)")
	}
	return p
}

// ipBatch runs `ip -n NS -batch FILE` on lines and returns how long the
// ip process took, start to exit.
func ipBatch(tb testing.TB, ns string, lines []string) time.Duration {
	tb.Helper()
	f := filepath.Join(tb.TempDir(), "batch")
	if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(ipPath(tb), "-n", ns, "-batch", f)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		tb.Fatalf("ip -batch: %v\n%s", err, out)
	}
	return d
}

// ipRun runs one ip command and returns its wall time.
func ipRun(tb testing.TB, args ...string) time.Duration {
	tb.Helper()
	return timeCmd(tb, ipPath(tb), args...)
}

// timeCmd runs a program to its exit and returns its wall time, start to
// exit. A failure ends the benchmark with the program's output.
func timeCmd(tb testing.TB, prog string, args ...string) time.Duration {
	tb.Helper()
	start := time.Now()
	out, err := exec.Command(prog, args...).CombinedOutput()
	d := time.Since(start)
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", filepath.Base(prog), strings.Join(args, " "), err, out)
	}
	return d
}

func linkNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return names
}
