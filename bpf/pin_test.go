package bpf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestPinnedOutlivesHook attaches pinned counters, closes the hook, and
// checks that they go on counting, that OpenPinned and ListPinned find
// them, that a second pinned attach is refused, and that Detach from the
// reopened hook leaves the device and the BPF file system as they were.
func TestPinnedOutlivesHook(t *testing.T) {
	const n = 10
	for _, mode := range []bpf.Mode{bpf.ModeTCX, bpf.ModeClsBPF} {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			before := stateOf(t, p.a, p.aName, "t0")
			o := bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Direction: bpf.Egress, Mode: mode, Pin: true}
			h := attach(t, o)
			if h == nil {
				return
			}
			if h.PinPath() == "" {
				t.Fatal("pinned hook has no PinPath")
			}
			frames := liveFrames()
			send(t, p.a, "t0", frames, n)
			waitCounts(t, h, bpf.Counts{}, sum(frames, n))

			all, err := bpf.ListPinned()
			if err != nil {
				t.Fatal(err)
			}
			var found []bpf.PinnedHook
			for _, ph := range all {
				if ph.NetNS == p.aName {
					found = append(found, ph)
				}
			}
			want := []bpf.PinnedHook{{NetNSInode: found0(found).NetNSInode, NetNS: p.aName, Ifname: "t0", Direction: bpf.Egress,
				Ifindex: found0(found).Ifindex, Mode: mode, Attached: true, Path: h.PinPath()}}
			if diff := cmp.Diff(want, found); diff != "" || want[0].Ifindex == 0 {
				t.Errorf("ListPinned (-want +got):\n%s", diff)
			}

			if _, err := bpf.Attach(o); !errors.Is(err, bpf.ErrAttached) {
				t.Errorf("second pinned attach: %v; want ErrAttached", err)
			}
			if err := h.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := h.Counts(); !errors.Is(err, bpf.ErrClosed) {
				t.Errorf("Counts after Close: %v; want ErrClosed", err)
			}
			send(t, p.a, "t0", frames, n)

			h2, err := bpf.OpenPinned(p.a, "t0", bpf.Egress)
			if err != nil {
				t.Fatal(err)
			}
			if h2.Mode() != mode {
				t.Errorf("reopened hook's mode %s, want %s", h2.Mode(), mode)
			}
			waitCounts(t, h2, bpf.Counts{}, sum(frames, 2*n))
			if err := h2.Detach(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, stateOf(t, p.a, p.aName, "t0")); diff != "" {
				t.Errorf("device after detach (-before +after):\n%s", diff)
			}
			if pins := pinsOf(t, p.a); len(pins) != 0 {
				t.Errorf("pins left after detach: %v", pins)
			}
			if _, err := bpf.OpenPinned(p.a, "t0", bpf.Egress); !errors.Is(err, bpf.ErrNotAttached) {
				t.Errorf("OpenPinned after detach: %v; want ErrNotAttached", err)
			}
		})
	}
}

func found0(f []bpf.PinnedHook) bpf.PinnedHook {
	if len(f) == 0 {
		return bpf.PinnedHook{}
	}
	return f[0]
}

// TestStalePins checks what happens to pins that a namespace which is
// gone left under an inode number the kernel has since given to another
// namespace: OpenPinned removes them and says nothing is attached, and a
// pinned Attach replaces them.
//
// Telling the two apart takes the namespace's cookie (SO_NETNS_COOKIE,
// Linux 5.14). An older kernel has none: stale pins are then taken for
// the namespace's own, OpenPinned opens them (and Detach removes them),
// and a pinned Attach refuses, saying why.
func TestStalePins(t *testing.T) {
	p := newPair(t)
	o := bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Direction: bpf.Ingress, Mode: bpf.ModeClsBPF, Pin: true}
	if !testenv.KernelAtLeast("5.14") {
		h := attach(t, o)
		dir := h.PinPath()
		h.Close()
		if err := bpf.MakeStale(dir); err != nil {
			t.Fatal(err)
		}
		_, err := bpf.Attach(o)
		if !errors.Is(err, bpf.ErrAttached) || !strings.Contains(err.Error(), "SO_NETNS_COOKIE, of Linux 5.14") {
			t.Errorf("kernel %s: pinned Attach over stale pins: %v; want ErrAttached naming SO_NETNS_COOKIE and Linux 5.14", testenv.KernelRelease(), err)
		}
		h, err = bpf.OpenPinned(p.a, "t0", bpf.Ingress)
		if err != nil {
			t.Fatalf("kernel %s: OpenPinned on stale pins: %v; want them opened, as the namespace's own", testenv.KernelRelease(), err)
		}
		if err := h.Detach(); err != nil {
			t.Fatal(err)
		}
		if pins := pinsOf(t, p.a); len(pins) != 0 {
			t.Errorf("pins left after Detach: %v", pins)
		}
		t.Logf("kernel %s (before 5.14) has no namespace cookies: stale pins are taken as the namespace's own", testenv.KernelRelease())
		return
	}
	for _, next := range []string{"open", "attach"} {
		h := attach(t, o)
		dir := h.PinPath()
		h.Close()
		if err := bpf.MakeStale(dir); err != nil {
			t.Fatal(err)
		}
		switch next {
		case "open":
			if _, err := bpf.OpenPinned(p.a, "t0", bpf.Ingress); !errors.Is(err, bpf.ErrNotAttached) {
				t.Errorf("OpenPinned on stale pins: %v; want ErrNotAttached", err)
			}
			if pins := pinsOf(t, p.a); len(pins) != 0 {
				t.Errorf("stale pins left: %v", pins)
			}
		case "attach":
			h := attach(t, o)
			if err := h.Detach(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDetachAfterDeviceGone deletes the device under pinned counters:
// the kernel takes the filter or TCX link's attachment with it, and
// Detach must still succeed and remove the pins.
func TestDetachAfterDeviceGone(t *testing.T) {
	for _, mode := range []bpf.Mode{bpf.ModeTCX, bpf.ModeClsBPF} {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			h := attach(t, bpf.AttachOptions{NetNS: p.a, Ifname: "t0", Direction: bpf.Egress, Mode: mode, Pin: true})
			if h == nil {
				return
			}
			h.Close()
			hl, err := links.Open(p.a)
			if err != nil {
				t.Fatal(err)
			}
			defer hl.Close()
			if err := hl.Delete("t0"); err != nil {
				t.Fatal(err)
			}
			h, err = bpf.OpenPinned(p.a, "t0", bpf.Egress)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.Detach(); err != nil {
				t.Fatalf("Detach after the device went: %v", err)
			}
			if pins := pinsOf(t, p.a); len(pins) != 0 {
				t.Errorf("pins left: %v", pins)
			}
		})
	}
}
