package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// beMainEnv makes the test binary run main() instead of the tests, so
// that the exit-code test has a vlanraw binary where no Go toolchain is
// (inside the QEMU harness).
const beMainEnv = "VLANRAW_TEST_BE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// vlanrawBinary returns a command that runs vlanraw: the binary built
// with go build when the toolchain is there, else this test binary
// running main().
func vlanrawBinary(t *testing.T) func(args ...string) *exec.Cmd {
	t.Helper()
	if goTool, err := exec.LookPath("go"); err == nil {
		bin := filepath.Join(t.TempDir(), "vlanraw")
		out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		return func(args ...string) *exec.Cmd { return exec.Command(bin, args...) }
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("no go toolchain: running vlanraw as %s with %s=1", self, beMainEnv)
	return func(args ...string) *exec.Cmd {
		cmd := exec.Command(self, args...)
		cmd.Env = append(os.Environ(), beMainEnv+"=1")
		return cmd
	}
}

// TestBinaryExitCodes runs the vlanraw binary and checks its exit codes:
// 0 for success, 1 when the kernel refuses, 2 for usage mistakes, with
// messages on stderr only.
func TestBinaryExitCodes(t *testing.T) {
	vlanraw := vlanrawBinary(t)
	run := func(t *testing.T, want int, args ...string) (string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := vlanraw(args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run vlanraw %s: %v", strings.Join(args, " "), err)
		}
		if code != want {
			t.Errorf("vlanraw %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, want, stderr.String())
		}
		if want != exitOK && !strings.HasPrefix(stderr.String(), "vlanraw: ") {
			t.Errorf("vlanraw %s: stderr %q does not start with \"vlanraw: \"", strings.Join(args, " "), stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	t.Run("usage", func(t *testing.T) {
		if out, _ := run(t, exitOK, "--help"); !strings.Contains(out, "Usage: vlanraw") {
			t.Errorf("--help printed %q", out)
		}
		if out, _ := run(t, exitOK, "help", "link"); !strings.Contains(out, "macaddr") {
			t.Errorf("help link printed %q", out)
		}
		run(t, exitUsage)
		run(t, exitUsage, "frob")
		run(t, exitUsage, "--frob", "link")
		run(t, exitUsage, "link", "add", "link", "p0", "mv0", "type", "macvlan", "mode", "bogus")
		run(t, exitUsage, "link", "add", "link", "p0", "v0", "type", "vlan", "id", "4095")
	})
	t.Run("kernel", func(t *testing.T) {
		ns := newNetNS(t)
		addVeth(t, ns, "p0")
		run(t, exitOK, "-n", ns, "link", "add", "link", "p0", "name", "mv0", "type", "macvlan", "mode", "bridge")
		if _, stderr := run(t, exitRuntime, "-n", ns, "link", "add", "link", "p0", "name", "mv0", "type", "macvlan"); !strings.Contains(stderr, "exists") {
			t.Errorf("second add: stderr %q does not say the link exists", stderr)
		}
		run(t, exitUsage, "-n", ns, "link", "add", "link", "p0", "name", "mv1", "mtu", "9000", "type", "macvlan")
		out, _ := run(t, exitOK, "-n", ns, "link", "show", "-j", "dev", "mv0")
		var links []map[string]any
		if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 || links[0]["ifname"] != "mv0" {
			t.Errorf("link show -j dev mv0 printed %q (%v)", out, err)
		}
		run(t, exitOK, "-n", ns, "link", "del", "mv0")
		run(t, exitRuntime, "-n", ns, "link", "del", "mv0")
		run(t, exitRuntime, "-n", ns, "link", "show", "dev", "mv0")
		run(t, exitRuntime, "-n", ns+"-nosuch", "link", "show")
	})
}
