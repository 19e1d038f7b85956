package links_test

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// setup returns a Handle in a fresh namespace holding a veth pair p0/p1,
// both up.
func setup(t *testing.T) (*links.Handle, *netns.NS) {
	t.Helper()
	ns, _ := testenv.NewNetNS(t)
	h := openIn(t, ns)
	err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true}})
	if err != nil {
		t.Fatalf("create veth parent: %v", err)
	}
	return h, ns
}

// openIn returns a Handle in ns, closed when the test ends.
func openIn(t *testing.T, ns *netns.NS) *links.Handle {
	t.Helper()
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func names(t *testing.T, h *links.Handle) []string {
	t.Helper()
	ls, err := h.List("")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }

func TestMACVlanModes(t *testing.T) {
	h, _ := setup(t)
	for _, mode := range []rtnl.MACVlanMode{rtnl.MACVlanModePrivate, rtnl.MACVlanModeVEPA,
		rtnl.MACVlanModeBridge, rtnl.MACVlanModePassthru, rtnl.MACVlanModeSource} {
		for _, tap := range []bool{false, true} {
			s := &links.MACVlan{Attrs: links.Attrs{Name: "mv-" + mode.String()}, Parent: "p0", Mode: &mode, Tap: tap}
			if err := h.Create(s); err != nil {
				t.Fatalf("create %s %s: %v", s.Kind(), mode, err)
			}
			l, err := h.Get(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			var got *rtnl.MACVlan
			switch d := l.Data.(type) {
			case *rtnl.MACVlan:
				got = d
			case *rtnl.MACVtap:
				got = &d.MACVlan
			}
			if l.Kind != s.Kind() || got == nil || got.Mode == nil || *got.Mode != mode {
				t.Errorf("%s %s: kernel reports kind %q data %+v", s.Kind(), mode, l.Kind, l.Data)
			}
			if l.Parent != "p0" {
				t.Errorf("%s: parent %q, want p0", s.Name, l.Parent)
			}
			if err := h.Delete(s.Name); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCommonAttrs(t *testing.T) {
	h, _ := setup(t)
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0x10, 0x01}
	s := &links.MACVlan{Attrs: links.Attrs{Name: "mv0", MTU: 1400, MAC: mac, TxQueueLen: ptr[uint32](77), Group: ptr[uint32](9), Up: true},
		Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}
	if err := h.Create(s); err != nil {
		t.Fatal(err)
	}
	l, err := h.Get("mv0")
	if err != nil {
		t.Fatal(err)
	}
	got := []any{l.MTU, l.MAC.String(), l.TxQueueLen, l.Group, l.Up()}
	want := []any{uint32(1400), mac.String(), uint32(77), uint32(9), true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("kernel reports (-want +got):\n%s", d)
	}
}

// TestAlias sets, reads back and clears a link's alias (IFLA_IFALIAS),
// which vlanraw's marks use, and checks that the kernel ignores it in the
// request that creates the link, as vlanraw's marks assume.
func TestAlias(t *testing.T) {
	h, _ := setup(t)
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
		t.Fatal(err)
	}
	alias := func() string {
		l, err := h.Get("mv0")
		if err != nil {
			t.Fatal(err)
		}
		return l.Alias
	}
	for _, want := range []string{"vlanraw:0123abcd:0123456789ab:ba9876543210", ""} {
		if err := h.Conn().SetLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: "mv0", Alias: &want}}); err != nil {
			t.Fatal(err)
		}
		if got := alias(); got != want {
			t.Errorf("alias %q after setting %q", got, want)
		}
	}
	p0, err := h.Get("p0")
	if err != nil {
		t.Fatal(err)
	}
	created := "set at creation"
	m := &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: "mv1", Alias: &created, Parent: uint32(p0.Index),
		Info: &rtnl.LinkInfo{Kind: "macvlan"}}}
	if _, err := h.Conn().Execute("create", "mv1", unix.RTM_NEWLINK, netlink.Request|netlink.Acknowledge|netlink.Create|netlink.Excl, m); err != nil {
		t.Fatal(err)
	}
	if l, err := h.Get("mv1"); err != nil || l.Alias != "" {
		t.Errorf("a link created with an alias reports %q (%v): the kernel took it at creation; vlanraw's marks can be set there", l.Alias, err)
	}
}

func TestCreateInOtherNetNS(t *testing.T) {
	h, _ := setup(t)
	target, _ := testenv.NewNetNS(t)
	th, err := links.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	s := &links.MACVlan{Attrs: links.Attrs{Name: "eth0", NetNS: target, Up: true}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}
	if err := h.Create(s); err != nil {
		t.Fatal(err)
	}
	l, err := th.Get("eth0")
	if err != nil {
		t.Fatalf("link not in target namespace: %v", err)
	}
	if l.Kind != "macvlan" || l.Msg.Attributes.LinkNetNSID == nil || !l.Up() {
		t.Errorf("target link: kind %q link-netnsid %v up %v, want an up macvlan with a peer parent", l.Kind, l.Msg.Attributes.LinkNetNSID, l.Up())
	}
	if _, err := h.Get("eth0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("eth0 also in the source namespace: %v", err)
	}
}

func TestSourceList(t *testing.T) {
	h, _ := setup(t)
	a := net.HardwareAddr{2, 0, 0, 0, 0, 0xa}
	b := net.HardwareAddr{2, 0, 0, 0, 0, 0xb}
	c := net.HardwareAddr{2, 0, 0, 0, 0, 0xc}
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "src0"}, Parent: "p0",
		Mode: ptr(rtnl.MACVlanModeSource), Flags: ptr(rtnl.MACVlanFlagNoDst),
		MACAddrMode: ptr(rtnl.MACAddrSet), MACAddrs: []net.HardwareAddr{a, b}}); err != nil {
		t.Fatal(err)
	}
	list := func() []string {
		l, err := h.Get("src0")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range l.Data.(*rtnl.MACVlan).MACAddrData {
			out = append(out, m.String())
		}
		sort.Strings(out)
		return out
	}
	edit := func(m rtnl.MACAddrMode, macs ...net.HardwareAddr) {
		t.Helper()
		o := &links.MACVlan{MACAddrMode: &m, MACAddrs: macs}
		if err := h.Set("src0", links.Change{Options: o}); err != nil {
			t.Fatalf("macaddr %s: %v", m, err)
		}
	}
	steps := []struct {
		do   func()
		want []string
	}{
		{func() {}, []string{a.String(), b.String()}},
		{func() { edit(rtnl.MACAddrAdd, c) }, []string{a.String(), b.String(), c.String()}},
		{func() { edit(rtnl.MACAddrDel, a) }, []string{b.String(), c.String()}},
		{func() { edit(rtnl.MACAddrSet, a) }, []string{a.String()}},
		{func() { edit(rtnl.MACAddrFlush) }, nil},
	}
	for i, s := range steps {
		s.do()
		if d := cmp.Diff(s.want, list()); d != "" {
			t.Errorf("step %d: source list (-want +got):\n%s", i, d)
		}
	}
}

func TestSetModeAndRename(t *testing.T) {
	h, _ := setup(t)
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
		t.Fatal(err)
	}
	change := links.Change{Options: &links.MACVlan{Mode: ptr(rtnl.MACVlanModePrivate), BCQueueLen: ptr[uint32](321)},
		MTU: ptr[uint32](1300), Up: ptr(true), Name: "mv1"}
	bcq := testenv.KernelAtLeast("5.11")
	if !bcq {
		// Refused whole, before anything changed.
		var ke *links.KernelError
		if err := h.Set("mv0", change); !errors.As(err, &ke) || ke.Since != "5.11" {
			t.Fatalf("kernel %s: set with bcqueuelen: %v; want a *KernelError naming Linux 5.11", testenv.KernelRelease(), err)
		}
		mustGet(t, h, "mv0")
		change.Options.(*links.MACVlan).BCQueueLen = nil
	}
	if err := h.Set("mv0", change); err != nil {
		t.Fatal(err)
	}
	l, err := h.Get("mv1")
	if err != nil {
		t.Fatal(err)
	}
	d := l.Data.(*rtnl.MACVlan)
	if *d.Mode != rtnl.MACVlanModePrivate || l.MTU != 1300 || !l.Up() {
		t.Errorf("after set: mode %v mtu %d up %v", d.Mode, l.MTU, l.Up())
	}
	if bcq && (d.BCQueueLen == nil || *d.BCQueueLen != 321) {
		t.Errorf("after set: bcqueuelen %v, want 321", d.BCQueueLen)
	}
	if _, err := h.Get("mv0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("old name still resolves: %v", err)
	}
}

// TestDeleteAllGroups deletes links that are the whole of a group (one
// group delete as it is) and links that are part of one (moved to a group
// of their own first): each time exactly the named links go, and the rest
// keep their groups.
func TestDeleteAllGroups(t *testing.T) {
	h, _ := setup(t)
	before := names(t, h)
	create := func(prefix string, group uint32) []string {
		var ns []string
		for i := range 6 {
			n := fmt.Sprintf("%s%d", prefix, i)
			g := group
			if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: n, Group: &g}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
				t.Fatal(err)
			}
			ns = append(ns, n)
		}
		return ns
	}
	whole, part := create("wg", 7), create("pg", 8)
	if err := h.DeleteAll(whole); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(sorted(before, part...), names(t, h)); d != "" {
		t.Errorf("after deleting group 7 (-want +got):\n%s", d)
	}
	if err := h.DeleteAll(part[:4]); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(sorted(before, part[4:]...), names(t, h)); d != "" {
		t.Errorf("after deleting 4 of group 8 (-want +got):\n%s", d)
	}
	for _, n := range part[4:] {
		l, err := h.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		if l.Group != 8 {
			t.Errorf("%s: group %d after its neighbours' deletion, want 8", n, l.Group)
		}
	}
}

// sorted returns a and more in one sorted slice, as names returns them.
func sorted(a []string, more ...string) []string {
	all := append(append([]string(nil), a...), more...)
	sort.Strings(all)
	return all
}

func TestDeleteAll(t *testing.T) {
	h, _ := setup(t)
	before := names(t, h)
	var made []string
	for i := range 40 {
		n := "mv" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: n}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
			t.Fatal(err)
		}
		made = append(made, n)
	}
	// A missing name deletes nothing and leaves groups as they were.
	err := h.DeleteAll(append(made[:3:3], "nosuch"))
	if !errors.Is(err, unix.ENODEV) {
		t.Fatalf("DeleteAll with a missing link: %v, want ENODEV", err)
	}
	if got := len(names(t, h)); got != len(before)+40 {
		t.Fatalf("after failed DeleteAll: %d links, want %d", got, len(before)+40)
	}
	if err := h.DeleteAll(made); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, names(t, h)); d != "" {
		t.Errorf("links after DeleteAll (-want +got):\n%s", d)
	}
}
