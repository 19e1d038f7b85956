package links_test

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// TestPipeline configures a new link as package modes does, in one
// round trip: an address, arp_notify, then up under a new name. Each
// effect is read back from the kernel.
func TestPipeline(t *testing.T) {
	h, ns := setup(t)
	if err := h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mv0"}, Parent: "p0", Mode: ptr(rtnl.MACVlanModeBridge)}); err != nil {
		t.Fatal(err)
	}
	index := mustGet(t, h, "mv0").Index
	addr := netip.MustParsePrefix("192.0.2.10/24")
	arp, err := links.ChangeRequest(index, links.Change{IPv4Conf: []rtnl.IPv4Conf{{ID: rtnl.IPv4ConfARPNotify, Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	up, err := links.ChangeRequest(index, links.Change{Up: ptr(true), Name: "eth0"})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := h.Pipeline([]rtnl.Request{links.AddAddressRequest(index, addr, true), arp, up})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	l := mustGet(t, h, "eth0")
	if l.Index != index || !l.Up() {
		t.Errorf("eth0: index %d up %v, want %d true", l.Index, l.Up(), index)
	}
	as, err := h.Addresses(index)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(as, addr) {
		t.Errorf("addresses %v, want %v among them", as, addr)
	}
	if got := arpNotify(t, ns, "eth0"); got != "1" {
		t.Errorf("arp_notify is %s, want 1", got)
	}
}

// TestChangeRequestRefused: a pipelined change cannot carry options
// (they need the link's current state) nor a bad name.
func TestChangeRequestRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		change links.Change
		want   string
	}{
		{"options", links.Change{Options: &links.MACVlan{Mode: ptr(rtnl.MACVlanModeVEPA)}}, "use SetIndex"},
		{"name", links.Change{Name: "a/b"}, "a/b"},
	} {
		_, err := links.ChangeRequest(2, c.change)
		if !errors.Is(err, errdefs.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrInvalid saying %q", c.name, err, c.want)
		}
	}
	if _, err := links.ChangeRequest(2, links.Change{MTU: ptr[uint32](0)}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("mtu 0: %v, want ErrInvalid", err)
	}
}
