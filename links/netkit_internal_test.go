package links

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// TestNetkitMessage checks that netkit specs become the requests of
// rtnl's golden tests for the same iproute2 words, which those tests hold
// byte for byte against iproute2's (rtnl/testdata/golden/netkit-*.txt).
func TestNetkitMessage(t *testing.T) {
	l2, l3 := rtnl.NetkitModeL2, rtnl.NetkitModeL3
	forward, blackhole := rtnl.NetkitForward, rtnl.NetkitBlackhole
	peer := func(name string, mtu uint32) *rtnl.LinkMessage {
		return &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: name, MTU: mtu}}
	}
	for _, tt := range []struct {
		words string
		spec  *Netkit
		want  *rtnl.LinkMessage
	}{
		{
			words: "ip link add name nk0 type netkit peer name nk1",
			spec:  &Netkit{Attrs: Attrs{Name: "nk0"}, Peer: Attrs{Name: "nk1"}},
			want: &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: "nk0", Info: &rtnl.LinkInfo{
				Kind: "netkit", Data: &rtnl.Netkit{Peer: peer("nk1", 0)},
			}}},
		},
		{
			words: "ip link add name nk0 type netkit mode l2 blackhole peer forward name nk1",
			spec:  &Netkit{Attrs: Attrs{Name: "nk0"}, Peer: Attrs{Name: "nk1"}, Mode: &l2, Policy: &blackhole, PeerPolicy: &forward},
			want: &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{Name: "nk0", Info: &rtnl.LinkInfo{
				Kind: "netkit", Data: &rtnl.Netkit{Mode: &l2, Policy: &blackhole, PeerPolicy: &forward, Peer: peer("nk1", 0)},
			}}},
		},
		{
			words: "ip link add name nk0 mtu 1400 up type netkit mode l3 forward peer blackhole name nk1 mtu 1300",
			spec:  &Netkit{Attrs: Attrs{Name: "nk0", MTU: 1400, Up: true}, Peer: Attrs{Name: "nk1", MTU: 1300}, Mode: &l3, Policy: &forward, PeerPolicy: &blackhole},
			want: &rtnl.LinkMessage{Flags: unix.IFF_UP, Change: unix.IFF_UP, Attributes: rtnl.LinkAttributes{Name: "nk0", MTU: 1400, Info: &rtnl.LinkInfo{
				Kind: "netkit", Data: &rtnl.Netkit{Mode: &l3, Policy: &forward, PeerPolicy: &blackhole, Peer: peer("nk1", 1300)},
			}}},
		},
	} {
		if err := tt.spec.validate(); err != nil {
			t.Errorf("%s: %v", tt.words, err)
		}
		m, err := message(tt.spec, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.words, err)
		}
		if diff := cmp.Diff(tt.want, m); diff != "" {
			t.Errorf("%s: request (-want +got):\n%s", tt.words, diff)
		}
	}
}
