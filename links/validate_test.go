package links_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

func TestBadInput(t *testing.T) {
	h, _ := setup(t)
	mv := func(name string) *links.MACVlan {
		return &links.MACVlan{Attrs: links.Attrs{Name: name}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}
	}
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	tests := []struct {
		name    string
		spec    links.Spec
		invalid bool   // matches errdefs.ErrInvalid
		want    string // in the message
	}{
		{"empty name", mv(""), true, `invalid link name "": a link needs a name`},
		{"16 bytes", mv("abcdefghijklmnop"), true, "it has 16 bytes; the kernel allows at most 15"},
		{"slash", mv("a/b"), true, `invalid link name "a/b": it must not contain '/'`},
		{"space", mv("a b"), true, `invalid link name "a b": it must not contain white space`},
		{"vlan 4095", &links.VLAN{Attrs: links.Attrs{Name: "v0"}, Parent: "p0", ID: 4095}, true, `invalid vlan id "4095": VLAN ids run from 0 to 4094 (4095 is reserved)`},
		{"vlan 5000", &links.VLAN{Attrs: links.Attrs{Name: "v0"}, Parent: "p0", ID: 5000}, true, `invalid vlan id "5000"`},
		{"mtu above parent", &links.MACVlan{Attrs: links.Attrs{Name: "mv0", MTU: 9000}, Parent: "p0"}, true, `invalid mtu "9000": it is above the MTU of parent p0 (1500)`},
		{"mac on ipvlan", &links.IPVlan{Attrs: links.Attrs{Name: "ipv0", MAC: mac}, Parent: "p0"}, true, "ipvlan links share their parent's MAC address"},
		{"lo parent", &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "lo"}, true, `invalid parent "lo": the loopback interface cannot be the parent of a macvlan link`},
		{"missing parent", &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "eth9"}, false, `parent link "eth9" does not exist in this network namespace`},
		{"no parent", &links.IPVlan{Attrs: links.Attrs{Name: "ipv0"}}, true, "a ipvlan link needs a parent"},
		{"nopromisc without passthru", &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge), Flags: ptr(rtnl.MACVlanFlagNoPromisc)}, true, `invalid macvlan flag "nopromisc": it only applies to mode passthru`},
		{"nodst without source", &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeVEPA), Flags: ptr(rtnl.MACVlanFlagNoDst)}, true, `invalid macvlan flag "nodst": it only applies to mode source`},
		{"source list without source mode", &links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge), MACAddrMode: ptr(rtnl.MACAddrAdd), MACAddrs: []net.HardwareAddr{mac}}, true, `invalid macaddr "add": a source MAC list needs mode source`},
		{"multicast mac", &links.MACVlan{Attrs: links.Attrs{Name: "mv0", MAC: net.HardwareAddr{1, 0, 0x5e, 0, 0, 1}}, Parent: "p0"}, true, "must be a 6-byte unicast MAC"},
		{"ipvlan mode 3", &links.IPVlan{Attrs: links.Attrs{Name: "ipv0"}, Parent: "p0", Mode: ptr(rtnl.IPVlanMode(3))}, true, "use l2, l3 or l3s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := names(t, h)
			err := h.Create(tt.spec)
			if err == nil {
				t.Fatal("created; want an error")
			}
			if errors.Is(err, errdefs.ErrInvalid) != tt.invalid {
				t.Errorf("errors.Is(err, errdefs.ErrInvalid) = %v, want %v (%v)", !tt.invalid, tt.invalid, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if d := cmp.Diff(before, names(t, h)); d != "" {
				t.Errorf("links changed (-before +after):\n%s", d)
			}
		})
	}
}

func TestMissingParentIsNotExist(t *testing.T) {
	h, _ := setup(t)
	err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "eth9"})
	if !errors.Is(err, unix.ENODEV) {
		t.Errorf("errors.Is(%v, unix.ENODEV) = false", err)
	}
}

func TestSetBadInput(t *testing.T) {
	h, _ := setup(t)
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ch   links.Change
		want string
	}{
		{"source edit on bridge", links.Change{Options: &links.MACVlan{MACAddrMode: ptr(rtnl.MACAddrFlush)}}, "a source MAC list needs mode source"},
		{"into passthru", links.Change{Options: &links.MACVlan{Mode: ptr(rtnl.MACVlanModePassthru)}}, "cannot switch a link into or out of passthru"},
		{"kind change", links.Change{Options: &links.IPVlan{Mode: ptr(rtnl.IPVlanModeL2)}}, `link mv0 is a "macvlan" link`},
		{"bad rename", links.Change{Name: "x/y"}, "must not contain '/'"},
	} {
		err := h.Set("mv0", c.ch)
		if !errors.Is(err, errdefs.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want errdefs.ErrInvalid saying %q", c.name, err, c.want)
		}
	}
	l, err := h.Get("mv0")
	if err != nil || *l.Data.(*rtnl.MACVlan).Mode != rtnl.MACVlanModeBridge {
		t.Errorf("link changed: %+v %v", l, err)
	}
}
