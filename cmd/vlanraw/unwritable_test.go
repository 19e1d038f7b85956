package main

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestDriftUnwritableState makes the state directory read-only (a tmpfs
// remounted read-only: chmod does not stop root) under a network with an
// endpoint, and checks that connect, disconnect, disconnect --all and
// network rm -f each fail saying so, and change nothing in the kernel or
// the records: each records its intent, which first proves that the state
// can be saved, before it touches the kernel. Before, disconnect and
// network rm -f deleted the links and then failed to save.
func TestDriftUnwritableState(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	if err := unix.Mount("tmpfs", w.state, "tmpfs", 0, "size=4m,mode=0700"); err != nil {
		t.Fatalf("mount a tmpfs on the state directory: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(w.state, unix.MNT_DETACH) })
	addVeth(t, w.host, "p0")
	w.vr("network create -d macvlan --subnet 10.78.0.0/24 -o parent=p0 unet")
	ns, other := newNetNS(t), newNetNS(t)
	w.connect("unet", ns)
	if err := unix.Mount("", w.state, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount the state directory read-only: %v", err)
	}
	before := w.snap(w.host, ns, other)
	for _, line := range []string{
		"connect unet " + other,
		"disconnect unet " + ns,
		"disconnect --all unet",
		"network rm -f unet",
	} {
		out := w.vrFails(exitRuntime, "cannot be written in (read-only file system", line)
		if !strings.Contains(out, "nothing was changed") {
			t.Errorf("%s: %q does not say that nothing was changed", line, out)
		}
		w.unchanged(line, before)
	}
	if err := unix.Mount("", w.state, "", unix.MS_REMOUNT, ""); err != nil {
		t.Fatal(err)
	}
	w.vr("network rm -f unet")
}
