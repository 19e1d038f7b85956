package rtnl_test

import (
	"net"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jsimonetti/rtnetlink/v2"
	// As in any program that also uses upstream's drivers (package links
	// does, for veth): they must not take vlanraw's kinds.
	_ "github.com/jsimonetti/rtnetlink/v2/driver"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// upstreamDrivers is the package of rtnetlink's own drivers.
const upstreamDrivers = "github.com/jsimonetti/rtnetlink/v2/driver"

// vlanrawOnly are the kinds that rtnetlink.LinkMessage must decode with
// vlanraw's drivers: upstream's driver package (v2.0.2) has none of its
// own for them. An upgrade that adds one, as upstream's master does for
// macvlan and vlan, takes the kind over (see rtnl's init), and this list
// says which kinds must then be looked at.
var vlanrawOnly = map[string]bool{
	"ipvlan": true, "ipvtap": true, "macvlan": true, "macvtap": true, "vlan": true, "dummy": true,
}

// driverSamples hold, for each kind of the table with a driver, data that
// sets every attribute a request can carry.
var driverSamples = map[string]rtnetlink.LinkDriver{
	"ipvlan": &rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL3S), Flags: ptr(rtnl.IPVlanFlagVEPA)},
	"ipvtap": &rtnl.IPVtap{IPVlan: rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL2), Flags: ptr(rtnl.IPVlanFlagPrivate)}},
	"macvlan": &rtnl.MACVlan{
		Mode: ptr(rtnl.MACVlanModeSource), Flags: ptr(rtnl.MACVlanFlagNoDst), MACAddrMode: ptr(rtnl.MACAddrSet),
		MACAddrData: []net.HardwareAddr{mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")},
		BCQueueLen:  ptr[uint32](100), BCCutoff: ptr[int32](-1),
	},
	"macvtap": &rtnl.MACVtap{MACVlan: rtnl.MACVlan{Mode: ptr(rtnl.MACVlanModeBridge), MACAddrMode: ptr(rtnl.MACAddrAdd), MACAddr: mac("02:00:00:00:00:03")}},
	"vlan": &rtnl.VLAN{
		ID: ptr[uint16](100), Protocol: ptr(rtnl.VLANProtocol8021AD),
		IngressQoS: []rtnl.QoSMapping{{From: 1, To: 2}}, EgressQoS: []rtnl.QoSMapping{{From: 3, To: 4}},
		Flags: &rtnl.VLANFlags{Flags: rtnl.VLANFlagGVRP, Mask: rtnl.VLANFlagGVRP | rtnl.VLANFlagMVRP},
	},
	"dummy": &rtnl.Dummy{},
	"netkit": &rtnl.Netkit{
		Mode: ptr(rtnl.NetkitModeL2), Policy: ptr(rtnl.NetkitBlackhole), Scrub: ptr(rtnl.NetkitScrubNone),
		PeerPolicy: ptr(rtnl.NetkitForward), PeerScrub: ptr(rtnl.NetkitScrubDefault),
		Peer: &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: "nk1", MTU: 1400}},
	},
}

// linkWithData returns an RTM_NEWLINK payload for a link of kind whose
// IFLA_INFO_DATA is d's encoding, present even when empty.
func linkWithData(t *testing.T, kind string, d rtnetlink.LinkDriver) []byte {
	t.Helper()
	dae := netlink.NewAttributeEncoder()
	if err := d.Encode(dae); err != nil {
		t.Fatal(err)
	}
	data, err := dae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	ae := netlink.NewAttributeEncoder()
	ae.String(unix.IFLA_IFNAME, "x0")
	ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
		nae.String(unix.IFLA_INFO_KIND, kind)
		nae.Bytes(unix.IFLA_INFO_DATA, data)
		return nil
	})
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return append(make([]byte, unix.SizeofIfInfomsg), b...)
}

// TestRegisteredDrivers decodes a link of each kind of the table that has
// a driver with rtnetlink.LinkMessage, in a program that also has
// upstream's drivers, and requires vlanraw's driver, with the data sent,
// for the kinds only vlanraw decodes; for the others, upstream's (which
// registered first, see rtnl's init) or vlanraw's. rtnl.LinkMessage must
// decode every kind with vlanraw's.
func TestRegisteredDrivers(t *testing.T) {
	for kind := range vlanrawOnly {
		if rtnl.NewDriver(kind) == nil {
			t.Errorf("kind %s has no driver in rtnl's table", kind)
		}
	}
	for _, k := range rtnl.Kinds() {
		want := k.NewDriver()
		if want == nil {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			sample, ok := driverSamples[k.Name]
			if !ok {
				t.Fatalf("no sample data for kind %s: add one to driverSamples", k.Name)
			}
			b := linkWithData(t, k.Name, sample)

			var own rtnl.LinkMessage
			if err := own.UnmarshalBinary(b); err != nil {
				t.Fatalf("rtnl.LinkMessage: %v", err)
			}
			if diff := cmp.Diff(sample, own.Attributes.Info.Data); diff != "" {
				t.Errorf("rtnl.LinkMessage decodes %s as (-sent +decoded):\n%s", k.Name, diff)
			}

			var m rtnetlink.LinkMessage
			if err := m.UnmarshalBinary(b); err != nil {
				t.Fatalf("rtnetlink.LinkMessage: %v", err)
			}
			if m.Attributes == nil || m.Attributes.Info == nil {
				t.Fatalf("rtnetlink.LinkMessage decoded no link info: %+v", m.Attributes)
			}
			got := m.Attributes.Info.Data
			gotType, wantType := reflect.TypeOf(got), reflect.TypeOf(want)
			switch {
			case gotType == wantType:
				if diff := cmp.Diff(sample, got); diff != "" {
					t.Errorf("rtnetlink.LinkMessage decodes %s as (-sent +decoded):\n%s", k.Name, diff)
				}
			case vlanrawOnly[k.Name]:
				t.Errorf("rtnetlink.LinkMessage decodes %s with %v, not vlanraw's %v: a %s driver was registered before vlanraw's, such as upstream's after an upgrade of rtnetlink (see rtnl's init)",
					k.Name, gotType, wantType, k.Name)
			case gotType == nil || gotType.Kind() != reflect.Pointer || gotType.Elem().PkgPath() != upstreamDrivers:
				t.Errorf("rtnetlink.LinkMessage decodes %s with %v, neither vlanraw's %v nor upstream's", k.Name, gotType, wantType)
			default:
				t.Logf("rtnetlink.LinkMessage decodes %s with upstream's %v; rtnl.LinkMessage with vlanraw's %v", k.Name, gotType, wantType)
			}
		})
	}
}
