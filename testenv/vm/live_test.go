package vm

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The live tests boot real virtual machines (a few seconds each under
// TCG). They skip when that is impossible here, except in CI (CI=true),
// where they must run.

// liveKernel is the kernel the live tests boot: $VLANRAW_VMTEST_KERNEL or
// 6.12.
func liveKernel() string {
	if k := os.Getenv("VLANRAW_VMTEST_KERNEL"); k != "" {
		return k
	}
	return "6.12"
}

// skipOrFail skips a live test, or fails it in CI.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// liveDir holds what liveSetup built; TestMain removes it.
var liveDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if liveDir != "" {
		os.RemoveAll(liveDir)
	}
	os.Exit(code)
}

// liveSetup builds the vmtest command and the guest test binary once, and
// makes sure the kernel and QEMU are there.
var liveSetup = sync.OnceValues(func() (*liveEnv, error) {
	env := &liveEnv{}
	dir, err := os.MkdirTemp("", "vmtest-live-")
	if err != nil {
		return nil, err
	}
	env.dir, liveDir = dir, dir
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, err
	}
	env.vmtest = filepath.Join(dir, "vmtest")
	build := exec.Command(goCmd, "build", "-o", env.vmtest, "github.com/vlanraw/vlanraw/testenv/cmd/vmtest")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, errors.New("build vmtest: " + err.Error() + "\n" + string(out))
	}
	env.guest = filepath.Join(dir, "guest.test")
	if out, err := exec.Command(goCmd, "test", "-c", "-o", env.guest, "./testdata/guest").CombinedOutput(); err != nil {
		return nil, errors.New("build guest test: " + err.Error() + "\n" + string(out))
	}
	if env.kernel, err = ResolveKernel(liveKernel(), ""); err != nil {
		return nil, err
	}
	if _, err := lookTool("qemu-system-x86_64", "qemu-system-x86"); err != nil {
		return nil, err
	}
	return env, nil
})

type liveEnv struct {
	dir, vmtest, guest string
	kernel             *Kernel
}

// runVMTest runs the vmtest command with the guest test binary in
// testdata/guest and returns its exit status, stdout and stderr.
func runVMTest(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "booting a VM needs root to install QEMU and load modules")
	}
	le, err := liveSetup()
	if err != nil {
		skipOrFail(t, "cannot boot VMs here: %v", err)
	}
	pkgDir, err := filepath.Abs(filepath.Join("testdata", "guest"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(le.vmtest, append([]string{"-kernel", liveKernel(), "-timeout", "5m", "--", le.guest}, args...)...)
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "VLANRAW_VMTEST_WANT_DIR="+pkgDir)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	t.Logf("vmtest %s:\n%s\n%s", strings.Join(args, " "), stdout.String(), lastLines(stderr.String(), 8))
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestLiveFailingTest boots a guest whose test fails on purpose: vmtest
// must exit with the test binary's status, forward its output, load every
// module and set the environment up.
func TestLiveFailingTest(t *testing.T) {
	t.Parallel()
	extraDir := t.TempDir()
	extra := filepath.Join(extraDir, "extra.txt")
	if err := os.WriteFile(extra, []byte("extra\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runVMTest(t, []string{
		"VLANRAW_VMTEST_FAIL=1",
		"VLANRAW_VMTEST_WANT_KINDS=bridge,dummy,ipvlan,ipvtap,macvlan,macvtap,netkit,veth,vlan",
		"VLANRAW_VMTEST_EXTRA=" + extra,
		"VLANRAW_VMTEST_WANT_FILE=" + extra,
	}, "-test.v")
	if code != 1 {
		t.Errorf("exit status %d, want 1 (the test binary's)", code)
	}
	for _, want := range []string{
		"--- PASS: TestGuestEnvironment",
		"--- PASS: TestGuestLinks",
		"--- FAIL: TestMaybeFail",
		"failing on purpose",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if strings.Contains(stdout, resultPrefix) {
		t.Error("the result line leaked into stdout")
	}
	if !strings.Contains(stderr, "vmtest: kernel 6.") || !strings.Contains(stderr, "guest.test exit 1") {
		t.Errorf("stderr lacks the kernel summary:\n%s", stderr)
	}
	if strings.Contains(stderr, "KERNEL CRASH") {
		t.Errorf("a failing test was reported as a crash:\n%s", stderr)
	}
}

// TestLiveKernelCrash boots a guest whose test panics the kernel through
// sysrq: vmtest must say so and show the console.
func TestLiveKernelCrash(t *testing.T) {
	t.Parallel()
	code, _, stderr := runVMTest(t, []string{"VLANRAW_VMTEST_CRASH=1"}, "-test.run", "TestMaybeCrash", "-test.v")
	if code != ExitInfra {
		t.Errorf("exit status %d, want %d", code, ExitInfra)
	}
	for _, want := range []string{"KERNEL CRASH", "kernel crash", "Kernel panic", "sysrq", "---- kernel console ----"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
