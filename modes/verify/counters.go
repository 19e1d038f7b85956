package verify

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
)

// This file holds the counters the runner reads: a small interface over
// package bpf's hooks, so that the runner's logic does not depend on
// how frames are counted.

// counter counts frames at one hook.
type counter interface {
	// read returns the counts so far.
	read() (bpf.Counts, error)
	// detach removes the counter.
	detach() error
	// mode says how it is attached, such as "tcx".
	mode() string
}

// attacher attaches a counter to the ingress or egress hook of link
// ifname in namespace ns (nil: the current one).
type attacher func(ns *netns.NS, ifname string, dir bpf.Direction) (counter, error)

// bpfCounter is a counter of package bpf.
type bpfCounter struct{ h *bpf.Hook }

func (c bpfCounter) read() (bpf.Counts, error) { return c.h.Counts() }
func (c bpfCounter) detach() error             { return c.h.Detach() }
func (c bpfCounter) mode() string              { return c.h.Mode().String() }

// attachBPF returns an attacher that uses package bpf in mode m.
func attachBPF(m bpf.Mode) attacher {
	return func(ns *netns.NS, ifname string, dir bpf.Direction) (counter, error) {
		h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: ifname, Direction: dir, Mode: m})
		if err != nil {
			return nil, err
		}
		return bpfCounter{h}, nil
	}
}

// frames returns the packets of class c in counts: for bpf.ClassVLAN
// on a VLAN parent (vlan not 0), those tagged with vlan.
func frames(counts bpf.Counts, c bpf.Class, vlan uint16) int {
	if c == bpf.ClassVLAN && vlan != 0 {
		return int(counts.VLAN[vlan].Packets)
	}
	return int(counts.Class[c].Packets)
}

// hookSet is every counter of a run, by where it sits.
type hookSet struct {
	// endpoints holds the ingress counter of each endpoint's link.
	endpoints []counter
	// parentIn, parentOut and wire are nil when not attached.
	parentIn, parentOut, wire counter
}

// all returns the counters that are attached.
func (s *hookSet) all() []counter {
	var cs []counter
	for _, c := range append(append([]counter{}, s.endpoints...), s.parentIn, s.parentOut, s.wire) {
		if c != nil {
			cs = append(cs, c)
		}
	}
	return cs
}

// detach removes every counter, whatever fails.
func (s *hookSet) detach() error {
	var errs []error
	for _, c := range s.all() {
		if err := c.detach(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("detach counters: %w", err)
	}
	return nil
}

// snapshot is every counter's counts at one moment, in the order of
// hookSet.all.
type snapshot struct {
	endpoints                 []bpf.Counts
	parentIn, parentOut, wire bpf.Counts
}

// read takes a snapshot.
func (s *hookSet) read() (*snapshot, error) {
	sn := &snapshot{endpoints: make([]bpf.Counts, len(s.endpoints))}
	for i, c := range s.endpoints {
		var err error
		if sn.endpoints[i], err = c.read(); err != nil {
			return nil, err
		}
	}
	for _, x := range []struct {
		c   counter
		dst *bpf.Counts
	}{{s.parentIn, &sn.parentIn}, {s.parentOut, &sn.parentOut}, {s.wire, &sn.wire}} {
		if x.c == nil {
			continue
		}
		var err error
		if *x.dst, err = x.c.read(); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

// sub returns what was counted since old.
func (sn *snapshot) sub(old *snapshot) *snapshot {
	d := &snapshot{endpoints: make([]bpf.Counts, len(sn.endpoints))}
	for i := range sn.endpoints {
		d.endpoints[i] = sn.endpoints[i].Sub(old.endpoints[i])
	}
	d.parentIn = sn.parentIn.Sub(old.parentIn)
	d.parentOut = sn.parentOut.Sub(old.parentOut)
	d.wire = sn.wire.Sub(old.wire)
	return d
}

// equalIn reports whether two snapshots hold the same packet counts in
// classes.
func (sn *snapshot) equalIn(o *snapshot, classes []bpf.Class) bool {
	same := func(a, b bpf.Counts) bool {
		for _, c := range classes {
			if a.Class[c].Packets != b.Class[c].Packets {
				return false
			}
		}
		return true
	}
	for i := range sn.endpoints {
		if !same(sn.endpoints[i], o.endpoints[i]) {
			return false
		}
	}
	return same(sn.parentIn, o.parentIn) && same(sn.parentOut, o.parentOut) && same(sn.wire, o.wire)
}
