package rtnl_test

import (
	"errors"
	"net"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestLivePipeline sends an address, the same address again, and the
// change that renames the link and brings it up in one Pipeline: the
// kernel refuses the second with EEXIST, reported for that request alone
// and named as AddAddress names it, and applies the others, in order.
func TestLivePipeline(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	c, p0 := dialWithVeth(t, ns)
	addr := &net.IPNet{IP: net.IPv4(192, 0, 2, 1).To4(), Mask: net.CIDRMask(24, 32)}
	add := rtnl.AddAddressRequest(rtnl.NewAddressMessage(uint32(p0.Index), addr, 0))
	up := rtnl.SetLinkRequest(&rtnl.LinkMessage{Index: p0.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP,
		Attributes: rtnl.LinkAttributes{Name: "eth0"}})
	errs, err := c.Pipeline([]rtnl.Request{add, add, up})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 3 || errs[0] != nil || errs[2] != nil {
		t.Fatalf("errors %v, want only the second request's", errs)
	}
	var oe *rtnl.OpError
	if !errors.Is(errs[1], unix.EEXIST) || !errors.As(errs[1], &oe) || oe.Op != "add address" || oe.Name != "192.0.2.1" {
		t.Errorf("second request: %v (%#v), want EEXIST from add address 192.0.2.1", errs[1], oe)
	}
	got, err := c.GetLinkIndex(p0.Index)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attributes.Name != "eth0" || got.Flags&unix.IFF_UP == 0 {
		t.Errorf("link %d is %s, flags %#x: want eth0, up", p0.Index, got.Attributes.Name, got.Flags)
	}
	as, err := c.ListAddresses(unix.AF_INET, uint32(p0.Index))
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || !as[0].Attributes.Address.Equal(addr.IP) {
		t.Errorf("addresses %v, want 192.0.2.1 alone", as)
	}
}
