package links_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// TestSetIndex changes a link by index, as package modes does for the
// links it has just made: IPv4 settings in one request, then up, group,
// alias and a new name in another, then the kind's options (which needs a
// lookup), and deletes it by index. Each step is checked against what the
// kernel reports.
func TestSetIndex(t *testing.T) {
	h, ns := setup(t)
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
		t.Fatal(err)
	}
	index := mustGet(t, h, "mv0").Index

	arp := links.Change{IPv4Conf: []rtnl.IPv4Conf{{ID: rtnl.IPv4ConfARPNotify, Value: 1}}}
	if err := h.SetIndex(index, arp); err != nil {
		t.Fatalf("set arp_notify: %v", err)
	}
	if got := arpNotify(t, ns, "mv0"); got != "1" {
		t.Errorf("arp_notify is %s, want 1", got)
	}

	group, alias := uint32(7), "vlanraw test"
	if err := h.SetIndex(index, links.Change{Up: ptr(true), Group: &group, Alias: &alias, Name: "mv1"}); err != nil {
		t.Fatalf("set up, group, alias, name: %v", err)
	}
	l := mustGet(t, h, "mv1")
	if l.Index != index || !l.Up() || l.Group != group || l.Alias != alias {
		t.Errorf("after set: index %d up %v group %d alias %q; want %d true %d %q", l.Index, l.Up(), l.Group, l.Alias, index, group, alias)
	}

	if err := h.SetIndex(index, links.Change{Options: &links.MACVlan{Mode: ptr(rtnl.MACVlanModePrivate)}}); err != nil {
		t.Fatalf("set mode private: %v", err)
	}
	if m := mustGet(t, h, "mv1").Data.(*rtnl.MACVlan).Mode; m == nil || *m != rtnl.MACVlanModePrivate {
		t.Errorf("mode after set is %v, want private", m)
	}

	if err := h.DeleteIndex(index); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := h.Get("mv1"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("after DeleteIndex: %v, want ENODEV", err)
	}
	if err := h.DeleteIndex(index); !errors.Is(err, unix.ENODEV) {
		t.Errorf("deleting index %d again: %v, want ENODEV", index, err)
	}
}

// TestSetOptionsRefused checks the options a Change cannot carry: a spec
// with common attributes or a parent (which would be ignored), a kind
// whose options vlanraw cannot change, and the other kind's options. The
// link must stay as it was.
func TestSetOptionsRefused(t *testing.T) {
	h, _ := setup(t)
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "v0"}, Peer: links.Attrs{Name: "v1"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, link string
		options    links.Spec
		want       string
	}{
		{"attributes", "mv0", &links.MACVlan{Attrs: links.Attrs{MTU: 1400}, Mode: ptr(rtnl.MACVlanModeVEPA)}, "only the kind's own options"},
		{"parent", "mv0", &links.MACVlan{Parent: "p1", Mode: ptr(rtnl.MACVlanModeVEPA)}, "only the kind's own options"},
		{"veth", "v0", &links.Veth{}, "changing veth links is not supported"},
		{"kind", "v0", &links.MACVlan{Mode: ptr(rtnl.MACVlanModeVEPA)}, `link v0 is a "veth" link`},
	} {
		err := h.Set(c.link, links.Change{Options: c.options})
		if !errors.Is(err, errdefs.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrInvalid saying %q", c.name, err, c.want)
		}
	}
	l := mustGet(t, h, "mv0")
	if m := l.Data.(*rtnl.MACVlan).Mode; l.MTU == 1400 || m == nil || *m != rtnl.MACVlanModeBridge {
		t.Errorf("mv0 changed: mtu %d mode %v", l.MTU, m)
	}
}

// arpNotify reads the arp_notify sysctl of the link name in ns.
func arpNotify(t *testing.T, ns *netns.NS, name string) string {
	t.Helper()
	var b []byte
	if err := ns.Do(func() (err error) {
		b, err = os.ReadFile("/proc/sys/net/ipv4/conf/" + name + "/arp_notify")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
