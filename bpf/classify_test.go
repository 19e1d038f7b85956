package bpf_test

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/testenv"
)

// tcActUnspec is TC_ACT_UNSPEC (and TCX_NEXT), -1, as BPF_PROG_TEST_RUN
// reports the program's return value.
const tcActUnspec = ^uint32(0)

// loadObjects loads a classifier that is not attached anywhere.
func loadObjects(tb testing.TB) *bpf.Objects {
	tb.Helper()
	testenv.RequireRoot(tb)
	o, err := bpf.LoadObjects()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(func() { o.Close() })
	return o
}

// want is what one frame f adds to the counters.
func want(f frame, n uint64) bpf.Counts {
	var c bpf.Counts
	c.Class[f.class] = bpf.Count{Packets: n, Bytes: n * uint64(len(f.b))}
	if f.vid >= 0 {
		c.VLAN = map[uint16]bpf.Count{uint16(f.vid): c.Class[f.class]}
	}
	return c
}

// TestClassifierTestRun runs the classifier on one frame of each kind
// with BPF_PROG_TEST_RUN and checks that exactly that frame's class (and
// VLAN id) counted it, with its length, and that it passed the frame on.
// A tag in the frame is all BPF_PROG_TEST_RUN can give: it leaves the
// skb's VLAN metadata empty (the live tests cover that).
func TestClassifierTestRun(t *testing.T) {
	o := loadObjects(t)
	for _, f := range append(liveFrames(), edgeFrames()...) {
		t.Run(f.name, func(t *testing.T) {
			before, err := o.Counts()
			if err != nil {
				t.Fatal(err)
			}
			const runs = 3
			ret, err := o.Program.Run(&ebpf.RunOptions{Data: f.b, Repeat: runs})
			if err != nil {
				t.Fatalf("BPF_PROG_TEST_RUN: %v", err)
			}
			if ret != tcActUnspec {
				t.Errorf("returned %d; want TC_ACT_UNSPEC (-1), which passes the frame on", int32(ret))
			}
			after, err := o.Counts()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want(f, runs), after.Sub(before)); diff != "" {
				t.Errorf("counted (-want +got):\n%s\nframe % x", diff, f.b)
			}
		})
	}
}

// TestLiveFramesCoverEveryClass keeps the live tests honest: their
// frames hit every class.
func TestLiveFramesCoverEveryClass(t *testing.T) {
	seen := map[bpf.Class]bool{}
	for _, f := range liveFrames() {
		seen[f.class] = true
	}
	for _, c := range bpf.Classes() {
		if !seen[c] {
			t.Errorf("no live frame of class %s", c)
		}
	}
}
