// Package clienttest proves vlanraw's CNI plugin with the clients its
// users run: cnitool (this package's cnitool tests, with each result
// checked against the spec's fields by testenv/cnispec) and the
// reference plugins themselves (the drop-in tests: the same example
// configurations through the reference plugins and through vlanraw
// installed under their names must leave the same kernel state). The
// plugin under test is a directory of programs (testenv/cniplugins:
// VLANRAW_CNI_UNDER_TEST chooses vlanraw, the default, or the
// reference plugins). podman and containerd's CRI are in testenv/runtime,
// whose tests run on the host only.
//
// The package has test files only. macvlan runs on the host; ipvlan
// needs a kernel with it (the QEMU harness).
package clienttest

import (
	"path/filepath"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/cniplugins"
)

// parentName is the master every configuration names: one end of a veth
// pair in the test's host namespace.
const parentName = "cnipar0"

// host is a throwaway namespace standing for the machine: it holds the
// parent link, and cnitool runs inside it.
type host struct {
	ns *netns.NS
}

// newHost makes a host namespace with parentName up.
func newHost(t *testing.T) *host {
	t.Helper()
	ns, _ := testenv.NewNetNS(t)
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: parentName, Up: true}, Peer: links.Attrs{Name: "cnipar1", Up: true}}); err != nil {
		t.Fatal(err)
	}
	return &host{ns: ns}
}

// run runs cnitool from a thread inside the host namespace.
func (h *host) run(tool *cniplugins.Tool, verb cniplugins.Verb, network, nsPath string, env ...string) ([]byte, error) {
	var out []byte
	err := h.ns.Do(func() error {
		var err error
		out, err = tool.Run(verb, network, nsPath, env...)
		return err
	})
	return out, err
}

// setLink changes the parent (to take it down, say) in the host namespace.
func (h *host) setLink(t *testing.T, c links.Change) {
	t.Helper()
	lh, err := links.Open(h.ns)
	if err != nil {
		t.Fatal(err)
	}
	defer lh.Close()
	if err := lh.Set(parentName, c); err != nil {
		t.Fatal(err)
	}
}

// newTarget makes a container namespace and returns it with its path.
func newTarget(t *testing.T) (*netns.NS, string) {
	t.Helper()
	ns, name := testenv.NewNetNS(t)
	return ns, filepath.Join("/run/netns", name)
}

// requireDriver skips where the kernel cannot create links of driver.
func requireDriver(t *testing.T, driver string) {
	t.Helper()
	testenv.RequireKind(t, driver)
}
