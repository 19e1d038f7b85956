package bench

import (
	"errors"
	"fmt"
	"io"
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
	// cliDir is the directory cliPath was installed into, removed by
	// TestMain.
	cliDir string
)

// vlanrawCLI returns the vlanraw binary the CLI benchmarks run: a copy,
// installed once per test binary run, of the one $VLANRAW_BENCH_VLANRAW
// names, else of one built with go build into .cache/bench at the module
// root. Without either it skips.
//
// The copy is how users have it (a package, cp or install into
// /opt/cni/bin, as the reference plugins are unpacked from their
// tarball): a file the Go linker has just written holds its page cache
// in small pages, and each exec of it costs about 0.15 ms more in page
// faults than one of a copy of the same bytes (1.81 against 1.66 ms for
// `CNI_COMMAND=VERSION vlanraw` here), which is a tenth of what a CNI ADD
// costs beyond its exec.
func vlanrawCLI(tb testing.TB) string {
	tb.Helper()
	cliOnce.Do(func() {
		src, err := cliSource()
		if err != nil || src == "" {
			cliErr = err
			return
		}
		cliDir, cliPath, cliErr = installCopy(src)
	})
	if cliSkip != "" {
		tb.Skip(cliSkip)
	}
	if cliErr != nil {
		tb.Fatal(cliErr)
	}
	return cliPath
}

// installCopy copies the executable src into a new temporary directory
// and returns the directory and the copy.
func installCopy(src string) (dir, path string, err error) {
	in, err := os.Open(src)
	if err != nil {
		return "", "", err
	}
	defer in.Close()
	if dir, err = os.MkdirTemp("", "vlanraw-bench-"); err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, "vlanraw")
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err == nil {
		_, err = io.Copy(out, in)
		err = errors.Join(err, out.Close())
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("install a copy of %s: %w", src, err)
	}
	return dir, path, nil
}

// cliSource returns the vlanraw binary vlanrawCLI copies: the one
// $VLANRAW_BENCH_VLANRAW names, else one it builds; "" with cliSkip set
// when there is neither.
func cliSource() (string, error) {
	if p := os.Getenv(cliEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", cliEnv, err)
		}
		return p, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		cliSkip = "no go toolchain to build the vlanraw CLI: set " + cliEnv + " to a prebuilt one (make build)"
		return "", nil
	}
	root, ok := moduleRoot()
	if !ok {
		cliSkip = "go.mod not found above the working directory: set " + cliEnv + " to a prebuilt vlanraw"
		return "", nil
	}
	p := filepath.Join(root, ".cache", "bench", "vlanraw")
	cmd := exec.Command(goTool, "build", "-trimpath", "-o", p, "github.com/vlanraw/vlanraw/cmd/vlanraw")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build vlanraw: %w\n%s", err, out)
	}
	return p, nil
}
