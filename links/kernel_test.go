package links_test

// Kernel-behaviour regression checks: what the kernel itself does with
// these links, recorded per kernel release.

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
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
	err := h.Set("ipv1", links.Change{Options: &links.IPVlan{Mode: ptr(rtnl.IPVlanModeL3S), Flag: ptr(rtnl.IPVlanFlagVEPA)}})
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

// TestKernelMACVlanLateSettings covers the macvlan settings newer than
// Linux 5.10: bcqueuelen (IFLA_MACVLAN_BC_QUEUE_LEN, 5.11) and bclim
// (IFLA_MACVLAN_BC_CUTOFF, 6.4). Asked directly, a kernel older than the
// setting ignores the attribute without a word and reports nothing; a
// newer one stores and reports it. links refuses the setting on an older
// kernel with a *KernelError, in Create (nothing is created) and in Set
// (nothing changes), and passes it on otherwise.
func TestKernelMACVlanLateSettings(t *testing.T) {
	bridge := rtnl.MACVlanModeBridge
	for _, tt := range []struct {
		name, since string
		data        rtnl.MACVlan
		reported    func(d *rtnl.MACVlan) bool
	}{
		{"bcqueuelen", "5.11", rtnl.MACVlan{Mode: &bridge, BCQueueLen: ptr[uint32](321)},
			func(d *rtnl.MACVlan) bool { return d.BCQueueLen != nil && *d.BCQueueLen == 321 }},
		{"bclim", "6.4", rtnl.MACVlan{Mode: &bridge, BCCutoff: ptr[int32](5)},
			func(d *rtnl.MACVlan) bool { return d.BCCutoff != nil && *d.BCCutoff == 5 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := setup(t)
			rel, has := testenv.KernelRelease(), testenv.KernelAtLeast(tt.since)

			// The kernel itself.
			p0 := mustGet(t, h, "p0")
			data := tt.data
			err := h.Conn().NewLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
				Name: "raw0", Parent: uint32(p0.Index), Info: &rtnl.LinkInfo{Kind: "macvlan", Data: &data},
			}})
			if err != nil {
				t.Fatalf("kernel %s: create with %s: %v", rel, tt.name, err)
			}
			switch got := tt.reported(mustGet(t, h, "raw0").Data.(*rtnl.MACVlan)); {
			case got != has:
				t.Errorf("kernel %s reports %s as set: %v; want %v (it arrived in Linux %s)", rel, tt.name, got, has, tt.since)
			case has:
				t.Logf("kernel %s stores and reports %s", rel, tt.name)
			default:
				t.Logf("kernel %s (before %s) ignores %s: not stored, not reported", rel, tt.since, tt.name)
			}

			// links.
			spec := &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: &bridge, BCQueueLen: tt.data.BCQueueLen, BCCutoff: tt.data.BCCutoff}
			cerr := h.Create(spec)
			serr := h.Set("raw0", links.Change{Options: &links.MACVlan{BCQueueLen: tt.data.BCQueueLen, BCCutoff: tt.data.BCCutoff}, MTU: ptr[uint32](1400)})
			if has {
				if cerr != nil || serr != nil {
					t.Errorf("kernel %s: create with %s: %v; set: %v", rel, tt.name, cerr, serr)
				}
				return
			}
			for op, err := range map[string]error{"create": cerr, "set": serr} {
				var ke *links.KernelError
				if !errors.As(err, &ke) || ke.Since != tt.since || !errors.Is(err, errdefs.ErrNotSupported) ||
					!strings.Contains(err.Error(), "Linux "+tt.since) || !strings.Contains(err.Error(), rel) {
					t.Errorf("kernel %s: %s with %s: %v; want a *KernelError naming the kernel and Linux %s", rel, op, tt.name, err, tt.since)
				}
			}
			if _, err := h.Get("mv0"); !errors.Is(err, unix.ENODEV) {
				t.Errorf("refused create left mv0 behind: %v", err)
			}
			if mtu := mustGet(t, h, "raw0").MTU; mtu == 1400 {
				t.Errorf("refused set changed the MTU")
			}
		})
	}
}

// TestKernelMACVlanBCCutoffReplies is the regression test of macvlan's
// get_size, which lacked room for IFLA_MACVLAN_BC_CUTOFF from Linux 6.4
// until upstream fa92a77b0ed4 (stable 77ecfa4e27f2, April 2026): with
// bclim other than 1 the kernel could not build a single-link
// RTM_GETLINK reply (EMSGSIZE, with a WARN). For bclim 5, 0 and -1 it
// records what the kernel does with a single RTM_GETLINK and a dump sent
// directly, and checks that links' Get and List work either way (rtnl
// answers an EMSGSIZE get from a dump). Inside vmtest the matrix's
// kernels that have bclim, Debian's 6.12 (fixed since 6.12.94-1) and 7.x,
// must answer the single get themselves.
func TestKernelMACVlanBCCutoffReplies(t *testing.T) {
	testenv.RequireKernel(t, "6.4", "macvlan bclim (IFLA_MACVLAN_BC_CUTOFF)")
	for _, cut := range []int32{5, 0, -1} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			h, ns := setup(t)
			rel := testenv.KernelRelease()
			if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge), BCCutoff: &cut}); err != nil {
				t.Fatalf("kernel %s: create with bclim %d: %v", rel, cut, err)
			}
			getErr, dumpErr := rawGetLink(t, ns, "mv0"), rawGetLink(t, ns, "")
			switch {
			case getErr == nil:
				t.Logf("kernel %s: single RTM_GETLINK of a macvlan with bclim %d works", rel, cut)
			case errors.Is(getErr, unix.EMSGSIZE) && os.Getenv("VLANRAW_TESTENV") == "vm" && testenv.KernelAtLeast("6.12.94"):
				t.Errorf("kernel %s: single RTM_GETLINK fails with EMSGSIZE, though this kernel has the fix of macvlan_get_size", rel)
			case errors.Is(getErr, unix.EMSGSIZE):
				t.Logf("kernel %s: single RTM_GETLINK fails with EMSGSIZE (macvlan_get_size lacks room for IFLA_MACVLAN_BC_CUTOFF): %v", rel, getErr)
			default:
				t.Errorf("kernel %s: single RTM_GETLINK: %v", rel, getErr)
			}
			if dumpErr != nil {
				t.Errorf("kernel %s: RTM_GETLINK dump with a macvlan with bclim %d: %v", rel, cut, dumpErr)
			}
			l, err := h.Get("mv0")
			if err != nil {
				t.Fatalf("kernel %s: Get of a macvlan with bclim %d: %v", rel, cut, err)
			}
			if got := l.Data.(*rtnl.MACVlan).BCCutoff; got == nil || *got != cut {
				t.Errorf("kernel %s: Get reports bclim %v, want %d", rel, got, cut)
			}
			ls, err := h.List("macvlan")
			if err != nil || len(ls) != 1 {
				t.Fatalf("kernel %s: List: %v (%d links)", rel, err, len(ls))
			}
			if got := ls[0].Data.(*rtnl.MACVlan).BCCutoff; got == nil || *got != cut {
				t.Errorf("kernel %s: List reports bclim %v, want %d", rel, got, cut)
			}
		})
	}
}

// rawGetLink sends RTM_GETLINK for name (a dump when name is "") with
// the extended mask iproute2 uses (RTEXT_FILTER_VF), on a socket of its
// own, without rtnl's fallbacks, and returns the kernel's error.
func rawGetLink(t *testing.T, ns *netns.NS, name string) error {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ae := netlink.NewAttributeEncoder()
	flags := netlink.Request
	if name != "" {
		ae.String(unix.IFLA_IFNAME, name)
	} else {
		flags |= netlink.Dump
	}
	ae.Uint32(unix.IFLA_EXT_MASK, 1) // RTEXT_FILTER_VF
	attrs, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: flags},
		Data:   append(make([]byte, unix.SizeofIfInfomsg), attrs...),
	})
	return err
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
