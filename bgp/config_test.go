package bgp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/errdefs"
)

func TestConfigValidate(t *testing.T) {
	peer := Peer{Addr: netip.MustParseAddr("192.0.2.1"), ASN: 65000}
	id := netip.MustParseAddr("192.0.2.2")
	for _, tt := range []struct {
		name string
		cfg  Config
		want string // "" for valid
	}{
		{"valid", Config{ASN: 65001, RouterID: id, Peers: []Peer{peer}}, ""},
		{"four-octet AS", Config{ASN: 4294967295, RouterID: id, Peers: []Peer{peer}}, ""},
		{"AS 0", Config{RouterID: id, Peers: []Peer{peer}}, "AS 0 is reserved"},
		{"IPv6 router ID", Config{ASN: 1, RouterID: netip.MustParseAddr("2001:db8::1"), Peers: []Peer{peer}}, "router ID 2001:db8::1 is not an IPv4 address"},
		{"no router ID", Config{ASN: 1, Peers: []Peer{peer}}, "router ID invalid IP is not an IPv4 address"},
		{"no peer", Config{ASN: 1, RouterID: id}, "no peer"},
		{"peer twice", Config{ASN: 1, RouterID: id, Peers: []Peer{peer, peer}}, "peer 192.0.2.1 is given twice"},
		{"peer AS 0", Config{ASN: 1, RouterID: id, Peers: []Peer{{Addr: peer.Addr}}}, "peer 192.0.2.1: AS 0 is reserved"},
		{"hold time 2s", Config{ASN: 1, RouterID: id, Peers: []Peer{{Addr: peer.Addr, ASN: 2, HoldTime: 2 * time.Second}}}, "hold time 2s is below 3s"},
		{"hold time 3.5s", Config{ASN: 1, RouterID: id, Peers: []Peer{{Addr: peer.Addr, ASN: 2, HoldTime: 3500 * time.Millisecond}}}, "not whole seconds"},
		{"password of 81 bytes", Config{ASN: 1, RouterID: id, Peers: []Peer{{Addr: peer.Addr, ASN: 2, Password: strings.Repeat("x", 81)}}}, "at most 80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v; want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, errdefs.ErrInvalid)):
				t.Errorf("Validate: %v; want an ErrInvalid with %q", err, tt.want)
			}
		})
	}
}

func TestSessionStateText(t *testing.T) {
	for s := StateUnknown; s <= StateEstablished; s++ {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back SessionState
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%v: text %q reads back as %v, %v", s, b, back, err)
		}
	}
	if got := StateEstablished.String(); got != "established" {
		t.Errorf("StateEstablished is %q", got)
	}
	if got := SessionState(9).String(); got != "SessionState(9)" {
		t.Errorf("SessionState(9) is %q", got)
	}
	var s SessionState
	if err := s.UnmarshalText([]byte("up")); err == nil {
		t.Error(`"up" reads as a state`)
	}
}
