package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestNetkitLink creates a netkit pair with vlanraw, its peer in another
// namespace, where the kernel has netkit (see links.TestNetkit for the
// others), and checks what the kernel reports, what `link show -d -j`
// prints, and a policy change through `link set`. Where the ip found has
// netkit (iproute2 6.7 or later; the Debian 12 one has not), `ip -d link
// show` must print the same, as JSON and as text.
func TestNetkitLink(t *testing.T) {
	testenv.RequireKind(t, "netkit")
	ns, peerNS := newNetNS(t), newNetNS(t)
	vrLine(t, ns, "link add nk0 up type netkit mode l2 forward peer blackhole name nk1 netns "+peerNS+" up")

	h, err := links.OpenName(peerNS)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	nk1, err := h.Get("nk1")
	if err != nil {
		t.Fatalf("the peer is not in %s: %v", peerNS, err)
	}
	if d, ok := nk1.Data.(*rtnl.Netkit); !ok || !nk1.Up() || d.Primary == nil || *d.Primary ||
		d.Policy == nil || *d.Policy != rtnl.NetkitBlackhole || d.Mode == nil || *d.Mode != rtnl.NetkitModeL2 {
		t.Errorf("the kernel reports the peer as up %v, %+v; want an up l2 peer with policy blackhole", nk1.Up(), nk1.Data)
	}

	want := map[string]any{"mode": "l2", "type": "primary", "policy": "forward", "peer_policy": "blackhole"}
	got := infoData(t, vrLinkJSON(t, ns, "nk0"))
	for k, v := range want {
		if got[k] != v {
			t.Errorf("vlanraw link show -j -d: %s is %v, want %v (%v)", k, got[k], v, got)
		}
	}
	if out, _ := ipRun(t, "link", "help"); strings.Contains(out, "netkit") {
		ipLink := ipLinkJSON(t, ns, "nk0")
		if diff := cmp.Diff(infoData(t, ipLink), got); diff != "" {
			t.Errorf("info_data differs from iproute2's (-ip +vlanraw):\n%s", diff)
		}
		checkShow(t, ns, "nk0", ipLink)
		checkDetailsText(t, ns, "netkit", "nk0")
	} else {
		t.Logf("%s predates netkit: info_data not compared with iproute2's", ipPath(t))
	}

	vrLine(t, ns, "link set nk0 type netkit blackhole peer forward")
	got = infoData(t, vrLinkJSON(t, ns, "nk0"))
	if got["policy"] != "blackhole" || got["peer_policy"] != "forward" {
		t.Errorf("after link set: %v; want policy blackhole, peer_policy forward", got)
	}
	code, _, stderr := runCLI("-n", peerNS, "link", "set", "nk1", "type", "netkit", "forward")
	if code != exitRuntime || !strings.Contains(stderr, "primary") {
		t.Errorf("link set through the peer: exit %d, %q; want %d and the kernel's word about the primary", code, stderr, exitRuntime)
	}
	vrLine(t, ns, "link del nk0")
	if _, err := h.Get("nk1"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("nk1 after link del nk0: %v; want ENODEV", err)
	}
}
