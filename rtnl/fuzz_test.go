package rtnl_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// The fuzz targets decode arbitrary bytes and, when that succeeds, encode
// the result, decode it again and require the two decodes to agree. They
// must never panic. Run one with
//
//	go test -run='^$' -fuzz='^FuzzMACVlan$' -fuzztime=10s ./rtnl/
//
// What survives the round trip is what a request can carry. Dropped on
// purpose, and so left out of the comparison by sendable:
//
//   - the read-only attributes: IFLA_MACVLAN_MACADDR_COUNT and
//     IFLA_MACVLAN_BC_QUEUE_LEN_USED (the kernel rejects both with EINVAL
//     in a request, so a decoded link sent back as a change must not carry
//     them), IFLA_NETKIT_PRIMARY (rejected likewise), and LinkAttributes'
//     reported fields from Broadcast on, plus LinkInfo.SlaveKind;
//   - attributes rtnl does not know, and IFLA_INFO_DATA of kinds it has
//     no driver for;
//   - empty hardware addresses (IFLA_ADDRESS, IFLA_MACVLAN_MACADDR): an
//     empty address is not sent, so it comes back absent.
//
// Everything else must come back as it was, including empty but present
// lists (an empty IFLA_MACVLAN_MACADDR_DATA nest empties a source list).

// sendable returns a copy of d without what a request does not carry.
func sendable(d rtnetlink.LinkDriver) rtnetlink.LinkDriver {
	switch d := d.(type) {
	case *rtnl.MACVlan:
		c := sendableMACVlan(*d)
		return &c
	case *rtnl.MACVtap:
		return &rtnl.MACVtap{MACVlan: sendableMACVlan(d.MACVlan)}
	case *rtnl.Netkit:
		c := *d
		c.Primary = nil
		if c.Peer != nil {
			p := sendableLink(*c.Peer)
			c.Peer = &p
		}
		return &c
	}
	return d
}

func sendableMACVlan(v rtnl.MACVlan) rtnl.MACVlan {
	v.MACAddrCount, v.BCQueueLenUsed = nil, nil
	if len(v.MACAddr) == 0 {
		v.MACAddr = nil
	}
	return v
}

// sendableLink returns a copy of m without what a request does not carry.
func sendableLink(m rtnl.LinkMessage) rtnl.LinkMessage {
	a := &m.Attributes
	a.Broadcast, a.Master, a.OperState, a.LinkMode, a.Promiscuity = nil, 0, 0, 0, 0
	a.MinMTU, a.MaxMTU, a.Qdisc, a.NumTx, a.NumRx, a.LinkNetNSID = 0, 0, "", 0, 0, nil
	if len(a.Address) == 0 {
		a.Address = nil
	}
	if a.Info != nil {
		info := *a.Info
		info.SlaveKind = ""
		if info.Data != nil {
			info.Data = sendable(info.Data)
		}
		a.Info = &info
	}
	return m
}

// decodeData decodes b, the contents of IFLA_INFO_DATA, into d.
func decodeData(d rtnetlink.LinkDriver, b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	if err := d.Decode(ad); err != nil {
		return err
	}
	return ad.Err()
}

// encodeData encodes d as the contents of IFLA_INFO_DATA.
func encodeData(d rtnetlink.LinkDriver) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if err := d.Encode(ae); err != nil {
		return nil, err
	}
	return ae.Encode()
}

// infoData returns the kind and IFLA_INFO_DATA of a link message, or
// false when it has none.
func infoData(payload []byte) (string, []byte, bool) {
	if len(payload) < 16 {
		return "", nil, false
	}
	ad, err := netlink.NewAttributeDecoder(payload[16:])
	if err != nil {
		return "", nil, false
	}
	var kind string
	var data []byte
	for ad.Next() {
		if ad.Type() != unix.IFLA_LINKINFO {
			continue
		}
		ad.Nested(func(nad *netlink.AttributeDecoder) error {
			for nad.Next() {
				switch nad.Type() {
				case unix.IFLA_INFO_KIND:
					kind = nad.String()
				case unix.IFLA_INFO_DATA:
					data = nad.Bytes()
				}
			}
			return nil
		})
	}
	return kind, data, ad.Err() == nil && data != nil
}

// seeds returns the link messages of testdata/golden and testdata/replies,
// in a stable order.
func seeds(tb testing.TB) [][]byte {
	var out [][]byte
	for _, dir := range []string{"golden", "replies"} {
		cs := readCaptures(tb, dir)
		for _, name := range slices.Sorted(maps.Keys(cs)) {
			out = append(out, cs[name].Payload)
		}
	}
	return out
}

// fuzzDriver runs the round trip on the IFLA_INFO_DATA of kind, seeded
// with the kind's data from the captures (ipvtap and macvtap with their
// non-tap kin's too, since the attributes are the same).
func fuzzDriver(f *testing.F, kind string, seedKinds ...string) {
	if rtnl.NewDriver(kind) == nil {
		f.Fatalf("no driver for %s", kind)
	}
	for _, p := range seeds(f) {
		if k, data, ok := infoData(p); ok && slices.Contains(seedKinds, k) {
			f.Add(data)
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		first := rtnl.NewDriver(kind)
		if err := decodeData(first, b); err != nil {
			return
		}
		enc, err := encodeData(first)
		if err != nil {
			t.Fatalf("encode %+v: %v", first, err)
		}
		second := rtnl.NewDriver(kind)
		if err := decodeData(second, enc); err != nil {
			t.Fatalf("decode of encoded %+v (%x): %v", first, enc, err)
		}
		if diff := cmp.Diff(sendable(first), second); diff != "" {
			t.Fatalf("round trip of %x through %x (-first +second):\n%s", b, enc, diff)
		}
	})
}

func FuzzIPVlan(f *testing.F)  { fuzzDriver(f, "ipvlan", "ipvlan", "ipvtap") }
func FuzzIPVtap(f *testing.F)  { fuzzDriver(f, "ipvtap", "ipvlan", "ipvtap") }
func FuzzMACVlan(f *testing.F) { fuzzDriver(f, "macvlan", "macvlan", "macvtap") }
func FuzzMACVtap(f *testing.F) { fuzzDriver(f, "macvtap", "macvlan", "macvtap") }
func FuzzVLAN(f *testing.F)    { fuzzDriver(f, "vlan", "vlan") }

// FuzzNetkit has no captured replies (the kernel of the capture lacked
// netkit), so it starts from the requests', peer included.
func FuzzNetkit(f *testing.F) { fuzzDriver(f, "netkit", "netkit") }

// FuzzDummy has no captured data to start from (a dummy has none), so it
// starts from other kinds': a dummy must accept and drop anything.
func FuzzDummy(f *testing.F) { fuzzDriver(f, "dummy", "dummy", "ipvlan", "vlan") }

// FuzzLinkMessage runs the round trip on whole link messages, seeded with
// every captured request and reply.
func FuzzLinkMessage(f *testing.F) {
	for _, p := range seeds(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var first rtnl.LinkMessage
		if err := first.UnmarshalBinary(b); err != nil {
			return
		}
		enc, err := first.MarshalBinary()
		if err != nil {
			// Only a name of 65531 bytes or more, which cannot be sent
			// with its NUL, makes a decoded message too large to encode.
			if len(first.Attributes.Name) < 0xffff-4 {
				t.Fatalf("encode %+v: %v", first, err)
			}
			return
		}
		var second rtnl.LinkMessage
		if err := second.UnmarshalBinary(enc); err != nil {
			t.Fatalf("decode of encoded %+v (%x): %v", first, enc, err)
		}
		if diff := cmp.Diff(sendableLink(first), second); diff != "" {
			t.Fatalf("round trip of %x through %x (-first +second):\n%s", b, enc, diff)
		}
	})
}
