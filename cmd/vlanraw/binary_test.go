package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// beMainEnv makes the test binary run main() instead of the tests, so
// that the exit-code test has a vlanraw binary where no Go toolchain is
// (inside the QEMU harness).
const beMainEnv = "VLANRAW_TEST_BE_MAIN"

// lsSysArg, as the first argument, makes the test binary list
// /sys/class/net, one name a line, and exit with status 7: the netns exec
// test runs it inside a namespace. It is an argument, not a variable, so
// that vlanraw itself may be this test binary with beMainEnv set.
const lsSysArg = "-vlanraw-test-ls-sys"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == dropCapsArg {
		dropCapsAndRunMain(os.Args[2:])
	}
	if len(os.Args) > 1 && os.Args[1] == sleepArg {
		select {}
	}
	if len(os.Args) > 1 && os.Args[1] == readmeSandboxArg {
		readmeSandbox(os.Args[2:])
	}
	if len(os.Args) > 1 && os.Args[1] == lsSysArg {
		ents, err := os.ReadDir("/sys/class/net")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, e := range ents {
			fmt.Println(e.Name())
		}
		os.Exit(7)
	}
	if os.Getenv(beMainEnv) == "1" {
		main()
	}
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	builtDir  string // holds the vlanraw built for this run
	builtExe  string
	builtEnv  []string
	buildErr  error
)

// vlanrawExe returns the path of a vlanraw binary and the environment to
// run it with: the binary built with go build when the toolchain is there
// (once per test run), else this test binary running main().
func vlanrawExe(t *testing.T) (string, []string) {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			builtExe, buildErr = os.Executable()
			builtEnv = append(os.Environ(), beMainEnv+"=1")
			return
		}
		builtDir, buildErr = os.MkdirTemp("", "vlanraw-test-")
		if buildErr != nil {
			return
		}
		builtExe, builtEnv = filepath.Join(builtDir, "vlanraw"), os.Environ()
		if out, err := exec.Command(goTool, "build", "-o", builtExe, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if builtDir == "" {
		t.Logf("no go toolchain: running vlanraw as %s with %s=1", builtExe, beMainEnv)
	}
	return builtExe, builtEnv
}

// vlanrawBinary returns a command that runs vlanraw (see vlanrawExe).
func vlanrawBinary(t *testing.T) func(args ...string) *exec.Cmd {
	t.Helper()
	exe, env := vlanrawExe(t)
	return func(args ...string) *exec.Cmd {
		cmd := exec.Command(exe, args...)
		cmd.Env = env
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

// TestOneProcInitFirst checks, in the binary's own initialisation trace,
// that package oneproc's init runs before those of the large packages
// (GoBGP's wire package, cilium/ebpf): a CNI plugin is on one processor
// before they run (see package oneproc).
func TestOneProcInitFirst(t *testing.T) {
	cmd := vlanrawBinary(t)()
	cmd.Env = append(cmd.Env, "CNI_COMMAND=VERSION", "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	order := map[string]int{}
	for i, line := range strings.Split(stderr.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			order[f[1]] = i
		}
	}
	first, ok := order["github.com/vlanraw/vlanraw/cmd/vlanraw/internal/oneproc"]
	if !ok {
		t.Fatalf("no init of package oneproc in the trace:\n%s", stderr.String())
	}
	for _, big := range []string{"github.com/osrg/gobgp/v4/pkg/packet/bgp", "github.com/cilium/ebpf/internal", "github.com/vlanraw/vlanraw/cmd/vlanraw/internal/iproute"} {
		if at, ok := order[big]; !ok || at < first {
			t.Errorf("%s initialises before oneproc (line %d, oneproc's %d), or not at all", big, at, first)
		}
	}
}
