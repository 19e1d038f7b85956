package verify

import (
	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// observed is what one step left behind: the counters' deltas and the
// datagrams each endpoint's sockets got.
type observed struct {
	delta *snapshot
	// datagrams returns the datagrams of the step endpoint i got.
	datagrams func(i int) int
}

// evaluate returns row's expected and observed counts for the step p,
// and whether they match. eps are the endpoints; vlan the parent's VLAN
// id, for tagged rows.
func evaluate(row expect.Row, p *stepPlan, o observed, eps []endpoint, vlan uint16) RowResult {
	res := RowResult{Row: row, Match: true}
	if p.skip != "" {
		res.Skipped = p.skip
		return res
	}
	one := func(c bpf.Counts) {
		want := row.Want.Count(p.sent(), 0)
		got := frames(c, row.Class, vlan)
		res.Expected, res.Observed = []int{want}, []int{got}
		res.Match = row.Want.Match(want, got)
	}
	switch row.At {
	case expect.AtEndpoints, expect.AtSockets:
		if len(p.observed) == 0 {
			res.Skipped = "no endpoint to observe"
			return res
		}
		for _, i := range p.observed {
			want := row.Want.Count(p.sent(), p.addressedTo(i))
			var got int
			if row.At == expect.AtSockets {
				got = o.datagrams(i)
			} else {
				got = frames(o.delta.endpoints[i], row.Class, vlan)
			}
			res.Endpoints = append(res.Endpoints, eps[i].name)
			res.Expected = append(res.Expected, want)
			res.Observed = append(res.Observed, got)
			res.Match = res.Match && row.Want.Match(want, got)
		}
	case expect.AtSender:
		one(o.delta.endpoints[sender])
	case expect.AtParentIn:
		one(o.delta.parentIn)
	case expect.AtParentOut:
		one(o.delta.parentOut)
	case expect.AtWire:
		one(o.delta.wire)
	}
	return res
}

// arrived reports whether every row of rs expecting frames has at least
// as many as it expects: the frames have been through the kernel's
// paths, and what has not arrived at other points will not.
func arrived(rs []RowResult) bool {
	for _, r := range rs {
		if r.Skipped != "" {
			continue
		}
		for i, want := range r.Expected {
			if r.Observed[i] < want {
				return false
			}
		}
	}
	return true
}
