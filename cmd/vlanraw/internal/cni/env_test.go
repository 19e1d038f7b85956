package cni_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/cniplugins"
)

// The tests run the vlanraw binary as a CNI plugin through libcni, as
// containerd, CRI-O and podman do, with the plugin's host namespace a
// throwaway one (the plugin runs inside it: see nsExec) holding the
// master, and each container a throwaway namespace.

// pluginDir returns a CNI_PATH directory holding vlanraw under its own
// name and as ipvlan and macvlan, and host-local (cniplugins: built
// here, or in the QEMU guest shipped by make vmtest). It lives until
// TestMain removes it.
func pluginDir(t *testing.T) string {
	t.Helper()
	dirOnce.Do(func() {
		vlanraw, ref := cniplugins.Vlanraw(t), cniplugins.Reference(t)
		if dir, dirErr = os.MkdirTemp("", "vlanraw-cni-test-"); dirErr != nil {
			return
		}
		links := map[string]string{"vlanraw": vlanraw, "ipvlan": vlanraw, "macvlan": vlanraw, "host-local": filepath.Join(ref, "host-local")}
		for name, target := range links {
			if dirErr = os.Symlink(target, filepath.Join(dir, name)); dirErr != nil {
				return
			}
		}
	})
	if dirErr != nil {
		t.Fatal(dirErr)
	}
	return dir
}

var (
	dirOnce sync.Once
	dir     string
	dirErr  error
)

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == prevName {
		os.Exit(prevMain())
	}
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// nsExec runs the plugins inside the host namespace of a test.
type nsExec struct {
	invoke.DefaultExec
	ns *netns.NS
}

func (e *nsExec) ExecPlugin(ctx context.Context, path string, stdin []byte, env []string) ([]byte, error) {
	var out []byte
	err := e.ns.Do(func() error {
		var err error
		out, err = e.RawExec.ExecPlugin(ctx, path, stdin, env)
		return err
	})
	return out, err
}

// world is a test's host namespace with its master, the CNI client and
// the directories the plugin and host-local keep their state in.
type world struct {
	t        *testing.T
	host     *netns.NS
	hostName string
	cni      *libcni.CNIConfig
	stateDir string
	ipamDir  string
	master   string
}

// newWorld makes a host namespace with a master link m0 (one end of a
// veth pair), up.
func newWorld(t *testing.T) *world {
	t.Helper()
	testenv.RequireRoot(t)
	host, name := testenv.NewNetNS(t)
	w := &world{t: t, host: host, hostName: name, stateDir: t.TempDir(), ipamDir: t.TempDir(), master: "m0"}
	h := w.handle(host)
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "m0", Up: true}, Peer: links.Attrs{Name: "m0p", Up: true}}); err != nil {
		t.Fatalf("create the master: %v", err)
	}
	exe := &nsExec{DefaultExec: invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: os.Stderr}}, ns: host}
	w.cni = libcni.NewCNIConfigWithCacheDir([]string{pluginDir(t)}, t.TempDir(), exe)
	return w
}

// handle opens a links handle in ns, closed when the test ends.
func (w *world) handle(ns *netns.NS) *links.Handle {
	w.t.Helper()
	h, err := links.Open(ns)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { h.Close() })
	return h
}

// container is a container's namespace.
type container struct {
	ns   *netns.NS
	path string
	id   string
}

// newContainer makes a namespace for a container, deleted when the test
// ends unless the test deleted it (see deleteNS).
func (w *world) newContainer() *container {
	w.t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := "vrcni-" + hex.EncodeToString(b)
	ns, err := netns.Add(name)
	if err != nil {
		w.t.Fatal(err)
	}
	c := &container{ns: ns, path: "/run/netns/" + name, id: "ctr-" + name}
	w.t.Cleanup(func() {
		c.ns.Close()
		if err := netns.Delete(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			w.t.Errorf("delete %s: %v", name, err)
		}
	})
	return c
}

// rt returns the runtime configuration of c's attachment as eth0.
func (c *container) rt() *libcni.RuntimeConf {
	return &libcni.RuntimeConf{ContainerID: c.id, NetNS: c.path, IfName: "eth0",
		Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "default"}, {"K8S_POD_NAME", c.id}}}
}

// conflist returns a conflist of one plugin, conf, with name, cniVersion
// and the world's state directories filled in unless given.
func (w *world) conflist(version string, conf map[string]any) *libcni.NetworkConfigList {
	w.t.Helper()
	if _, ok := conf["stateDir"]; !ok {
		conf["stateDir"] = w.stateDir
	}
	if ipam, ok := conf["ipam"].(map[string]any); ok && ipam["type"] == "host-local" {
		ipam["dataDir"] = w.ipamDir
	}
	list := map[string]any{"cniVersion": version, "name": "testnet", "plugins": []any{conf}}
	b, err := json.Marshal(list)
	if err != nil {
		w.t.Fatal(err)
	}
	cl, err := libcni.NetworkConfFromBytes(b)
	if err != nil {
		w.t.Fatalf("conflist %s: %v", b, err)
	}
	return cl
}

// hostLocal returns a host-local IPAM section on 10.50.0.0/24 with
// gateway 10.50.0.1.
func hostLocal() map[string]any {
	return map[string]any{"type": "host-local", "ranges": []any{[]any{map[string]any{
		"subnet": "10.50.0.0/24", "rangeStart": "10.50.0.10", "rangeEnd": "10.50.0.200", "gateway": "10.50.0.1"}}}}
}

// kernelLink is what the kernel reports of a container's link.
type kernelLink struct {
	link   *links.Link
	addrs  []netip.Prefix
	routes []links.Route
}

// inspect reads c's link name from the kernel, inside c's namespace.
func (w *world) inspect(c *container, name string) (*kernelLink, error) {
	h, err := links.Open(c.ns)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	l, err := h.Get(name)
	if err != nil {
		return nil, err
	}
	k := &kernelLink{link: l}
	if k.addrs, err = h.Addresses(l.Index); err != nil {
		return nil, err
	}
	if k.routes, err = h.Routes(l.Index); err != nil {
		return nil, err
	}
	return k, nil
}

// linkCount returns how many links c's namespace has besides lo.
func (w *world) linkCount(c *container) int {
	w.t.Helper()
	h := w.handle(c.ns)
	ls, err := h.List("")
	if err != nil {
		w.t.Fatal(err)
	}
	return len(slices.DeleteFunc(ls, func(l links.Link) bool { return l.Name == "lo" }))
}

// sysctl reads a /proc/sys/net value inside ns.
func sysctl(t *testing.T, ns *netns.NS, path string) string {
	t.Helper()
	var v []byte
	err := ns.Do(func() error {
		var err error
		v, err = os.ReadFile("/proc/sys/net/" + path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(v))
}

// reservations returns the addresses host-local holds for the network.
func (w *world) reservations() []string {
	w.t.Helper()
	return cniplugins.Reserved(w.t, w.ipamDir, "testnet")
}

// asCurrent converts a result of any version to 1.0.0's.
func asCurrent(t *testing.T, r types.Result) *current.Result {
	t.Helper()
	c, err := current.NewResultFromResult(r)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cniCode returns the code of a plugin's error, 0 if it is none.
func cniCode(err error) uint {
	var e *types.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// linksDown returns a change that sets a link's state to *up.
func linksDown(up *bool) links.Change { return links.Change{Up: up} }

// deleteNS deletes the named namespace of c, and closes c's handle on
// it, so that the kernel deletes it and its links.
func deleteNS(t *testing.T, c *container) {
	t.Helper()
	c.ns.Close()
	if err := netns.Delete(strings.TrimPrefix(c.path, "/run/netns/")); err != nil {
		t.Fatal(err)
	}
}
