package clienttest

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv/cniplugins"
	"github.com/vlanraw/vlanraw/testenv/cnispec"
	"github.com/vlanraw/vlanraw/testenv/nsstate"
)

// cniVersions are the configuration versions the cnitool tests run.
var cniVersions = []string{"0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// toolCases are the drivers and modes the cnitool tests run, each with
// the reference plugin's own keys.
var toolCases = []struct{ driver, mode string }{
	{"macvlan", "bridge"},
	{"macvlan", "private"},
	{"macvlan", "vepa"},
	{"ipvlan", "l2"},
	{"ipvlan", "l3"},
	{"ipvlan", "l3s"},
}

// toolConf is the configuration of one cnitool case: host-local over
// 10.77.0.0/24 with a gateway and a default route, MTU 1400, and
// vlanraw's records in stateDir (a key the reference plugins ignore).
func toolConf(name, version, driver, mode, dataDir, stateDir string) map[string]any {
	return map[string]any{
		"cniVersion": version,
		"name":       name,
		"type":       driver,
		"master":     parentName,
		"mode":       mode,
		"mtu":        1400,
		"stateDir":   stateDir,
		"ipam": map[string]any{
			"type":    "host-local",
			"subnet":  "10.77.0.0/24",
			"gateway": "10.77.0.1",
			"routes":  []any{map[string]any{"dst": "0.0.0.0/0"}},
			"dataDir": dataDir,
		},
	}
}

// TestCNITool runs ADD, CHECK, STATUS, CHECK after an address is removed
// by hand, DEL and DEL again through cnitool for every driver, mode and
// cniVersion, and checks each result against the spec's fields and the
// kernel's state inside the namespace.
func TestCNITool(t *testing.T) {
	plugins := cniplugins.UnderTest(t)
	for _, tc := range toolCases {
		for _, v := range cniVersions {
			t.Run(fmt.Sprintf("%s-%s/%s", tc.driver, tc.mode, v), func(t *testing.T) {
				requireDriver(t, tc.driver)
				h := newHost(t)
				target, nsPath := newTarget(t)
				tool := cniplugins.NewTool(t, plugins)
				dataDir, stateDir := t.TempDir(), t.TempDir()
				name := "clients-" + tc.driver
				tool.WriteConf(t, toolConf(name, v, tc.driver, tc.mode, dataDir, stateDir))

				out, err := h.run(tool, cniplugins.Add, name, nsPath)
				if err != nil {
					t.Fatal(err)
				}
				res, err := cnispec.Decode(out)
				if err != nil {
					t.Fatalf("ADD result: %v", err)
				}
				if res.CNIVersion != v {
					t.Errorf("ADD result cniVersion %q, want the configuration's %q", res.CNIVersion, v)
				}
				addr := checkAgainstKernel(t, res, target, nsPath, tc.driver, tc.mode, 1400)
				if got := cniplugins.Reserved(t, dataDir, name); !slices.Equal(got, []string{addr.Addr().String()}) {
					t.Errorf("host-local holds %v after ADD, want [%s]", got, addr.Addr())
				}
				checkRecorded(t, stateDir, 1)

				// CHECK is in the spec from 0.4.0; libcni refuses it before.
				if v >= "0.4.0" {
					if _, err := h.run(tool, cniplugins.Check, name, nsPath); err != nil {
						t.Errorf("CHECK right after ADD: %v", err)
					}
				}
				if _, err := h.run(tool, cniplugins.Status, name, nsPath); err != nil {
					t.Errorf("STATUS: %v", err)
				}
				if v >= "0.4.0" {
					removeAddr(t, target, addr)
					_, err := h.run(tool, cniplugins.Check, name, nsPath)
					if err == nil {
						t.Errorf("CHECK succeeded after %s was removed from eth0", addr)
					} else if !strings.Contains(err.Error(), addr.Addr().String()) {
						t.Errorf("CHECK after %s was removed does not name it: %v", addr, err)
					}
				}

				for i := range 2 {
					if _, err := h.run(tool, cniplugins.Del, name, nsPath); err != nil {
						t.Fatalf("DEL %d: %v", i+1, err)
					}
				}
				st, err := nsstate.Read(target)
				if err != nil {
					t.Fatal(err)
				}
				if l := st.Link("eth0"); l != nil {
					t.Errorf("eth0 is still in the namespace after DEL: %+v", l)
				}
				if got := cniplugins.Reserved(t, dataDir, name); len(got) != 0 {
					t.Errorf("host-local still holds %v after DEL", got)
				}
				checkRecorded(t, stateDir, 0)
			})
		}
	}
}

// checkAgainstKernel checks an ADD result against the namespace: one
// interface eth0 with the namespace as its sandbox and the link's MAC;
// the link of driver in mode with mtu, up; each address on it, with the
// configured gateway; each route in the main table. It returns the
// result's first address.
func checkAgainstKernel(t *testing.T, res *cnispec.Result, target *netns.NS, nsPath, driver, mode string, mtu uint32) netip.Prefix {
	t.Helper()
	st, err := nsstate.Read(target)
	if err != nil {
		t.Fatal(err)
	}
	l := st.Link("eth0")
	if l == nil {
		t.Fatalf("no eth0 in the namespace after ADD: %+v", st.Links)
	}
	if l.Kind != driver || l.Mode != mode || l.MTU != mtu || !l.Up {
		t.Errorf("eth0 is %s mode %s mtu %d up %v, want %s mode %s mtu %d up", l.Kind, l.Mode, l.MTU, l.Up, driver, mode, mtu)
	}
	idx := slices.IndexFunc(res.Interfaces, func(i cnispec.Interface) bool { return i.Name == "eth0" })
	if idx < 0 {
		t.Fatalf("the result lists no interface eth0: %+v", res.Interfaces)
	}
	if itf := res.Interfaces[idx]; itf.Sandbox != nsPath || itf.MAC != l.MAC {
		t.Errorf("the result's eth0 has sandbox %q mac %q, want %q and the kernel's %q", itf.Sandbox, itf.MAC, nsPath, l.MAC)
	}
	if len(res.IPs) != 1 {
		t.Fatalf("the result has %d ips, want 1: %+v", len(res.IPs), res.IPs)
	}
	ip := res.IPs[0]
	p := netip.MustParsePrefix(ip.Address)
	if ip.Interface == nil || *ip.Interface != idx {
		t.Errorf("ips[0].interface is %v, want %d (eth0)", ip.Interface, idx)
	}
	if ip.Gateway != "10.77.0.1" {
		t.Errorf("ips[0].gateway is %q, want the configured 10.77.0.1", ip.Gateway)
	}
	if !slices.ContainsFunc(l.Addrs, func(a nsstate.Addr) bool { return a.Prefix == p }) {
		t.Errorf("the result's address %s is not on eth0: %+v", p, l.Addrs)
	}
	for _, r := range res.Routes {
		dst := netip.MustParsePrefix(r.Dst)
		var gw netip.Addr
		if r.GW != "" {
			gw = netip.MustParseAddr(r.GW)
		}
		found := slices.ContainsFunc(st.Routes, func(k nsstate.Route) bool {
			return k.Dst == dst && k.Dev == "eth0" && (!gw.IsValid() || k.Gateway == gw)
		})
		if !found {
			t.Errorf("the result's route %+v is not in the main table: %+v", r, st.Routes)
		}
	}
	return p
}

// removeAddr takes addr off eth0 in ns, by hand.
func removeAddr(t *testing.T, ns *netns.NS, addr netip.Prefix) {
	t.Helper()
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	l, err := h.Get("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteAddress(l.Index, addr); err != nil {
		t.Fatal(err)
	}
}

// TestCNIToolGC adds three attachments, then runs cnitool gc, which
// passes no valid attachments: every link and reservation must go.
func TestCNIToolGC(t *testing.T) {
	plugins := cniplugins.UnderTest(t)
	h := newHost(t)
	tool := cniplugins.NewTool(t, plugins)
	dataDir, stateDir := t.TempDir(), t.TempDir()
	name := "clients-gc"
	tool.WriteConf(t, toolConf(name, "1.1.0", "macvlan", "bridge", dataDir, stateDir))
	var targets []*netns.NS
	var paths []string
	for range 3 {
		ns, p := newTarget(t)
		if _, err := h.run(tool, cniplugins.Add, name, p); err != nil {
			t.Fatal(err)
		}
		targets, paths = append(targets, ns), append(paths, p)
	}
	if got := cniplugins.Reserved(t, dataDir, name); len(got) != 3 {
		t.Fatalf("host-local holds %v after three ADDs, want three addresses", got)
	}
	checkRecorded(t, stateDir, 3)
	if _, err := h.run(tool, cniplugins.GC, name, paths[0]); err != nil {
		t.Fatal(err)
	}
	if got := cniplugins.Reserved(t, dataDir, name); len(got) != 0 {
		t.Errorf("host-local still holds %v after GC with no valid attachment", got)
	}
	checkRecorded(t, stateDir, 0)
	for i, ns := range targets {
		st, err := nsstate.Read(ns)
		if err != nil {
			t.Fatal(err)
		}
		if l := st.Link("eth0"); l != nil {
			t.Errorf("attachment %d: eth0 is still there after GC: %+v", i, l)
		}
	}
}

// TestCNIToolStatusMasterDown: with the master down, vlanraw's STATUS
// fails naming it; the reference plugins' STATUS does not look at the
// master and succeeds (a documented difference, checked so that the
// test fails if either changes).
func TestCNIToolStatusMasterDown(t *testing.T) {
	plugins := cniplugins.UnderTest(t)
	h := newHost(t)
	_, nsPath := newTarget(t)
	tool := cniplugins.NewTool(t, plugins)
	name := "clients-status"
	tool.WriteConf(t, toolConf(name, "1.1.0", "macvlan", "bridge", t.TempDir(), t.TempDir()))
	if _, err := h.run(tool, cniplugins.Status, name, nsPath); err != nil {
		t.Fatalf("STATUS with the master up: %v", err)
	}
	down := false
	h.setLink(t, links.Change{Up: &down})
	_, err := h.run(tool, cniplugins.Status, name, nsPath)
	vlanraw := cniplugins.VlanrawUnderTest(t)
	switch {
	case vlanraw && (err == nil || !strings.Contains(err.Error(), parentName)):
		t.Errorf("STATUS with %s down: %v; want a failure naming it", parentName, err)
	case !vlanraw && err != nil:
		t.Errorf("the reference plugins' STATUS with %s down: %v; it used to succeed", parentName, err)
	}
}

// checkRecorded checks that vlanraw records n attachments in stateDir
// and no network left without any (an implicit network goes with its
// last attachment). The reference plugins record nothing: under them it
// checks nothing.
func checkRecorded(t *testing.T, stateDir string, n int) {
	t.Helper()
	if !cniplugins.VlanrawUnderTest(t) {
		return
	}
	attached, empty := cniplugins.Attachments(t, stateDir)
	if len(attached) != n || len(empty) != 0 {
		t.Errorf("vlanraw records attachments %q and networks without any %q, want %d attachments and no such network", attached, empty, n)
	}
}
