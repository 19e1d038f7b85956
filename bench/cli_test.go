package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// cliEnv names a prebuilt static vlanraw binary for the CLI benchmarks.
// Inside the QEMU harness there is no Go toolchain: build bin/vlanraw on
// the host, add it to the guest with VLANRAW_VMTEST_EXTRA and name it
// here (vmtest passes VLANRAW_* variables to the guest).
const cliEnv = "VLANRAW_BENCH_VLANRAW"

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
	cliSkip string
)

// vlanrawCLI returns the vlanraw binary the CLI benchmarks run: the one
// $VLANRAW_BENCH_VLANRAW names, else one built with go build once per
// test binary run into .cache/bench at the module root. Without either
// it skips.
func vlanrawCLI(tb testing.TB) string {
	tb.Helper()
	cliOnce.Do(func() {
		if p := os.Getenv(cliEnv); p != "" {
			if _, err := os.Stat(p); err != nil {
				cliErr = fmt.Errorf("%s: %w", cliEnv, err)
			}
			cliPath = p
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			cliSkip = "no go toolchain to build the vlanraw CLI: set " + cliEnv + " to a prebuilt one (make build)"
			return
		}
		root, ok := moduleRoot()
		if !ok {
			cliSkip = "go.mod not found above the working directory: set " + cliEnv + " to a prebuilt vlanraw"
			return
		}
		cliPath = filepath.Join(root, ".cache", "bench", "vlanraw")
		cmd := exec.Command(goTool, "build", "-trimpath", "-o", cliPath, "github.com/vlanraw/vlanraw/cmd/vlanraw")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("build vlanraw: %w\n%s", err, out)
		}
	})
	if cliSkip != "" {
		tb.Skip(cliSkip)
	}
	if cliErr != nil {
		tb.Fatal(cliErr)
	}
	return cliPath
}
