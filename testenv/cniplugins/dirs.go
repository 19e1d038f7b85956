package cniplugins

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// ReferenceEnv names a directory holding the reference plugins and
// cnitool (Programs), prebuilt; VlanrawEnv a prebuilt static vlanraw.
const (
	ReferenceEnv = "VLANRAW_CNI_REFERENCE"
	VlanrawEnv   = "VLANRAW_CNI_VLANRAW"
)

// UnderTestEnv chooses the plugins UnderTest returns: "vlanraw" (the
// default) or "reference".
const UnderTestEnv = "VLANRAW_CNI_UNDER_TEST"

// Programs are the programs Reference provides, with the Go package each
// is built from. One go install per module: go install pkg@version takes
// packages of one module only.
var Programs = []struct{ Name, Module, Package string }{
	{"macvlan", "github.com/containernetworking/plugins", "plugins/main/macvlan"},
	{"ipvlan", "github.com/containernetworking/plugins", "plugins/main/ipvlan"},
	{"host-local", "github.com/containernetworking/plugins", "plugins/ipam/host-local"},
	{"static", "github.com/containernetworking/plugins", "plugins/ipam/static"},
	// containerd's CRI runs loopback on every pod before the network.
	{"loopback", "github.com/containernetworking/plugins", "plugins/main/loopback"},
	{"cnitool", "github.com/containernetworking/cni", "cnitool"},
}

// DropInNames are the reference plugins vlanraw stands in for under
// their own names.
var DropInNames = []string{"macvlan", "ipvlan"}

var (
	refOnce sync.Once
	refDir  string
	refErr  error
	vrOnce  sync.Once
	vrPath  string
	vrErr   error
)

// Reference returns the directory of the reference plugins and cnitool:
// $VLANRAW_CNI_REFERENCE, else .cache/cni/bin at the module root, where
// the missing ones are built with go install (about 40 s the first time).
func Reference(tb testing.TB) string {
	tb.Helper()
	refOnce.Do(func() { refDir, refErr = reference() })
	if refErr != nil {
		tb.Fatal(refErr)
	}
	return refDir
}

func reference() (string, error) {
	if dir := os.Getenv(ReferenceEnv); dir != "" {
		if p := missing(dir); p != "" {
			return "", fmt.Errorf("%s=%s has no %s: build the reference plugins there (see cniplugins.Programs)", ReferenceEnv, dir, p)
		}
		return dir, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, ".cache", "cni", "bin")
	if missing(dir) == "" {
		return dir, nil
	}
	byModule := map[string][]string{}
	var order []string
	for _, p := range Programs {
		if _, err := os.Stat(filepath.Join(dir, p.Name)); err == nil {
			continue
		}
		if byModule[p.Module] == nil {
			order = append(order, p.Module)
		}
		byModule[p.Module] = append(byModule[p.Module], p.Module+"/"+p.Package+"@latest")
	}
	for _, m := range order {
		if err := goCmd(root, []string{"GOBIN=" + dir}, append([]string{"install"}, byModule[m]...)...); err != nil {
			return "", fmt.Errorf("build the reference CNI plugins into %s: %w", dir, err)
		}
	}
	return dir, nil
}

// Vlanraw returns a static vlanraw binary: $VLANRAW_CNI_VLANRAW, else one
// built from this module into .cache/cni/vlanraw once per test binary
// (built beside it and renamed over it, so that test binaries of other
// packages running it meanwhile see either the old or the new one).
func Vlanraw(tb testing.TB) string {
	tb.Helper()
	vrOnce.Do(func() {
		if p := os.Getenv(VlanrawEnv); p != "" {
			if _, vrErr = os.Stat(p); vrErr != nil {
				vrErr = fmt.Errorf("%s: %w", VlanrawEnv, vrErr)
			}
			vrPath = p
			return
		}
		root, err := moduleRoot()
		if err != nil {
			vrErr = err
			return
		}
		vrPath = filepath.Join(root, ".cache", "cni", "vlanraw")
		tmp := fmt.Sprintf("%s.%d", vrPath, os.Getpid())
		if err := goCmd(root, nil, "build", "-trimpath", "-o", tmp, "github.com/vlanraw/vlanraw/cmd/vlanraw"); err != nil {
			vrErr = fmt.Errorf("build vlanraw: %w", err)
			return
		}
		vrErr = os.Rename(tmp, vrPath)
	})
	if vrErr != nil {
		tb.Fatal(vrErr)
	}
	return vrPath
}

// DropIn returns a new directory in which vlanraw is installed under each
// of DropInNames (symbolic links to it) and the other programs of the
// reference directory ref (IPAM plugins, cnitool) are linked as they are.
func DropIn(tb testing.TB, vlanraw, ref string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, p := range Programs {
		target := filepath.Join(ref, p.Name)
		for _, n := range DropInNames {
			if p.Name == n {
				target = vlanraw
			}
		}
		if err := os.Symlink(target, filepath.Join(dir, p.Name)); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// UnderTest returns the plugin directory the client tests run: DropIn
// of vlanraw (the default) or, with VLANRAW_CNI_UNDER_TEST=reference,
// the reference plugins, so that the tests themselves can be checked
// against the plugins they take as the standard.
func UnderTest(tb testing.TB) string {
	tb.Helper()
	if VlanrawUnderTest(tb) {
		return DropIn(tb, Vlanraw(tb), Reference(tb))
	}
	return Reference(tb)
}

// VlanrawUnderTest reports whether UnderTest returns vlanraw's plugins
// (see UnderTestEnv).
func VlanrawUnderTest(tb testing.TB) bool {
	tb.Helper()
	switch v := os.Getenv(UnderTestEnv); v {
	case "", "vlanraw":
		return true
	case "reference":
		return false
	default:
		tb.Fatalf("%s=%q: want vlanraw or reference", UnderTestEnv, v)
		return false
	}
}

// missing returns the first of Programs that dir lacks, or "".
func missing(dir string) string {
	for _, p := range Programs {
		if _, err := os.Stat(filepath.Join(dir, p.Name)); err != nil {
			return p.Name
		}
	}
	return ""
}

// moduleRoot finds go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s and no prebuilt plugins: set %s and %s (the QEMU guest gets them from the Makefile)", dir, ReferenceEnv, VlanrawEnv)
		}
	}
}

// goCmd runs the go tool in dir with CGO_ENABLED=0 and env added.
func goCmd(dir string, env []string, args ...string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("no go tool to build with: set %s and %s to prebuilt programs", ReferenceEnv, VlanrawEnv)
	}
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, out.Bytes())
	}
	return nil
}
