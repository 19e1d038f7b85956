package links_test

// The multicast receive path of macvlan, which Linux 6.4 changed
// (upstream d45276e75e90, "macvlan: Skip broadcast queue if multicast
// with single receiver", and 954d1fa1ac93, which made the cutoff a
// setting: IFLA_MACVLAN_BC_CUTOFF, iproute2's bclim).
//
// A multicast or broadcast frame arriving on a macvlan port (the parent)
// reaches the port's macvlans through macvlan_handle_frame. Before 6.4
// every such frame for an address in the port's mc_filter (every group a
// macvlan joined, and broadcast) goes through the port's broadcast queue,
// which a workqueue empties (macvlan_broadcast_enqueue); a frame that
// finds bc_queue_len_used frames queued is dropped and counted in the
// port device's rx_dropped. From 6.4 only the addresses in the port's
// bc_filter take the queue: broadcast, and a group that more than
// bc_cutoff (1 by default) of the port's macvlans joined (ha->synced of
// the parent's address, see macvlan_compute_filter). A group fewer
// macvlans joined is handed to them at once (macvlan_multicast_rx). A
// cutoff below 0 empties bc_filter, so that nothing takes the queue; a
// parent in promiscuous or allmulti mode fills it, so that everything
// does. Every macvlan but a passthru one puts its MAC on the parent
// (dev_uc_add), and a parent without unicast filtering, such as a veth,
// goes promiscuous for it: there 6.4 changes nothing unless the cutoff is
// below 0. A VLAN link filters unicast (IFF_UNICAST_FLT), as most NICs
// do: a bridge macvlan on a VLAN parent is Docker's macvlan network with
// parent=eth0.10. A veth under a passthru macvlan with nopromisc, which
// puts no MAC on it, stays out of promiscuous mode too.
//
// With bcqueuelen 0 (IFLA_MACVLAN_BC_QUEUE_LEN, Linux 5.11; the port
// uses the largest of its macvlans') the queue drops every frame it is
// given, so which path each frame took shows without timing: counted in
// the parent's rx_dropped, or delivered.

import (
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// rxPath is the way a multicast or broadcast frame reaches a port's
// macvlans.
type rxPath int

const (
	// viaQueue is the port's broadcast queue, which drops every frame
	// with bcqueuelen 0.
	viaQueue rxPath = iota
	// direct is macvlan_multicast_rx, at once (Linux 6.4 and later).
	direct
)

// String says what the path does with the test's frames.
func (p rxPath) String() string {
	if p == direct {
		return "delivered at once"
	}
	return "dropped by the broadcast queue"
}

// mcastStep sends mcastFrames datagrams from the wire, to the group or
// to broadcast, and checks the path they took.
type mcastStep struct {
	what string
	// only64 steps need bclim, and skip before Linux 6.4.
	only64 bool
	// bclim is set on mv0 first when not nil and the kernel has it (6.4).
	bclim *int32
	// join has a second macvlan, mv1, join the group first.
	join bool
	// broadcast sends to 255.255.255.255 rather than to the group.
	broadcast bool
	// before64 and from64 are the path the frames take on kernels before
	// 6.4 (unused when only64) and on 6.4 and later.
	before64, from64 rxPath
}

// oneListener are the steps for a port whose parent is not promiscuous,
// where mv0 alone joined the group.
var oneListener = []mcastStep{
	{what: "group, one listener", before64: viaQueue, from64: direct},
	{what: "broadcast", broadcast: true, before64: viaQueue, from64: viaQueue},
	{what: "group, one listener, bclim 0", only64: true, bclim: ptr[int32](0), from64: viaQueue},
	{what: "group, one listener, bclim -1", only64: true, bclim: ptr[int32](-1), from64: direct},
	{what: "broadcast, bclim -1", only64: true, bclim: ptr[int32](-1), broadcast: true, from64: direct},
}

// TestKernelMACVlanMulticastPath records, per kernel, which path
// multicast and broadcast from the wire take to a macvlan whose port has
// bcqueuelen 0: dropped by the broadcast queue, or delivered at once
// (Linux 6.4 for a group with one listener). Each step sends
// mcastFrames UDP datagrams and asserts how many reached the socket that
// joined the group on mv0 and how many the parent counted as dropped.
// Linux 5.10 has no bcqueuelen, without which the queue delivers what it
// is given sooner or later and the paths cannot be told apart: the test
// skips there, naming it.
func TestKernelMACVlanMulticastPath(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	testenv.RequireKernel(t, "5.11", "macvlan bcqueuelen (IFLA_MACVLAN_BC_QUEUE_LEN), which the test sets to 0 so that the broadcast queue drops what it is given,")
	bridge, passthru := rtnl.MACVlanModeBridge, rtnl.MACVlanModePassthru
	for _, sc := range []struct {
		name string
		// vlan makes the parent VLAN 10 on the veth, rather than the veth.
		vlan  bool
		mode  rtnl.MACVlanMode
		flags *rtnl.MACVlanFlag
		// promisc is whether the kernel puts the parent in promiscuous mode.
		promisc bool
		steps   []mcastStep
	}{
		{name: "veth-passthru-nopromisc", mode: passthru, flags: ptr(rtnl.MACVlanFlagNoPromisc), steps: oneListener},
		{name: "vlan-bridge", vlan: true, mode: bridge, steps: append(oneListener[:len(oneListener):len(oneListener)],
			mcastStep{what: "group, two listeners", bclim: ptr[int32](1), join: true, before64: viaQueue, from64: viaQueue})},
		{name: "veth-bridge", mode: bridge, promisc: true, steps: []mcastStep{
			{what: "group, one listener, promiscuous parent", before64: viaQueue, from64: viaQueue},
			{what: "group, one listener, promiscuous parent, bclim -1", only64: true, bclim: ptr[int32](-1), from64: direct},
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			if sc.vlan {
				testenv.RequireKind(t, "vlan")
			}
			w := newMcastWorld(t, sc.vlan, sc.mode, sc.flags)
			if p := mustGet(t, w.hh, w.parent).Msg.Attributes.Promiscuity; (p > 0) != sc.promisc {
				t.Fatalf("kernel %s: parent %s has promiscuity %d; want it promiscuous: %v", testenv.KernelRelease(), w.parent, p, sc.promisc)
			}
			for _, s := range sc.steps {
				t.Run(s.what, func(t *testing.T) { w.step(t, s) })
			}
		})
	}
}

// step runs s in w: it sets bclim and adds a listener as s says, sends
// the datagrams and checks where they went.
func (w *mcastWorld) step(t *testing.T, s mcastStep) {
	rel, has64 := testenv.KernelRelease(), testenv.KernelAtLeast("6.4")
	if s.only64 {
		testenv.RequireKernel(t, "6.4", "macvlan bclim (IFLA_MACVLAN_BC_CUTOFF)")
	}
	// A second listener joins before the cutoff is set: setting it makes
	// the kernel recompute the port's bc_filter (update_port_bc_cutoff)
	// under RTNL from the parent's list, which then holds the group
	// from both macvlans, so the filter does not depend on when the
	// join's rx_mode pass ran.
	if s.join {
		users := w.groupUsers(t)
		w.join(t, "mv1")
		w.waitUsers(t, users)
	}
	if s.bclim != nil && has64 {
		if err := w.he.Set("mv0", links.Change{Options: &links.MACVlan{BCCutoff: s.bclim}}); err != nil {
			t.Fatalf("kernel %s: set bclim %d: %v", rel, *s.bclim, err)
		}
	}
	want := s.before64
	if has64 {
		want = s.from64
	}
	dst := mcastGroup
	if s.broadcast {
		dst = mcastBroadcast
	}
	delivered, dropped := w.probe(t, dst)
	wantDelivered, wantDropped := 0, mcastFrames
	if want == direct {
		wantDelivered, wantDropped = mcastFrames, 0
	}
	if delivered != wantDelivered || dropped != wantDropped {
		t.Errorf("kernel %s: %s: of %d datagrams to %s, %d delivered and %d dropped; want %d and %d (%s); the parent's multicast list: %s",
			rel, s.what, mcastFrames, dst, delivered, dropped, wantDelivered, wantDropped, want, w.parentList(t))
		return
	}
	t.Logf("kernel %s: %s: %d of %d datagrams to %s %s", rel, s.what, max(delivered, dropped), mcastFrames, dst, want)
}
