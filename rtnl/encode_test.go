package rtnl_test

import (
	"net"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/rtnl"
)

// macs returns n distinct source addresses.
func macs(n int) []net.HardwareAddr {
	out := make([]net.HardwareAddr, n)
	for i := range out {
		out[i] = net.HardwareAddr{0x02, 0xaa, 0, byte(i >> 16), byte(i >> 8), byte(i)}
	}
	return out
}

// TestMarshalAttributeLimits checks that a message whose attributes do
// not fit nla_len's 16 bits is refused (by netlink.AttributeEncoder)
// rather than sent with wrapped lengths, and that one just under the
// limit round-trips.
func TestMarshalAttributeLimits(t *testing.T) {
	source := func(n int) *rtnl.LinkMessage {
		return setLink(4, "macvlan", &rtnl.MACVlan{MACAddrMode: ptr(rtnl.MACAddrSet), MACAddrData: macs(n)})
	}
	tests := []struct {
		name string
		msg  *rtnl.LinkMessage
		// n is the number of sources that must come back, -1 for an
		// error.
		n int
	}{
		// IFLA_LINKINFO's payload is the kind (12 bytes) and
		// IFLA_INFO_DATA: 4 bytes of header, MACADDR_MODE (8) and the
		// MACADDR_DATA nest (4, and 12 a source). 28 + 12n <= 65531
		// allows 5458 sources.
		{name: "5458 sources", msg: source(5458), n: 5458},
		{name: "5459 sources", msg: source(5459), n: -1},
		{name: "7000 sources", msg: source(7000), n: -1},
		{name: "70000-byte name", msg: newLink(3, strings.Repeat("x", 70000), "dummy", nil), n: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.msg.MarshalBinary()
			if tt.n < 0 {
				if err == nil {
					t.Fatalf("MarshalBinary succeeded with %d bytes", len(b))
				}
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			var m rtnl.LinkMessage
			if err := m.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			if got := len(m.Attributes.Info.Data.(*rtnl.MACVlan).MACAddrData); got != tt.n {
				t.Errorf("%d sources came back, want %d", got, tt.n)
			}
		})
	}
}
