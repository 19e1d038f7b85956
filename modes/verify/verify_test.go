package verify

import (
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/testenv"
)

// Shorthands for the rows the tests check directly.
const (
	ep   = expect.FromEndpoint
	wire = expect.FromWire
)

// verifyPasses runs verify on nw with the far side and fails the test
// unless every row matches; it returns the result for direct checks.
func (l *lab) verifyPasses(nw *modes.Network, reflecting bool) *Result {
	l.t.Helper()
	c := l.config(nw)
	c.Reflecting = reflecting
	res := l.run(c)
	if err := res.Err(); err != nil {
		l.t.Error(err)
	}
	if res.Checked() < 20 {
		l.t.Errorf("only %d rows checked", res.Checked())
	}
	return res
}

// TestVerifyMACVlan: verify passes for macvlan bridge, private, vepa
// and passthru, and the counts behind the verdicts are the modes'.
func TestVerifyMACVlan(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	t.Run("bridge", func(t *testing.T) {
		l := newLab(t)
		res := l.verifyPasses(l.network(modes.MACVlan, "parent=p0 macvlan_mode=bridge", 3), false)
		// Broadcasts reach the other links and the wire; unicast between
		// links goes through the parent's receive path, not out.
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 5, 5)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassBroadcast, 5)
		rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtParentIn, bpf.ClassIPv4Unicast, 10)
		rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtWire, bpf.ClassIPv4Unicast, 0)
		rowCounts(t, res, ep, expect.ProbeARPTarget, expect.AtSender, bpf.ClassARPReply, 5)
	})
	for _, mode := range []string{"private", "vepa"} {
		t.Run(mode, func(t *testing.T) {
			l := newLab(t)
			res := l.verifyPasses(l.network(modes.MACVlan, "parent=p0 macvlan_mode="+mode, 3), false)
			// Everything goes out, nothing reaches another link: the far
			// side is a veth, which sends nothing back.
			rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 0, 0)
			rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassBroadcast, 5)
			rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtWire, bpf.ClassIPv4Unicast, 10)
			rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtSockets, bpf.ClassIPv4Unicast, 0, 0)
			// From the wire, every link gets broadcasts.
			rowCounts(t, res, wire, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 5, 5, 5)
		})
	}
	t.Run("passthru", func(t *testing.T) {
		l := newLab(t)
		res := l.verifyPasses(l.network(modes.MACVlan, "parent=p0 macvlan_mode=passthru", 1), false)
		rowCounts(t, res, wire, expect.ProbeUnicast, expect.AtEndpoints, bpf.ClassIPv4Unicast, 5)
		rowCounts(t, res, wire, expect.ProbeARPTarget, expect.AtWire, bpf.ClassARPReply, 5)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassBroadcast, 5)
		if len(res.Skipped) != 2 {
			t.Errorf("skipped %v; want the two probes that need a second endpoint", res.Skipped)
		}
	})
}

// TestVerifyMACVlanHairpin: with the far side a bridge port in hairpin
// mode, vepa links reach each other through the wire, and private links
// get their own broadcasts back, and nobody else's.
func TestVerifyMACVlanHairpin(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	testenv.RequireKind(t, "bridge")
	t.Run("vepa", func(t *testing.T) {
		l := newLab(t)
		l.reflect()
		res := l.verifyPasses(l.network(modes.MACVlan, "parent=p0 macvlan_mode=vepa", 3), true)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 5, 5)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtSender, bpf.ClassBroadcast, 0)
		rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtSockets, bpf.ClassIPv4Unicast, 5, 5)
		rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtWire, bpf.ClassIPv4Unicast, 10)
	})
	t.Run("private", func(t *testing.T) {
		l := newLab(t)
		l.reflect()
		res := l.verifyPasses(l.network(modes.MACVlan, "parent=p0 macvlan_mode=private", 3), true)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 0, 0)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtSender, bpf.ClassBroadcast, 5)
	})
}

// TestVerifyIPVlan: verify passes for ipvlan l2, l3 and l3s, and the
// counts behind the verdicts are the modes', read both from the result
// and from counters of the test's own.
func TestVerifyIPVlan(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	t.Run("l2", func(t *testing.T) {
		l := newLab(t)
		res := l.verifyPasses(l.network(modes.IPVlan, "parent=p0 ipvlan_mode=l2", 3), false)
		rowCounts(t, res, wire, expect.ProbeARPUnknown, expect.AtEndpoints, bpf.ClassARPRequest, 5, 5, 5)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 5, 5)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassBroadcast, 5)
		rowCounts(t, res, wire, expect.ProbeARPTarget, expect.AtWire, bpf.ClassARPReply, 5)
		rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtParentIn, bpf.ClassIPv4Unicast, 0)
	})
	t.Run("l3", func(t *testing.T) {
		l := newLab(t)
		nw := l.network(modes.IPVlan, "parent=p0 ipvlan_mode=l3", 3)
		own, parent := l.ownCounters(nw)
		res := l.verifyPasses(nw, false)
		// The example: an ARP request from the wire reaches the
		// parent, not the endpoints.
		rowCounts(t, res, wire, expect.ProbeARPUnknown, expect.AtEndpoints, bpf.ClassARPRequest, 0, 0, 0)
		rowCounts(t, res, wire, expect.ProbeARPUnknown, expect.AtParentIn, bpf.ClassARPRequest, 5)
		rowCounts(t, res, wire, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 0, 0, 0)
		rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassBroadcast, 0)
		// ARP for an endpoint's address is handed to that endpoint
		// alone, which does not answer.
		rowCounts(t, res, ep, expect.ProbeARPTarget, expect.AtEndpoints, bpf.ClassARPRequest, 5, 0)
		rowCounts(t, res, ep, expect.ProbeARPTarget, expect.AtSender, bpf.ClassARPReply, 0)
		// The test's own counters, over the whole run: each ARP request
		// an endpoint got was one for its own address (the second
		// endpoint from the first, the first from the wire), and the
		// parent got both probes from the wire.
		for i, want := range []int{5, 5, 0} {
			if got := packets(t, own[i], bpf.ClassARPRequest); got != want {
				t.Errorf("endpoint %d: %d ARP requests over the run, want %d", i, got, want)
			}
		}
		if got := packets(t, parent, bpf.ClassARPRequest); got != 10 {
			t.Errorf("parent: %d ARP requests over the run, want 10", got)
		}
		for _, s := range res.Steps {
			if s.Step.From == ep && s.Step.Probe == expect.ProbeBroadcast && s.Refused != 5 {
				t.Errorf("broadcasts from an endpoint: %d of 5 dropped on sending, want all", s.Refused)
			}
		}
	})
	t.Run("l3s", func(t *testing.T) {
		l := newLab(t)
		nw := l.network(modes.IPVlan, "parent=p0 ipvlan_mode=l3s", 3)
		own, parent := l.ownCounters(nw)
		res := l.verifyPasses(nw, false)
		// Unicast from the wire never runs the endpoint link's receive
		// path, yet its socket gets every datagram.
		rowCounts(t, res, wire, expect.ProbeUnicast, expect.AtEndpoints, bpf.ClassIPv4Unicast, 0, 0, 0)
		rowCounts(t, res, wire, expect.ProbeUnicast, expect.AtSockets, bpf.ClassIPv4Unicast, 5, 5, 5)
		rowCounts(t, res, wire, expect.ProbeUnicast, expect.AtParentIn, bpf.ClassIPv4Unicast, 15)
		// Between endpoints, it does.
		rowCounts(t, res, ep, expect.ProbeUnicast, expect.AtEndpoints, bpf.ClassIPv4Unicast, 5, 5)
		rowCounts(t, res, wire, expect.ProbeARPTarget, expect.AtEndpoints, bpf.ClassARPRequest, 0, 0, 0)
		for i, want := range []int{0, 5, 5} {
			if got := packets(t, own[i], bpf.ClassIPv4Unicast); got != want {
				t.Errorf("endpoint %d: %d IPv4 unicast frames over the run, want %d (only those from the other endpoint)", i, got, want)
			}
		}
		if got := packets(t, parent, bpf.ClassIPv4Unicast); got != 15 {
			t.Errorf("parent: %d IPv4 unicast frames over the run, want 15", got)
		}
	})
}

// TestVerifyVLANParent: verify passes for networks on a VLAN
// sub-interface, whose frames carry the tag on the wire.
func TestVerifyVLANParent(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	for _, d := range []modes.Driver{modes.IPVlan, modes.MACVlan} {
		t.Run(string(d), func(t *testing.T) {
			testenv.RequireKind(t, string(d))
			l := newLab(t)
			res := l.verifyPasses(l.network(d, "parent=p0.50", 3), false)
			if res.VLAN != 50 {
				t.Errorf("VLAN %d, want 50", res.VLAN)
			}
			rowAtLeast(t, res, ep, expect.ProbeBroadcast, expect.AtWire, bpf.ClassVLAN, 5)
			rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtParentOut, bpf.ClassBroadcast, 5)
			// Tagged frames from the wire reach the endpoints untagged.
			rowCounts(t, res, wire, expect.ProbeBroadcast, expect.AtEndpoints, bpf.ClassBroadcast, 5, 5, 5)
			rowCounts(t, res, wire, expect.ProbeUnicast, expect.AtSockets, bpf.ClassIPv4Unicast, 5, 5, 5)
		})
	}
}

// TestVerifyNegativeControl: a network checked against another mode's
// table fails, and names the rows that tell the modes apart.
func TestVerifyNegativeControl(t *testing.T) {
	for _, tt := range []struct {
		driver     modes.Driver
		opts       string
		table      string // driver and mode of the table
		mismatched []expect.Row
	}{
		{modes.IPVlan, "parent=p0 ipvlan_mode=l3", modes.ModeL2, []expect.Row{
			{Step: expect.Step{From: wire, Probe: expect.ProbeARPUnknown}, At: expect.AtEndpoints, Class: bpf.ClassARPRequest},
			{Step: expect.Step{From: ep, Probe: expect.ProbeBroadcast}, At: expect.AtWire, Class: bpf.ClassBroadcast},
		}},
		{modes.IPVlan, "parent=p0 ipvlan_mode=l2", modes.ModeL3, []expect.Row{
			{Step: expect.Step{From: wire, Probe: expect.ProbeARPUnknown}, At: expect.AtEndpoints, Class: bpf.ClassARPRequest},
			{Step: expect.Step{From: ep, Probe: expect.ProbeIPv6Multicast}, At: expect.AtSockets, Class: bpf.ClassIPv6Multicast},
		}},
		{modes.IPVlan, "parent=p0 ipvlan_mode=l3s", modes.ModeL3, []expect.Row{
			{Step: expect.Step{From: wire, Probe: expect.ProbeUnicast}, At: expect.AtEndpoints, Class: bpf.ClassIPv4Unicast},
		}},
		{modes.MACVlan, "parent=p0 macvlan_mode=private", modes.ModeBridge, []expect.Row{
			{Step: expect.Step{From: ep, Probe: expect.ProbeBroadcast}, At: expect.AtEndpoints, Class: bpf.ClassBroadcast},
			{Step: expect.Step{From: ep, Probe: expect.ProbeUnicast}, At: expect.AtWire, Class: bpf.ClassIPv4Unicast},
		}},
	} {
		t.Run(tt.opts+" as "+tt.table, func(t *testing.T) {
			testenv.RequireKind(t, string(tt.driver))
			l := newLab(t)
			nw := l.network(tt.driver, tt.opts, 3)
			table, err := expect.ForMode(tt.driver, tt.table)
			if err != nil {
				t.Fatal(err)
			}
			c := l.config(nw)
			c.Table = table
			res := l.run(c)
			err = res.Err()
			if err == nil {
				t.Fatalf("%s checked as %s: every row matches", nw.Mode(), table.Name)
			}
			for _, want := range tt.mismatched {
				row, ok := res.Row(want.Step, want.At, want.Class)
				if !ok || row.Match {
					t.Errorf("%s: row %s matches (or is missing); want it named", table.Name, want)
				}
			}
		})
	}
}

// TestVerifyWithoutWire: without a far side, the probes from the wire
// do not run and say why; the others still pass.
func TestVerifyWithoutWire(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	l := newLab(t)
	nw := l.network(modes.MACVlan, "parent=p0 macvlan_mode=bridge", 2)
	res := l.run(Config{Network: nw, Host: l.host})
	if err := res.Err(); err != nil {
		t.Error(err)
	}
	if res.Wire != "" || len(res.Skipped) != len(expect.Probes()) {
		t.Errorf("wire %q, skipped %v; want every probe from the wire skipped", res.Wire, res.Skipped)
	}
	for _, row := range res.Rows {
		if row.At == expect.AtWire {
			t.Errorf("row %s without a wire", row.Row)
		}
		if row.Step.From == wire && row.Skipped == "" {
			t.Errorf("row %s checked without a wire", row.Row)
		}
	}
	rowCounts(t, res, ep, expect.ProbeBroadcast, expect.AtParentOut, bpf.ClassBroadcast, 5)
}
