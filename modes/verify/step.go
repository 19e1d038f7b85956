package verify

import (
	"slices"
	"time"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// pollInterval is how often counters are read while waiting.
const pollInterval = 10 * time.Millisecond

// quietClasses are the classes the rows count: the others (neighbour
// discovery, IPv6 unicast, VLAN tags) carry the kernel's own frames
// and do not hold up the waits.
var quietClasses = []bpf.Class{
	bpf.ClassARPRequest, bpf.ClassARPReply, bpf.ClassBroadcast,
	bpf.ClassIPv4Multicast, bpf.ClassIPv6Multicast, bpf.ClassIPv4Unicast,
}

// step sends p's frames and returns its rows' results once every
// expected frame arrived and the counts stayed the same for Settle, or
// at StepTimeout.
func (r *runner) step(index int, p *stepPlan, rows []expect.Row) ([]RowResult, error) {
	before, err := r.hooks.read()
	if err != nil {
		return nil, err
	}
	ns, ifname := r.wire, r.cfg.WireDev
	if p.step.From == expect.FromEndpoint {
		ns, ifname = r.epNS[sender], r.world.endpoints[sender].ifname
	}
	refused, err := send(ns, ifname, p.frames)
	if err != nil {
		return nil, err
	}
	r.res.Steps = append(r.res.Steps, StepResult{Step: p.step, Sent: p.sent(), Refused: refused})
	datagrams := func(i int) int { return r.receivers[i].count(index) }
	deadline := time.Now().Add(r.cfg.StepTimeout)
	var (
		last      *snapshot
		lastGrams []int
		changed   time.Time
	)
	for {
		now, err := r.hooks.read()
		if err != nil {
			return nil, err
		}
		o := observed{delta: now.sub(before), datagrams: datagrams}
		results := make([]RowResult, len(rows))
		for i, row := range rows {
			results[i] = evaluate(row, p, o, r.world.endpoints, r.world.vlan)
		}
		grams := make([]int, len(r.receivers))
		for i := range grams {
			grams[i] = datagrams(i)
		}
		t := time.Now()
		if last == nil || !now.equalIn(last, quietClasses) || !slices.Equal(grams, lastGrams) {
			last, lastGrams, changed = now, grams, t
		}
		if (arrived(results) && t.Sub(changed) >= r.cfg.Settle) || t.After(deadline) {
			return results, nil
		}
		time.Sleep(pollInterval)
	}
}

// waitQuiet waits until the counters have stayed the same for Quiet, or
// for QuietTimeout at most.
func (r *runner) waitQuiet() error {
	deadline := time.Now().Add(r.cfg.QuietTimeout)
	last, err := r.hooks.read()
	if err != nil {
		return err
	}
	changed := time.Now()
	for {
		time.Sleep(pollInterval)
		now, err := r.hooks.read()
		if err != nil {
			return err
		}
		t := time.Now()
		if !now.equalIn(last, quietClasses) {
			last, changed = now, t
		}
		if t.Sub(changed) >= r.cfg.Quiet || t.After(deadline) {
			return nil
		}
	}
}
