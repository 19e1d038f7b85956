package verify

import (
	"slices"
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// counts returns bpf.Counts with n packets in class c, and vlan tagged
// frames with id 50.
func counts(c bpf.Class, n, vlan uint64) bpf.Counts {
	var k bpf.Counts
	k.Class[c].Packets = n
	if vlan > 0 {
		k.Class[bpf.ClassVLAN].Packets = vlan
		k.VLAN = map[uint16]bpf.Count{50: {Packets: vlan}}
	}
	return k
}

// TestEvaluate checks the expected and observed counts of rows, and the
// verdict, against made-up counter deltas.
func TestEvaluate(t *testing.T) {
	w := testWorld(3)
	arpTarget := w.plan(expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeARPTarget}, 0)
	unicast := w.plan(expect.Step{From: expect.FromWire, Probe: expect.ProbeUnicast}, 0)
	skipped := &stepPlan{step: arpTarget.step, skip: "because"}
	d := &snapshot{
		endpoints: []bpf.Counts{
			counts(bpf.ClassARPReply, 5, 0),
			counts(bpf.ClassARPRequest, 5, 0),
			counts(bpf.ClassARPRequest, 0, 0),
		},
		parentIn:  counts(bpf.ClassIPv4Unicast, 15, 0),
		parentOut: counts(bpf.ClassARPRequest, 7, 0),
		wire:      counts(bpf.ClassOther, 0, 6),
	}
	grams := func(i int) int { return []int{5, 5, 4}[i] }
	o := observed{delta: d, datagrams: grams}
	row := func(s *stepPlan, at expect.Point, c bpf.Class, share expect.Share, atLeast bool) expect.Row {
		return expect.Row{Step: s.step, At: at, Class: c, Want: expect.Want{Share: share, AtLeast: atLeast}}
	}
	for _, tt := range []struct {
		name      string
		row       expect.Row
		plan      *stepPlan
		expected  []int
		observed  []int
		endpoints []string
		match     bool
		skipped   bool
	}{
		{"l3 arp: target only", row(arpTarget, expect.AtEndpoints, bpf.ClassARPRequest, expect.ShareAddressed, false), arpTarget, []int{5, 0}, []int{5, 0}, []string{"b", "c"}, true, false},
		{"l2 arp: all, c got none", row(arpTarget, expect.AtEndpoints, bpf.ClassARPRequest, expect.ShareAll, false), arpTarget, []int{5, 5}, []int{5, 0}, []string{"b", "c"}, false, false},
		{"sender reply", row(arpTarget, expect.AtSender, bpf.ClassARPReply, expect.ShareAll, false), arpTarget, []int{5}, []int{5}, nil, true, false},
		{"none at sender, 5 seen", row(arpTarget, expect.AtSender, bpf.ClassARPReply, expect.ShareNone, false), arpTarget, []int{0}, []int{5}, nil, false, false},
		{"exact: 7 is not 5", row(arpTarget, expect.AtParentOut, bpf.ClassARPRequest, expect.ShareAll, false), arpTarget, []int{5}, []int{7}, nil, false, false},
		{"at least: 7 is 5 or more", row(arpTarget, expect.AtParentOut, bpf.ClassARPRequest, expect.ShareAll, true), arpTarget, []int{5}, []int{7}, nil, true, false},
		{"tagged", row(arpTarget, expect.AtWire, bpf.ClassVLAN, expect.ShareAll, true), arpTarget, []int{5}, []int{6}, nil, true, false},
		{"parent in, every frame", row(unicast, expect.AtParentIn, bpf.ClassIPv4Unicast, expect.ShareAll, false), unicast, []int{15}, []int{15}, nil, true, false},
		{"sockets, one short", row(unicast, expect.AtSockets, bpf.ClassIPv4Unicast, expect.ShareAddressed, false), unicast, []int{5, 5, 5}, []int{5, 5, 4}, []string{"a", "b", "c"}, false, false},
		{"skipped step", row(skipped, expect.AtSender, bpf.ClassARPReply, expect.ShareAll, false), skipped, nil, nil, nil, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := evaluate(tt.row, tt.plan, o, w.endpoints, 50)
			if !slices.Equal(r.Expected, tt.expected) || !slices.Equal(r.Observed, tt.observed) || !slices.Equal(r.Endpoints, tt.endpoints) {
				t.Errorf("expected %v observed %v at %v; want %v, %v at %v", r.Expected, r.Observed, r.Endpoints, tt.expected, tt.observed, tt.endpoints)
			}
			if r.Match != tt.match || (r.Skipped != "") != tt.skipped {
				t.Errorf("match %v skipped %q; want %v %v", r.Match, r.Skipped, tt.match, tt.skipped)
			}
		})
	}
}

// TestArrived checks the wait's condition: every expected frame is
// there.
func TestArrived(t *testing.T) {
	for _, tt := range []struct {
		rows []RowResult
		want bool
	}{
		{nil, true},
		{[]RowResult{{Expected: []int{5, 0}, Observed: []int{5, 3}}}, true},
		{[]RowResult{{Expected: []int{5, 5}, Observed: []int{5, 4}}}, false},
		{[]RowResult{{Expected: []int{5}, Observed: []int{9}}, {Skipped: "x"}}, true},
	} {
		if got := arrived(tt.rows); got != tt.want {
			t.Errorf("arrived(%+v) = %v", tt.rows, got)
		}
	}
}

// TestSnapshot checks differences and the stillness test, which looks
// at the counted classes only.
func TestSnapshot(t *testing.T) {
	a := &snapshot{endpoints: []bpf.Counts{counts(bpf.ClassARPRequest, 1, 0)}, parentIn: counts(bpf.ClassIPv6ND, 1, 0)}
	b := &snapshot{endpoints: []bpf.Counts{counts(bpf.ClassARPRequest, 3, 0)}, parentIn: counts(bpf.ClassIPv6ND, 9, 0)}
	d := b.sub(a)
	if got := d.endpoints[0].Class[bpf.ClassARPRequest].Packets; got != 2 {
		t.Errorf("delta %d, want 2", got)
	}
	if a.equalIn(b, quietClasses) {
		t.Error("ARP changed, yet still")
	}
	c := &snapshot{endpoints: []bpf.Counts{counts(bpf.ClassARPRequest, 1, 0)}, parentIn: counts(bpf.ClassIPv6ND, 9, 0)}
	if !a.equalIn(c, quietClasses) {
		t.Error("only neighbour discovery changed, yet not still")
	}
}
