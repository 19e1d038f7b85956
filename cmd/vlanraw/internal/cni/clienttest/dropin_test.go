package clienttest

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vlanraw/vlanraw/testenv/cniplugins"
	"github.com/vlanraw/vlanraw/testenv/cnispec"
	"github.com/vlanraw/vlanraw/testenv/nsstate"
)

// dropInCases are the reference plugins' own example configurations
// (their READMEs), changed only where a test must: master names the
// test's parent, host-local keeps its dataDir and vlanraw its stateDir
// in the test's directory,
// and the static example's gateways are moved into its subnets (the
// README's 10.10.5.1 and 3ffe:ffff:0::1 are not on-link, so the
// reference plugin itself fails to add its routes).
var dropInCases = []struct {
	name, driver string
	conf         string
}{
	{"macvlan-bridge-host-local", "macvlan", `{"cniVersion": "1.0.0", "name": "mynet", "type": "macvlan", "master": "MASTER", "mode": "bridge",
		"ipam": {"type": "host-local", "subnet": "10.1.2.0/24", "dataDir": "DATADIR"}}`},
	{"ipvlan-l2-host-local", "ipvlan", `{"cniVersion": "1.0.0", "name": "mynet", "type": "ipvlan", "master": "MASTER",
		"ipam": {"type": "host-local", "subnet": "10.1.2.0/24", "dataDir": "DATADIR"}}`},
	{"ipvlan-l3-host-local", "ipvlan", `{"cniVersion": "1.0.0", "name": "mynet", "type": "ipvlan", "master": "MASTER", "mode": "l3",
		"ipam": {"type": "host-local", "subnet": "10.1.2.0/24", "dataDir": "DATADIR"}}`},
	{"macvlan-static", "macvlan", `{"cniVersion": "1.0.0", "name": "mynet", "type": "macvlan", "master": "MASTER",
		"ipam": {"type": "static",
			"addresses": [{"address": "10.10.0.1/24", "gateway": "10.10.0.254"}, {"address": "3ffe:ffff:0:01ff::1/64", "gateway": "3ffe:ffff:0:01ff::fffe"}],
			"routes": [{"dst": "0.0.0.0/0"}, {"dst": "192.168.0.0/16", "gw": "10.10.0.253"}, {"dst": "3ffe:ffff:0:02ff::/64"}],
			"dns": {"nameservers": ["8.8.8.8"], "domain": "example.com", "search": ["example.com"]}}}`},
}

// TestDropIn runs each example configuration through the reference
// plugin and through the plugins under test installed under the same
// name, each into a fresh namespace, and compares the kernel state in
// the namespaces and the results. The fields allowed to differ, each
// checked on its own before it is set aside (normalize), are:
//
//   - interfaces[].sandbox: each run names its own namespace;
//   - for macvlan, the link's MAC (the result's interfaces[].mac and the
//     kernel's) and the IPv6 link-local address derived from it: the
//     kernel picks a random MAC for each macvlan.
//
// The other differences the cni package documents (vlanraw's mark in
// the link's ifalias and group, IPv6 addresses added without duplicate
// address detection, the state directory's record) are outside what
// nsstate reads; everything it reads (link kind, mode, flags, MTU, MAC
// of ipvlan links, addresses, routes with their scope and protocol,
// arp_notify, ndisc_notify, disable_ipv6, keep_addr_on_down) must match.
//
// Then DEL must leave both namespaces alike again.
func TestDropIn(t *testing.T) {
	ref := cniplugins.Reference(t)
	candidate := cniplugins.UnderTest(t)
	for _, tc := range dropInCases {
		t.Run(tc.name, func(t *testing.T) {
			requireDriver(t, tc.driver)
			h := newHost(t)
			want := runDropIn(t, h, ref, tc.conf, tc.driver)
			got := runDropIn(t, h, candidate, tc.conf, tc.driver)
			if d := cmp.Diff(want.state, got.state, addrs); d != "" {
				t.Errorf("kernel state in the namespace, reference (-) against the plugins under test (+):\n%s", d)
			}
			if d := cmp.Diff(want.result, got.result); d != "" {
				t.Errorf("ADD result, reference (-) against the plugins under test (+):\n%s", d)
			}
			if d := cmp.Diff(want.afterDel, got.afterDel, addrs); d != "" {
				t.Errorf("kernel state after DEL, reference (-) against the plugins under test (+):\n%s", d)
			}
		})
	}
}

// addrs compares netip values by ==.
var addrs = cmpopts.EquateComparable(netip.Prefix{}, netip.Addr{})

// dropInRun is what one plugin directory left: the namespace's state and
// the result after ADD, and the state after DEL.
type dropInRun struct {
	state    *nsstate.State
	result   *cnispec.Result
	afterDel *nsstate.State
}

// runDropIn runs ADD then DEL of conf through plugins into a fresh
// namespace, with host-local's data in a fresh directory.
func runDropIn(t *testing.T, h *host, plugins, confTemplate, driver string) dropInRun {
	t.Helper()
	var conf map[string]any
	if err := json.Unmarshal([]byte(confTemplate), &conf); err != nil {
		t.Fatal(err)
	}
	conf["master"] = parentName
	conf["stateDir"] = t.TempDir() // vlanraw's records; the reference ignores it
	if ipam, ok := conf["ipam"].(map[string]any); ok && ipam["dataDir"] != nil {
		ipam["dataDir"] = t.TempDir()
	}
	tool := cniplugins.NewTool(t, plugins)
	tool.WriteConf(t, conf)
	target, nsPath := newTarget(t)
	out, err := h.run(tool, cniplugins.Add, "mynet", nsPath)
	if err != nil {
		t.Fatal(err)
	}
	var run dropInRun
	if run.result, err = cnispec.Decode(out); err != nil {
		t.Fatalf("ADD result of %s: %v", plugins, err)
	}
	if run.state, err = nsstate.Read(target); err != nil {
		t.Fatal(err)
	}
	normalize(t, &run, nsPath, driver)
	if _, err := h.run(tool, cniplugins.Del, "mynet", nsPath); err != nil {
		t.Fatal(err)
	}
	if run.afterDel, err = nsstate.Read(target); err != nil {
		t.Fatal(err)
	}
	return run
}

// normalize checks the fields that differ from run to run against their
// own namespace and clears them (see TestDropIn).
func normalize(t *testing.T, run *dropInRun, nsPath, driver string) {
	t.Helper()
	macs := map[string]string{}
	for i := range run.state.Links {
		l := &run.state.Links[i]
		macs[l.Name] = l.MAC
		if l.Kind != "macvlan" || driver != "macvlan" {
			continue
		}
		l.MAC = ""
		for j := range l.Addrs {
			if a := &l.Addrs[j]; a.Prefix.Addr().IsLinkLocalUnicast() {
				a.Prefix = netip.PrefixFrom(netip.MustParseAddr("fe80::"), a.Prefix.Bits())
			}
		}
	}
	for i := range run.result.Interfaces {
		itf := &run.result.Interfaces[i]
		if itf.Sandbox != nsPath {
			t.Errorf("interfaces[%d].sandbox %q, want %q", i, itf.Sandbox, nsPath)
		}
		if itf.MAC != macs[itf.Name] {
			t.Errorf("interfaces[%d].mac %q, but the kernel's %s has %q", i, itf.MAC, itf.Name, macs[itf.Name])
		}
		itf.Sandbox = "NETNS"
		if driver == "macvlan" {
			itf.MAC = "MAC"
		}
	}
}
