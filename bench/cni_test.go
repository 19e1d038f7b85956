package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// The CNI plugins are comparison peers, never linked into vlanraw: they are
// built with `go install` from the module proxy into .cache/cni/bin.
// One `go install` per module (go install pkg@version takes one module).
var cniPackages = [][]string{
	{"github.com/containernetworking/plugins/plugins/main/macvlan@latest",
		"github.com/containernetworking/plugins/plugins/main/ipvlan@latest",
		"github.com/containernetworking/plugins/plugins/ipam/host-local@latest"},
	{"github.com/containernetworking/cni/cnitool@latest"},
}

// cniPeer runs cnitool against one network configuration.
type cniPeer struct {
	bin     string // CNI_PATH, holding the plugins and cnitool
	confDir string // NETCONFPATH
	name    string // network name
}

// cniEnv names a directory holding cnitool and the macvlan, ipvlan and
// host-local plugins, for a run without the Go toolchain (inside the QEMU
// harness: add the directory with VLANRAW_VMTEST_EXTRA and name it here).
const cniEnv = "VLANRAW_BENCH_CNI"

// cniTools are the programs the CNI peer needs.
var cniTools = []string{"cnitool", "macvlan", "ipvlan", "host-local"}

// moduleRoot finds the module root above the working directory.
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// missingCNI returns the first of cniTools that bin lacks.
func missingCNI(bin string) string {
	for _, p := range cniTools {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			return p
		}
	}
	return ""
}

// installCNI returns the directory of the CNI peers: $VLANRAW_BENCH_CNI,
// else .cache/cni/bin at the module root, where they are built with go
// install when missing. Without either it skips.
func installCNI(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv(cniEnv); bin != "" {
		if p := missingCNI(bin); p != "" {
			tb.Fatalf("%s=%s has no %s", cniEnv, bin, p)
		}
		return bin
	}
	root, ok := moduleRoot()
	if !ok {
		tb.Skip("go.mod not found above the working directory: set " + cniEnv + " to a directory of prebuilt CNI peers")
	}
	bin := filepath.Join(root, ".cache", "cni", "bin")
	if missingCNI(bin) == "" {
		return bin
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("the CNI peers are built with the go tool, which is not installed: set " + cniEnv + " to prebuilt ones")
	}
	for _, pkgs := range cniPackages {
		cmd := exec.Command(gobin, append([]string{"install"}, pkgs...)...)
		cmd.Env = append(os.Environ(), "GOBIN="+bin, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("install the CNI peers: %v\n%s", err, out)
		}
	}
	return bin
}

// newCNIPeer writes a network configuration for plugin ("macvlan" or
// "ipvlan") on master with host-local IPAM over subnet.
func newCNIPeer(tb testing.TB, plugin, master, subnet string) *cniPeer {
	tb.Helper()
	p := &cniPeer{bin: installCNI(tb), confDir: tb.TempDir(), name: "bench-" + plugin}
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       p.name,
		"type":       plugin,
		"master":     master,
		"ipam": map[string]any{
			"type":    "host-local",
			"subnet":  subnet,
			"dataDir": tb.TempDir(),
		},
	}
	if plugin == "macvlan" {
		conf["mode"] = "bridge"
	} else {
		conf["mode"] = "l2"
	}
	b, err := json.Marshal(conf)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.confDir, p.name+".conf"), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// run runs `cnitool add|del NAME NETNS` and returns its wall time. It
// returns errors rather than ending the benchmark, since it runs on a
// thread of the host namespace (netns.NS.Do), not the benchmark's own
// goroutine.
func (p *cniPeer) run(op, netnsPath string) (time.Duration, error) {
	cmd := exec.Command(filepath.Join(p.bin, "cnitool"), op, p.name, netnsPath)
	cmd.Env = append(os.Environ(), "CNI_PATH="+p.bin, "NETCONFPATH="+p.confDir, "CNI_IFNAME=eth0")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("cnitool %s %s: %w\n%s", op, netnsPath, err, strings.TrimSpace(string(out)))
	}
	return d, nil
}

// timed returns a function that runs cnitool op from a thread inside the
// host namespace (so that it pays no `ip netns exec`) and returns its
// wall time.
func (p *cniPeer) timed(b *testing.B, host *netns.NS, op, netnsPath string) func() time.Duration {
	return func() time.Duration {
		var d time.Duration
		if err := host.Do(func() (err error) {
			d, err = p.run(op, netnsPath)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		return d
	}
}
