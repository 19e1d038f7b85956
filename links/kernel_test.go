package links_test

// Kernel-behaviour regression checks: what the kernel itself does with
// these links, recorded per kernel release.

import (
	"errors"
	"github.com/google/go-cmp/cmp"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
	"golang.org/x/sys/unix"
)

// ipvlan mode and flag belong to the parent's port: the last change wins
// for every slave.
func TestKernelIPVlanPortShared(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	h, _ := setup(t)
	mk := func(name string, m rtnl.IPVlanMode, f rtnl.IPVlanFlag) {
		if err := h.Create(&links.IPVlan{Attrs: links.Attrs{Name: name}, Parent: "p0", Mode: &m, Flag: &f}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string, m rtnl.IPVlanMode, f rtnl.IPVlanFlag) {
		t.Helper()
		for _, n := range []string{"ipv1", "ipv2"} {
			d := mustGet(t, h, n).Data.(*rtnl.IPVlan)
			if *d.Mode != m || *d.Flags != f {
				t.Errorf("%s: %s reports %s %s, want %s %s", step, n, d.Mode, d.Flags, m, f)
			}
		}
	}
	mk("ipv1", rtnl.IPVlanModeL2, rtnl.IPVlanFlagBridge)
	mk("ipv2", rtnl.IPVlanModeL3, rtnl.IPVlanFlagPrivate)
	check("second create", rtnl.IPVlanModeL3, rtnl.IPVlanFlagPrivate)
	err := h.Set("ipv1", links.Change{Data: &rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL3S), Flags: ptr(rtnl.IPVlanFlagVEPA)}})
	if err != nil {
		t.Fatal(err)
	}
	check("change of ipv1", rtnl.IPVlanModeL3S, rtnl.IPVlanFlagVEPA)
}

// Only one passthru macvlan may sit on a parent.
func TestKernelOnePassthruPerParent(t *testing.T) {
	h, _ := setup(t)
	pt := rtnl.MACVlanModePassthru
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "pt1"}, Parent: "p0", Mode: &pt}); err != nil {
		t.Fatal(err)
	}
	err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "pt2"}, Parent: "p0", Mode: &pt})
	if err == nil {
		t.Fatal("kernel accepted a second passthru macvlan on one parent")
	}
	t.Logf("kernel %s refuses a second passthru: %v", testenv.KernelRelease(), err)
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EBUSY) {
		t.Errorf("second passthru: %v, want EINVAL or EBUSY", err)
	}
	if _, err := h.Get("pt2"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("pt2 exists after the refusal: %v", err)
	}
	// A passthru link takes its parent's MAC.
	if a, b := mustGet(t, h, "pt1").MAC.String(), mustGet(t, h, "p0").MAC.String(); a != b {
		t.Errorf("passthru MAC %s, parent %s", a, b)
	}
}

// 802.1Q tags can be stacked on 802.1ad (QinQ).
func TestKernelQinQ(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	h, _ := setup(t)
	ad, q := rtnl.VLANProtocol8021AD, rtnl.VLANProtocol8021Q
	if err := h.Create(&links.VLAN{Attrs: links.Attrs{Name: "svl100"}, Parent: "p0", ID: 100, Protocol: &ad}); err != nil {
		t.Fatal(err)
	}
	if err := h.Create(&links.VLAN{Attrs: links.Attrs{Name: "cvl200"}, Parent: "svl100", ID: 200, Protocol: &q}); err != nil {
		t.Fatalf("stack 802.1Q on 802.1ad: %v", err)
	}
	outer, inner := mustGet(t, h, "svl100"), mustGet(t, h, "cvl200")
	if o := outer.Data.(*rtnl.VLAN); *o.Protocol != ad || *o.ID != 100 {
		t.Errorf("outer: %s %d", o.Protocol, *o.ID)
	}
	if i := inner.Data.(*rtnl.VLAN); *i.Protocol != q || *i.ID != 200 || inner.Parent != "svl100" {
		t.Errorf("inner: %s %d on %q", i.Protocol, *i.ID, inner.Parent)
	}
}

// The kernel itself refuses VLAN id 4095, with ERANGE (sent raw, past
// vlanraw's own check).
func TestKernelVLAN4095(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	h, _ := setup(t)
	p0 := mustGet(t, h, "p0")
	id := uint16(4095)
	err := h.Conn().NewLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
		Parent: uint32(p0.Index), Name: "v4095",
		Info: &rtnl.LinkInfo{Kind: "vlan", Data: &rtnl.VLAN{ID: &id}},
	}})
	if !errors.Is(err, unix.ERANGE) {
		t.Errorf("vlan id 4095: %v, want ERANGE", err)
	}
	t.Logf("kernel %s: vlan id 4095: %v", testenv.KernelRelease(), err)
}

// bclim (IFLA_MACVLAN_BC_CUTOFF) arrived in Linux 6.4: older kernels
// ignore the attribute, newer ones store it for the port and report it
// when it is not the default 1.
func TestKernelMACVlanBCCutoff(t *testing.T) {
	h, _ := setup(t)
	rel := testenv.KernelRelease()
	cut := int32(5)
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge), BCCutoff: &cut}); err != nil {
		t.Fatalf("kernel %s: create with bclim: %v", rel, err)
	}
	// A dump reply has room to spare; a single GETLINK is sized by the
	// driver's get_size, which some 6.4+ kernels got wrong for bclim.
	ls, err := h.List("macvlan")
	if err != nil || len(ls) != 1 {
		t.Fatalf("list: %v %d", err, len(ls))
	}
	dumped := ls[0].Data.(*rtnl.MACVlan).BCCutoff
	_, getErr := h.Get("mv0")
	newer := testenv.KernelAtLeast("6.4")
	switch {
	case !newer && dumped == nil:
		t.Logf("kernel %s (before 6.4) ignores bclim: not stored, not reported", rel)
	case newer && dumped != nil && *dumped == cut:
		t.Logf("kernel %s stores bclim and reports %d in a dump", rel, *dumped)
	default:
		t.Errorf("kernel %s: bclim reported as %v in a dump; want nothing before 6.4, %d from 6.4", rel, dumped, cut)
	}
	switch {
	case getErr == nil:
		t.Logf("kernel %s: single RTM_GETLINK of a macvlan with bclim %d works", rel, cut)
	case errors.Is(getErr, unix.EMSGSIZE) && newer:
		t.Logf("kernel %s: single RTM_GETLINK fails with EMSGSIZE (macvlan_get_size() lacks room for BC_CUTOFF; fixed upstream by fa92a77b0ed4): %v", rel, getErr)
	default:
		t.Errorf("kernel %s: single RTM_GETLINK: %v", rel, getErr)
	}
	if strings.HasPrefix(rel, "6.1.") && dumped != nil {
		t.Errorf("6.1 reported bclim %d", *dumped)
	}
}

// Creating a link directly in another namespace under a name that exists
// in the creating namespace: some kernels check the name where the
// request was made (EEXIST), others only in the target. Either way
// nothing may be left behind. This is why endpoints are created under a
// temporary name and renamed inside their namespace.
func TestKernelNameCheckedInCreatingNetNS(t *testing.T) {
	h, _ := setup(t)
	target, _ := testenv.NewNetNS(t)
	th, err := links.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	before := names(t, h)
	err = h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "p1", NetNS: target}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)})
	rel := testenv.KernelRelease()
	switch {
	case err == nil:
		if _, gerr := th.Get("p1"); gerr != nil {
			t.Fatalf("kernel %s: create succeeded but no p1 in the target: %v", rel, gerr)
		}
		t.Logf("kernel %s checks the new name only in the target namespace", rel)
	case errors.Is(err, unix.EEXIST):
		if _, gerr := th.Get("p1"); !errors.Is(gerr, unix.ENODEV) {
			t.Errorf("kernel %s: refused, yet the target has p1: %v", rel, gerr)
		}
		t.Logf("kernel %s checks the new name in the creating namespace too: %v", rel, err)
	default:
		t.Fatalf("kernel %s: %v", rel, err)
	}
	if d := cmp.Diff(before, names(t, h)); d != "" {
		t.Errorf("source namespace changed (-before +after):\n%s", d)
	}
}
