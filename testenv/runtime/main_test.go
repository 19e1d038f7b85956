package runtime_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
	"github.com/vlanraw/vlanraw/testenv/cniplugins"
	"github.com/vlanraw/vlanraw/testenv/nsstate"
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
// host-local keeping its reservations in dataDir and vlanraw its records
// in stateDir (a key the reference plugin ignores).
func conflist(name, subnet, dataDir, stateDir string) map[string]any {
	return map[string]any{
		"cniVersion": "1.0.0",
		"name":       name,
		"plugins": []any{map[string]any{
			"type":     "macvlan",
			"master":   parentName,
			"mode":     "bridge",
			"stateDir": stateDir,
			"ipam":     map[string]any{"type": "host-local", "subnet": subnet, "dataDir": dataDir},
		}},
	}
}

// checkRecorded checks that vlanraw records exactly the attachments of
// containerIDs in stateDir and no network left without any. The
// reference plugins record nothing: under them it checks nothing.
func checkRecorded(t *testing.T, stateDir string, containerIDs ...string) {
	t.Helper()
	if !cniplugins.VlanrawUnderTest(t) {
		return
	}
	attached, empty := cniplugins.Attachments(t, stateDir)
	ok := len(attached) == len(containerIDs) && len(empty) == 0
	for _, id := range containerIDs {
		ok = ok && slices.ContainsFunc(attached, func(a string) bool { return strings.Contains(a, " "+id+" ") })
	}
	if !ok {
		t.Errorf("vlanraw records attachments %q and networks without any %q, want those of %q only", attached, empty, containerIDs)
	}
}

// checkNoMACVlan checks that no macvlan link is left in the host
// namespace, where the engines run: the containers' links went with
// their namespaces, and none was left behind half made.
func checkNoMACVlan(t *testing.T, host *netns.NS) {
	t.Helper()
	st, err := nsstate.Read(host)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range st.Links {
		if l.Kind == "macvlan" {
			t.Errorf("macvlan %s is left in the host namespace: %+v", l.Name, l)
		}
	}
}
