package runtime_test

import (
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// The tests here run the engines with the plugins under test
// (testenv/cniplugins.UnderTest) on macvlan, from a thread inside a
// throwaway namespace that holds the parent: the engines, the plugins
// they run and the containers' namespaces never touch the real host's
// links.

// parentName is the master of the tests' networks.
const parentName = "rtpar0"

// newHost makes the namespace the engines run in, with parentName up.
func newHost(t *testing.T) *netns.NS {
	t.Helper()
	ns, _ := testenv.NewNetNS(t)
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: parentName, Up: true}, Peer: links.Attrs{Name: "rtpar1", Up: true}}); err != nil {
		t.Fatal(err)
	}
	return ns
}

// conflist returns a macvlan bridge conflist named name over subnet with
// host-local keeping its reservations in dataDir.
func conflist(name, subnet, dataDir string) map[string]any {
	return map[string]any{
		"cniVersion": "1.0.0",
		"name":       name,
		"plugins": []any{map[string]any{
			"type":   "macvlan",
			"master": parentName,
			"mode":   "bridge",
			"ipam":   map[string]any{"type": "host-local", "subnet": subnet, "dataDir": dataDir},
		}},
	}
}
