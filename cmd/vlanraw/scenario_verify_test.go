package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/modes/verify"
	"github.com/vlanraw/vlanraw/testenv"
)

// verifyWorld is a network with three endpoints behind parent p0, whose
// veth peer eth0 is the far side, in namespace far.
type verifyWorld struct {
	*world
	far string
	net string
}

// newVerifyWorld creates the network with `network create` options opts
// (an IPv4 and an IPv6 subnet are added) and connects three namespaces.
func newVerifyWorld(t *testing.T, opts string) *verifyWorld {
	t.Helper()
	w := newWorld(t)
	v := &verifyWorld{world: w, far: w.uplink("p0"), net: "vnet"}
	w.vr("network create --subnet 10.88.0.0/24 --subnet fd88::/64 " + opts + " " + v.net)
	for range 3 {
		ns, _ := w.endpoint()
		w.connect(v.net, ns)
	}
	return v
}

// verify runs `vlanraw verify` on the network with the far side and the
// extra words, and returns the exit code, the parsed JSON result and
// stderr.
func (v *verifyWorld) verify(extra ...string) (int, *verify.Result, string) {
	v.t.Helper()
	args := v.args(append([]string{"verify", v.net, "--wire-netns", v.far, "--wire-dev", "eth0", "-j"}, extra...)...)
	code, stdout, stderr := runCLI(args...)
	if code == exitUsage {
		v.t.Fatalf("vlanraw %s: exit 2: %s", strings.Join(args, " "), stderr)
	}
	var res verify.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		v.t.Fatalf("vlanraw %s: exit %d, stdout %q is not a result: %v; stderr %s", strings.Join(args, " "), code, stdout, err, stderr)
	}
	return code, &res, stderr
}

// passes runs verify, fails the test unless it exits 0, and returns the
// result for direct checks.
func (v *verifyWorld) passes(extra ...string) *verify.Result {
	v.t.Helper()
	code, res, stderr := v.verify(extra...)
	if code != exitOK || !res.OK() || stderr != "" {
		v.t.Errorf("verify: exit %d, %d mismatches, stderr %s", code, len(res.Mismatches()), stderr)
	}
	return res
}

// observed checks the counts one row of res observed.
func observed(t *testing.T, res *verify.Result, from expect.Origin, p expect.Probe, at expect.Point, c bpf.Class, want ...int) {
	t.Helper()
	s := expect.Step{From: from, Probe: p}
	row, ok := res.Row(s, at, c)
	if !ok {
		t.Errorf("%s: no row for %s at %s", s, c, at)
		return
	}
	if !slices.Equal(row.Observed, want) {
		t.Errorf("%s: %s at the %s: observed %v, want %v", s, c, at, row.Observed, want)
	}
}

// TestScenarioVerifyIPVlan: `vlanraw verify` passes for ipvlan l2, l3
// and l3s networks; the counts that tell them apart are checked here too.
func TestScenarioVerifyIPVlan(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	wire, ep := expect.FromWire, expect.FromEndpoint
	t.Run("l2", func(t *testing.T) {
		res := newVerifyWorld(t, "-d ipvlan -o parent=p0").passes()
		if res.Table != "ipvlan l2" {
			t.Errorf("table %q", res.Table)
		}
		observed(t, res, wire, expect.ProbeARPUnknown, expect.AtEndpoints, bpf.ClassARPRequest, 5, 5, 5)
		observed(t, res, ep, expect.ProbeIPv6Multicast, expect.AtSockets, bpf.ClassIPv6Multicast, 5, 5)
	})
	t.Run("l3", func(t *testing.T) {
		res := newVerifyWorld(t, "-d ipvlan -o parent=p0 -o ipvlan_mode=l3").passes()
		observed(t, res, wire, expect.ProbeARPUnknown, expect.AtEndpoints, bpf.ClassARPRequest, 0, 0, 0)
		observed(t, res, wire, expect.ProbeARPUnknown, expect.AtParentIn, bpf.ClassARPRequest, 5)
		observed(t, res, ep, expect.ProbeIPv6Multicast, expect.AtSockets, bpf.ClassIPv6Multicast, 0, 0)
	})
	t.Run("l3s", func(t *testing.T) {
		res := newVerifyWorld(t, "-d ipvlan -o parent=p0 -o ipvlan_mode=l3s").passes()
		observed(t, res, wire, expect.ProbeUnicast, expect.AtEndpoints, bpf.ClassIPv4Unicast, 0, 0, 0)
		observed(t, res, wire, expect.ProbeUnicast, expect.AtSockets, bpf.ClassIPv4Unicast, 5, 5, 5)
	})
}

// TestScenarioVerifyMACVlan: `vlanraw verify` passes for macvlan bridge,
// private and vepa networks, and vepa behaves as private behind a far
// side that sends nothing back.
func TestScenarioVerifyMACVlan(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	ep := expect.FromEndpoint
	for _, tt := range []struct {
		mode      string
		bcast     []int // broadcasts from the first endpoint at the others
		unicastIn int   // unicast between endpoints through the parent's receive path
	}{
		{"bridge", []int{5, 5}, 10},
		{"private", []int{0, 0}, 0},
		{"vepa", []int{0, 0}, 0},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			res := newVerifyWorld(t, "-d macvlan -o parent=p0 -o macvlan_mode="+tt.mode).passes()
			if res.Table != "macvlan "+tt.mode {
				t.Errorf("table %q", res.Table)
			}
			observed(t, res, ep, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, tt.bcast...)
			observed(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassBroadcast, 5)
			observed(t, res, ep, expect.ProbeUnicast, expect.AtParentIn, bpf.ClassIPv4Unicast, tt.unicastIn)
		})
	}
}

// TestScenarioVerifyVLAN: `vlanraw verify` passes for a network on a
// VLAN sub-interface that network create made; the far side sees the
// tag.
func TestScenarioVerifyVLAN(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	testenv.RequireKind(t, "ipvlan")
	res := newVerifyWorld(t, "-d ipvlan -o parent=p0.50").passes()
	if res.VLAN != 50 || res.Parent != "p0.50" {
		t.Errorf("parent %s, VLAN %d; want p0.50, 50", res.Parent, res.VLAN)
	}
	row, ok := res.Row(expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeBroadcast}, expect.AtWire, bpf.ClassVLAN)
	if !ok || len(row.Observed) != 1 || row.Observed[0] < 5 {
		t.Errorf("broadcasts from an endpoint, tagged at the wire: %+v; want at least 5", row)
	}
	observed(t, res, expect.FromWire, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 5, 5, 5)
}

// TestScenarioVerifyNegativeControl: checked against another mode's
// table (--expect), a network fails with exit 1, and the rows that tell
// the modes apart are named on stderr.
func TestScenarioVerifyNegativeControl(t *testing.T) {
	for _, tt := range []struct {
		kind, opts, expect string
		named              []string
	}{
		{"ipvlan", "-d ipvlan -o parent=p0 -o ipvlan_mode=l3", "l2", []string{
			"network vnet is not ipvlan l2",
			"ipvlan l2: ARP request for an unknown address from the wire, ARP request at the endpoints: expected",
			"ipvlan l2: L2 broadcast (ethertype 0x88b5) from an endpoint, broadcast at the wire: expected 5, observed 0",
		}},
		{"macvlan", "-d macvlan -o parent=p0 -o macvlan_mode=private", "macvlan/bridge", []string{
			"network vnet is not macvlan bridge",
			"macvlan bridge: IPv4 unicast (UDP to each endpoint) from an endpoint, IPv4 unicast at the wire: expected 0, observed 10",
		}},
	} {
		t.Run(tt.expect, func(t *testing.T) {
			testenv.RequireKind(t, tt.kind)
			v := newVerifyWorld(t, tt.opts)
			code, res, stderr := v.verify("--expect", tt.expect)
			if code != exitRuntime || res.OK() {
				t.Fatalf("exit %d, %d mismatches; want exit 1 and mismatches", code, len(res.Mismatches()))
			}
			for _, want := range tt.named {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestScenarioVerifyText: without a far side, the text table shows the
// probes from the endpoint, and says the probes from the wire did not
// run and why.
func TestScenarioVerifyText(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	v := newVerifyWorld(t, "-d macvlan -o parent=p0")
	out := v.vr("verify " + v.net)
	for _, want := range []string{
		"macvlan bridge: a switch",
		"network vnet, parent p0, no far side",
		"L2 broadcast (ethertype 0x88b5) from an endpoint\n",
		"not run: ARP request for an unknown address from the wire: no far side given",
		"macvlan bridge: all ",
		" rows checked match",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestVerifyBadWords: mistakes on the verify command line are usage
// errors (exit 2) that reach nothing, naming the bad word.
func TestVerifyBadWords(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		line, want string
	}{
		{"verify", "one network"},
		{"verify a b", "one network"},
		{"verify a --wire-netns far", "--wire-dev go together"},
		{"verify a --wire-dev eth0", "go together"},
		{"verify a --wire-hairpin", "needs the far side"},
		{"verify a --copies 0", "--copies 0"},
		{"verify a --counters xdp", `"xdp"`},
		{"verify a --frob", "--frob"},
	} {
		code, stdout, stderr := runCLI(append([]string{"--state-dir", dir}, strings.Fields(tt.line)...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.line, code, stdout, stderr, tt.want)
		}
	}
}

// TestVerifyHelp checks that the help of verify mentions every flag, and
// that "verify help" and "verify -h" print it.
func TestVerifyHelp(t *testing.T) {
	code, help, _ := runCLI("help", "verify")
	if code != exitOK {
		t.Fatalf("help verify: exit %d", code)
	}
	var o verifyOptions
	newVerifyFlags(&env{}, &o).VisitAll(func(f *pflag.Flag) {
		if !mentions(help, "--"+f.Name) {
			t.Errorf("help verify does not mention --%s", f.Name)
		}
	})
	for _, w := range []string{"auto", "tcx", "cls_bpf", "l2", "l3s", "vepa", "passthru", "NETWORK"} {
		if !mentions(help, w) {
			t.Errorf("help verify does not mention %q", w)
		}
	}
	for _, args := range [][]string{{"verify", "help"}, {"verify", "-h"}} {
		if code, out, _ := runCLI(args...); code != exitOK || out != help {
			t.Errorf("vlanraw %s: exit %d and a different text", strings.Join(args, " "), code)
		}
	}
}
