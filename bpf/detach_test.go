package bpf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// filterName is the name vlanraw's cls_bpf filters carry.
const filterName = "vlanraw-counters"

// TestDetachRestores attaches counters to both hooks of a device and
// detaches them, in both orders, and checks that the device's qdiscs and
// filters are as they were, by rtnl's dumps and by tc: a clsact qdisc
// vlanraw created goes with the last of its filters; one that was there
// before stays, with the filters someone else put on it.
func TestDetachRestores(t *testing.T) {
	tests := []struct {
		name string
		mode bpf.Mode
		// setup prepares the device before the "before" snapshot.
		setup func(t *testing.T, c *rtnl.Conn, ifindex int32)
		// reverse detaches egress first.
		reverse bool
		// keepsClsact is whether clsact must be there after.
		keepsClsact bool
	}{
		{name: "cls_bpf creates clsact", mode: bpf.ModeClsBPF},
		{name: "cls_bpf creates clsact, egress detached first", mode: bpf.ModeClsBPF, reverse: true},
		{name: "cls_bpf on an existing clsact", mode: bpf.ModeClsBPF, setup: addClsact, keepsClsact: true},
		{name: "cls_bpf beside a foreign filter", mode: bpf.ModeClsBPF, setup: addForeignFilter, keepsClsact: true},
		{name: "tcx", mode: bpf.ModeTCX},
		{name: "tcx on an existing clsact", mode: bpf.ModeTCX, setup: addClsact, keepsClsact: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t)
			c, err := rtnl.Dial(p.a)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			l, err := c.GetLink("t0")
			if err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, c, l.Index)
			}
			before := stateOf(t, p.a, p.aName, "t0")

			var hooks []*bpf.Hook
			for _, d := range bpf.Directions() {
				h := attach(t, bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Direction: d, Mode: tt.mode})
				if h == nil {
					return
				}
				hooks = append(hooks, h)
			}
			during := stateOf(t, p.a, p.aName, "t0")
			checkAttached(t, tt.mode, before, during)

			if tt.reverse {
				hooks[0], hooks[1] = hooks[1], hooks[0]
			}
			if err := hooks[0].Detach(); err != nil {
				t.Fatal(err)
			}
			if mid := stateOf(t, p.a, p.aName, "t0"); tt.mode == bpf.ModeClsBPF && !mid.hasQdisc("clsact") {
				t.Errorf("clsact went with the first detach, while a vlanraw filter was still on it")
			}
			if err := hooks[1].Detach(); err != nil {
				t.Fatal(err)
			}
			after := stateOf(t, p.a, p.aName, "t0")
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("device after detach differs from before attach (-before +after):\n%s", diff)
			}
			if after.hasQdisc("clsact") != tt.keepsClsact {
				t.Errorf("clsact there after detach: %v; want %v", after.hasQdisc("clsact"), tt.keepsClsact)
			}
			if err := hooks[1].Detach(); !errors.Is(err, bpf.ErrClosed) {
				t.Errorf("second Detach: %v; want ErrClosed", err)
			}
		})
	}
}

// checkAttached checks what the kernel shows while both hooks have
// counters: with cls_bpf, a clsact qdisc and one direct-action filter of
// vlanraw's on each hook, which tc sees too; with TCX, one program on
// each hook and no change at all to qdiscs and filters.
func checkAttached(t *testing.T, mode bpf.Mode, before, during tcState) {
	t.Helper()
	if mode == bpf.ModeTCX {
		for _, d := range []string{"ingress", "egress"} {
			if got := len(during.TCX[d]) - len(before.TCX[d]); got != 1 {
				t.Errorf("TCX %s: %d programs more than before, want 1", d, got)
			}
		}
		before.TCX, during.TCX = nil, nil
		if diff := cmp.Diff(before, during); diff != "" {
			t.Errorf("TCX changed the device's qdiscs or filters (-before +during):\n%s", diff)
		}
		return
	}
	if !during.hasQdisc("clsact") {
		t.Errorf("no clsact qdisc while attached: %+v", during.Qdiscs)
	}
	for name, fs := range map[string][]rtnl.TCMessage{"ingress": during.Ingress, "egress": during.Egress} {
		ours := filtersNamed(fs, filterName)
		if len(ours) != 1 {
			t.Errorf("%s: %d vlanraw filters, want 1: %+v", name, len(ours), fs)
			continue
		}
		if f := ours[0].Attributes.BPF; f.Flags == nil || *f.Flags&rtnl.BPFFlagActDirect == 0 || f.ID == nil {
			t.Errorf("%s: vlanraw's filter is not direct-action, or has no program: %+v", name, f)
		}
		if during.TC == nil || during.TC[name] == nil {
			continue
		}
		if !tcShows(during.TC[name], filterName) {
			t.Errorf("tc filter show %s does not show %s: %v", name, filterName, during.TC[name])
		}
	}
}

// tcShows reports whether tc's JSON filter list has a bpf filter named
// name, in direct-action mode.
func tcShows(v any, name string) bool {
	list, _ := v.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		opts, _ := m["options"].(map[string]any)
		if opts["bpf_name"] == name && opts["direct-action"] == true {
			return true
		}
	}
	return false
}

// addClsact gives the device a clsact qdisc of its own.
func addClsact(t *testing.T, c *rtnl.Conn, ifindex int32) {
	t.Helper()
	if err := c.AddQdisc(rtnl.NewClsactQdisc(ifindex)); err != nil {
		t.Fatal(err)
	}
}

// addForeignFilter gives the device a clsact qdisc with someone else's
// bpf filter on each hook.
func addForeignFilter(t *testing.T, c *rtnl.Conn, ifindex int32) {
	t.Helper()
	addClsact(t, c, ifindex)
	prog, _ := trivialCounter(t)
	for _, parent := range []uint32{rtnl.ParentIngress, rtnl.ParentEgress} {
		if err := c.AddFilter(rtnl.NewBPFFilter(ifindex, parent, 1, prog.FD(), "someone-else")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAttachErrors checks the errors Attach gives for what it cannot do,
// and that they say what to do.
func TestAttachErrors(t *testing.T) {
	testenv.RequireRoot(t)
	p := newPair(t)
	tests := []struct {
		name string
		o    bpf.AttachOptions
		is   error
		text string
	}{
		{"no such interface", bpf.AttachOptions{NetNS: p.a, Ifname: "nope0"}, nil,
			"attach counters to nope0 ingress: no interface nope0 in network namespace " + p.aName},
		{"no interface", bpf.AttachOptions{NetNS: p.a}, nil, "no interface given"},
		{"bad direction", bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Direction: 7}, nil, "invalid direction 7"},
		{"bad mode", bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Mode: 9}, nil, "invalid attach mode 9"},
	}
	if !testenv.KernelAtLeast("6.6") {
		tests = append(tests, struct {
			name string
			o    bpf.AttachOptions
			is   error
			text string
		}{"tcx before 6.6", bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Mode: bpf.ModeTCX}, errdefs.ErrNotSupported, "has no TCX"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := bpf.Attach(tt.o)
			if err == nil {
				h.Detach()
				t.Fatal("Attach succeeded")
			}
			var he *bpf.HookError
			if !errors.As(err, &he) {
				t.Errorf("error %T, want *HookError", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
		})
	}
}
