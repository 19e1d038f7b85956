package bench

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// repoRoot finds the module root from the package directory.
func repoRoot(tb testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

// installCNI builds the CNI plugins and cnitool once into .cache/cni/bin.
func installCNI(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(repoRoot(tb), ".cache", "cni", "bin")
	missing := false
	for _, p := range []string{"cnitool", "macvlan", "ipvlan", "host-local"} {
		if _, err := os.Stat(filepath.Join(bin, p)); err != nil {
			missing = true
		}
	}
	if !missing {
		return bin
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("the CNI peers are built with the go tool, which is not installed")
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

// run runs `cnitool add|del NAME NETNS` and returns its wall time.
func (p *cniPeer) run(tb testing.TB, op, netnsPath string) time.Duration {
	tb.Helper()
	cmd := exec.Command(filepath.Join(p.bin, "cnitool"), op, p.name, netnsPath)
	cmd.Env = append(os.Environ(), "CNI_PATH="+p.bin, "NETCONFPATH="+p.confDir, "CNI_IFNAME=eth0")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		tb.Fatalf("cnitool %s %s: %v\n%s", op, netnsPath, err, strings.TrimSpace(string(out)))
	}
	return d
}
