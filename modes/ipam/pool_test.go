package ipam

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vlanraw/vlanraw/errdefs"
)

var equateNetip = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

func TestNewPool(t *testing.T) {
	a := netip.MustParseAddr
	p := netip.MustParsePrefix
	tests := []struct {
		name                     string
		subnet, ipRange, gateway string
		aux                      map[string]string
		want                     *Pool
		wantErr                  string
	}{
		{name: "subnet only", subnet: "192.168.10.0/24",
			want: &Pool{Subnet: p("192.168.10.0/24")}},
		{name: "everything", subnet: "192.168.10.0/24", ipRange: "192.168.10.128/25", gateway: "192.168.10.1",
			aux: map[string]string{"router": "192.168.10.2", "printer": "192.168.10.200"},
			want: &Pool{Subnet: p("192.168.10.0/24"), Range: p("192.168.10.128/25"), Gateway: a("192.168.10.1"),
				Aux: map[string]netip.Addr{"router": a("192.168.10.2"), "printer": a("192.168.10.200")}}},
		{name: "v6", subnet: "2001:db8:abc6::/64", ipRange: "2001:db8:abc6::/120", gateway: "2001:db8:abc6::254",
			want: &Pool{Subnet: p("2001:db8:abc6::/64"), Range: p("2001:db8:abc6::/120"), Gateway: a("2001:db8:abc6::254")}},
		{name: "v6 written in upper case", subnet: "2001:DB8::/64",
			want: &Pool{Subnet: p("2001:db8::/64")}},
		{name: "ip-range is the whole subnet", subnet: "10.0.0.0/24", ipRange: "10.0.0.0/24",
			want: &Pool{Subnet: p("10.0.0.0/24"), Range: p("10.0.0.0/24")}},
		{name: "ip-range at the end of the subnet", subnet: "10.0.0.0/24", ipRange: "10.0.0.252/30",
			want: &Pool{Subnet: p("10.0.0.0/24"), Range: p("10.0.0.252/30")}},
		{name: "/31 gateway may be either address", subnet: "192.168.135.0/31", gateway: "192.168.135.0",
			want: &Pool{Subnet: p("192.168.135.0/31"), Gateway: a("192.168.135.0")}},
		{name: "/32", subnet: "192.168.135.7/32",
			want: &Pool{Subnet: p("192.168.135.7/32")}},
		{name: "/127 gateway may be the zero address", subnet: "2001:db8::/127", gateway: "2001:db8::",
			want: &Pool{Subnet: p("2001:db8::/127"), Gateway: a("2001:db8::")}},
		{name: "/128", subnet: "2001:db8::5/128",
			want: &Pool{Subnet: p("2001:db8::5/128")}},

		// Docker's messages (moby api/types/network/ipam.go and its tests).
		{name: "host bits in subnet", subnet: "10.10.10.0/8",
			wantErr: "invalid subnet 10.10.10.0/8: it should be 10.0.0.0/8"},
		{name: "host bits in v6 subnet", subnet: "2001:db8::1/64",
			wantErr: "invalid subnet 2001:db8::1/64: it should be 2001:db8::/64"},
		{name: "host bits in ip-range", subnet: "10.0.0.0/8", ipRange: "10.10.10.0/16",
			wantErr: "invalid ip-range 10.10.10.0/16: it should be 10.10.0.0/16"},
		{name: "ip-range bigger than subnet", subnet: "10.10.10.0/24", ipRange: "10.0.0.0/8",
			wantErr: "invalid ip-range 10.0.0.0/8: CIDR block is bigger than its parent subnet 10.10.10.0/24"},
		{name: "ip-range outside subnet", subnet: "10.10.10.0/24", ipRange: "10.10.11.0/25",
			wantErr: "invalid ip-range 10.10.11.0/25: parent subnet 10.10.10.0/24 doesn't contain ip-range"},
		{name: "out of range prefix and addresses", subnet: "10.0.0.0/8", ipRange: "192.168.0.1/24", gateway: "192.168.0.1",
			aux: map[string]string{"DefaultGatewayIPv4": "192.168.0.1"},
			wantErr: "* invalid ip-range 192.168.0.1/24: it should be 192.168.0.0/24\n" +
				"* invalid ip-range 192.168.0.1/24: parent subnet 10.0.0.0/8 doesn't contain ip-range\n" +
				"* invalid gateway 192.168.0.1: parent subnet 10.0.0.0/8 doesn't contain this address\n" +
				"* invalid auxiliary address DefaultGatewayIPv4: parent subnet 10.0.0.0/8 doesn't contain this address"},
		{name: "bad syntax everywhere but the subnet", subnet: "10.0.0.0/8", ipRange: "foobar", gateway: "1001.10.5.3",
			aux: map[string]string{"DefaultGatewayIPv4": "dummy"},
			wantErr: "* invalid ip-range foobar: invalid CIDR block notation\n" +
				"* invalid gateway 1001.10.5.3: invalid address\n" +
				"* invalid auxiliary address DefaultGatewayIPv4: invalid address"},
		{name: "bad subnet syntax", subnet: "foo",
			wantErr: "invalid subnet foo: invalid CIDR block notation"},
		{name: "subnet without length", subnet: "192.168.10.0",
			wantErr: "invalid subnet 192.168.10.0: invalid CIDR block notation"},
		{name: "v6 ip-range in v4 subnet", subnet: "10.0.0.0/8", ipRange: "2001:db8::/64",
			wantErr: "invalid ip-range 2001:db8::/64: parent subnet is an IPv4 block"},
		{name: "v6 gateway in v4 subnet", subnet: "10.0.0.0/8", gateway: "2001:db8::1",
			wantErr: "invalid gateway 2001:db8::1: parent subnet is an IPv4 block"},
		{name: "mapped v4 gateway in v4 subnet", subnet: "10.0.0.0/8", gateway: "::ffff:10.0.0.1",
			wantErr: "invalid gateway ::ffff:10.0.0.1: parent subnet is an IPv4 block"},
		{name: "v4 aux in v6 subnet", subnet: "2001:db8::/64", aux: map[string]string{"a": "10.0.0.1"},
			wantErr: "invalid auxiliary address a: parent subnet is an IPv6 block"},

		// Beyond Docker's own checks.
		{name: "no subnet", subnet: "",
			wantErr: "invalid subnet: none given; give one such as 192.168.10.0/24 or 2001:db8::/64"},
		{name: "mapped subnet", subnet: "::ffff:10.0.0.0/104",
			wantErr: "invalid subnet ::ffff:10.0.0.0/104: it is an IPv4-mapped IPv6 subnet; write it as an IPv4 subnet"},
		{name: "aux is the gateway", subnet: "192.168.10.0/24", gateway: "192.168.10.1", aux: map[string]string{"gw": "192.168.10.1"},
			wantErr: "invalid auxiliary address gw: 192.168.10.1 is the gateway, which is reserved already; drop this auxiliary address or give it another address"},
		{name: "two aux on one address", subnet: "192.168.10.0/24", aux: map[string]string{"a": "192.168.10.5", "b": "192.168.10.5"},
			wantErr: "invalid auxiliary address b: 192.168.10.5 is auxiliary address a already; give each auxiliary address its own address"},
		{name: "gateway is the network address", subnet: "192.168.10.0/24", gateway: "192.168.10.0",
			wantErr: "invalid gateway 192.168.10.0: it is the network address of subnet 192.168.10.0/24, which is never assigned; pick another address"},
		{name: "gateway is the broadcast address", subnet: "192.168.10.0/24", gateway: "192.168.10.255",
			wantErr: "invalid gateway 192.168.10.255: it is the broadcast address of subnet 192.168.10.0/24, which is never assigned; pick another address"},
		{name: "aux is the anycast address", subnet: "2001:db8::/64", aux: map[string]string{"x": "2001:db8::"},
			wantErr: "invalid auxiliary address x: it is the subnet-router anycast address of subnet 2001:db8::/64, which is never assigned; pick another address"},
		{name: "zoned gateway", subnet: "2001:db8::/64", gateway: "2001:db8::1%eth0",
			wantErr: "invalid gateway 2001:db8::1%eth0: an address with a zone cannot be reserved; drop %eth0"},
		{name: "aux without name", subnet: "10.0.0.0/24", aux: map[string]string{"": "10.0.0.5"},
			wantErr: `invalid auxiliary address "": it has no name; give it as name=10.0.0.5`},
		{name: "aux without address", subnet: "10.0.0.0/24", aux: map[string]string{"router": ""},
			wantErr: "invalid auxiliary address router: no address given; give it as router=ADDRESS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewPool(tt.subnet, tt.ipRange, tt.gateway, tt.aux)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("NewPool = %v, want error %q", got, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error:\n%s\nwant:\n%s", err, tt.wantErr)
				}
				if !errors.Is(err, errdefs.ErrInvalid) {
					t.Errorf("errors.Is(%v, errdefs.ErrInvalid) = false", err)
				}
				if errors.Is(err, ErrInUse) || errors.Is(err, ErrPoolFull) {
					t.Errorf("%v matches ErrInUse or ErrPoolFull", err)
				}
				var ce *ConfigError
				if !errors.As(err, &ce) || len(ce.Problems) == 0 {
					t.Errorf("error %T is no *ConfigError with problems", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, equateNetip); diff != "" {
				t.Errorf("NewPool (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewPoolRefusesSpecialRanges: subnets whose addresses no interface
// can use are refused as errdefs.ErrInvalid, each with what is wrong and
// what to give instead; their unicast neighbours are accepted.
func TestNewPoolRefusesSpecialRanges(t *testing.T) {
	const (
		use4 = "give a subnet such as 192.168.10.0/24"
		use6 = "give a subnet such as 2001:db8::/64"
	)
	tests := []struct {
		subnet string
		want   string // the error after "invalid subnet SUBNET: "; "" for none
	}{
		{"224.0.0.0/24", "it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},
		{"224.0.0.0/4", "it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},
		{"239.255.255.0/24", "it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},
		{"224.0.0.1/32", "it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},
		{"192.0.0.0/2", "it overlaps the multicast range 224.0.0.0/4; " + use4},
		{"ff02::/16", "it is a multicast range; give a unicast subnet such as 2001:db8::/64"},
		{"ff00::/8", "it is a multicast range; give a unicast subnet such as 2001:db8::/64"},
		{"fe00::/7", "it overlaps the IPv6 link-local range fe80::/10; " + use6},
		{"127.0.0.0/8", "it is a loopback range; " + use4},
		{"127.0.0.0/24", "it is a loopback range; " + use4},
		{"64.0.0.0/2", "it overlaps the loopback range 127.0.0.0/8; " + use4},
		{"::1/128", "it is the loopback address; " + use6},
		{"0.0.0.0/0", "it is the default route, not a subnet (it holds every IPv4 address); " + use4},
		{"::/0", "it is the default route, not a subnet (it holds every IPv6 address); " + use6},
		{"0.0.0.0/8", "it holds the unspecified address 0.0.0.0, which means any address and which no interface can have; " + use4},
		{"0.0.0.0/32", "it holds the unspecified address 0.0.0.0, which means any address and which no interface can have; " + use4},
		{"0.0.0.0/1", "it holds the unspecified address 0.0.0.0, which means any address and which no interface can have; " + use4},
		{"::/64", "it holds the unspecified address ::, which means any address and which no interface can have; " + use6},
		{"::/128", "it holds the unspecified address ::, which means any address and which no interface can have; " + use6},
		{"fe80::/10", "it is an IPv6 link-local range; every link has its own fe80::/64 already; " + use6 + " or a unique local one such as fd00:1::/64"},
		{"fe80::/64", "it is an IPv6 link-local range; every link has its own fe80::/64 already; " + use6 + " or a unique local one such as fd00:1::/64"},
		{"febf:1::/64", "it is an IPv6 link-local range; every link has its own fe80::/64 already; " + use6 + " or a unique local one such as fd00:1::/64"},
		{"::ffff:0:0/96", "it is an IPv4-mapped IPv6 subnet; write it as an IPv4 subnet"},
		{"::ffff:10.0.0.0/104", "it is an IPv4-mapped IPv6 subnet; write it as an IPv4 subnet"},
		{"::ffff:224.0.0.0/100", "it is an IPv4-mapped IPv6 subnet; write it as an IPv4 subnet"},
		{"::fffe:0:0/95", "it overlaps the IPv4-mapped IPv6 range ::ffff:0.0.0.0/96; " + use6},
		// Host bits are ignored in the check: the subnet is refused for
		// what it is, not for how it was written.
		{"224.0.0.7/24", "it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},

		// The neighbours are fine.
		{"223.255.255.0/24", ""},
		{"240.0.0.0/24", ""},
		{"126.255.255.0/24", ""},
		{"128.0.0.0/24", ""},
		{"1.0.0.0/8", ""},
		{"::2/127", ""},
		{"::fffe:0:0/96", ""},
		{"::1:0:0:0/96", ""},
		{"fe7f:ffff::/32", ""},
		{"fec0::/10", ""},
		{"feff::/16", ""},
		{"fd00::/8", ""},
		{"2001:db8::/32", ""},
	}
	for _, tt := range tests {
		t.Run(tt.subnet, func(t *testing.T) {
			p, err := NewPool(tt.subnet, "", "", nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("NewPool(%s): %v", tt.subnet, err)
				}
				if p.Subnet != netip.MustParsePrefix(tt.subnet) {
					t.Errorf("NewPool(%s) kept %s", tt.subnet, p.Subnet)
				}
				return
			}
			if want := "invalid subnet " + tt.subnet + ": " + tt.want; err == nil || err.Error() != want {
				t.Fatalf("NewPool(%s):\n%v\nwant:\n%s", tt.subnet, err, want)
			}
			if !errors.Is(err, errdefs.ErrInvalid) || p != nil {
				t.Errorf("NewPool(%s) = %v, %v: want nil and errdefs.ErrInvalid", tt.subnet, p, err)
			}
			// With the other subnets of a network, it is reported among
			// them.
			_, err = NewPools(Config{Subnet: "10.0.0.0/24"}, Config{Subnet: tt.subnet})
			if err == nil || !errors.Is(err, errdefs.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewPools with %s: %v", tt.subnet, err)
			}
		})
	}
}

func TestNewPools(t *testing.T) {
	tests := []struct {
		name    string
		cfgs    []Config
		want    []string // subnets
		wantErr string
	}{
		{name: "two v4 two v6", cfgs: []Config{
			{Subnet: "172.28.200.0/24", Gateway: "172.28.200.254"},
			{Subnet: "172.28.202.0/24"},
			{Subnet: "2001:db8:abc8::/64"},
			{Subnet: "2001:db8:abc6::/64", Gateway: "2001:db8:abc6::254"},
		}, want: []string{"172.28.200.0/24", "172.28.202.0/24", "2001:db8:abc8::/64", "2001:db8:abc6::/64"}},
		{name: "none", want: nil},
		{name: "problems in several", cfgs: []Config{
			{Subnet: "10.10.10.0/8"},
			{Subnet: "192.168.0.0/24", Gateway: "192.168.1.1"},
		}, wantErr: "invalid network config:\n" +
			"* invalid subnet 10.10.10.0/8: it should be 10.0.0.0/8\n" +
			"* invalid gateway 192.168.1.1: parent subnet 192.168.0.0/24 doesn't contain this address"},
		{name: "one problem", cfgs: []Config{{Subnet: "192.168.0.0/24", IPRange: "192.168.1.0/24"}},
			wantErr: "invalid network config:\ninvalid ip-range 192.168.1.0/24: parent subnet 192.168.0.0/24 doesn't contain ip-range"},
		{name: "overlap within a network", cfgs: []Config{{Subnet: "10.0.0.0/16"}, {Subnet: "10.0.5.0/24"}},
			wantErr: "invalid network config:\ninvalid subnet 10.0.5.0/24: it overlaps subnet 10.0.0.0/16 of the same network; give each subnet of a network its own addresses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pools, err := NewPools(tt.cfgs...)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error:\n%v\nwant:\n%s", err, tt.wantErr)
				}
				var ce *ConfigError
				if !errors.Is(err, errdefs.ErrInvalid) || !errors.As(err, &ce) {
					t.Errorf("%v does not match errdefs.ErrInvalid and *ConfigError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pools {
				got = append(got, p.Subnet.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("subnets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReserved(t *testing.T) {
	tests := []struct {
		subnet, gateway string
		aux             map[string]string
		reserved        []string
		free            []string
	}{
		{subnet: "192.168.10.0/24", gateway: "192.168.10.1", aux: map[string]string{"r": "192.168.10.7"},
			reserved: []string{"192.168.10.0", "192.168.10.255", "192.168.10.1", "192.168.10.7", "::ffff:192.168.10.1"},
			free:     []string{"192.168.10.2", "192.168.10.254", "10.0.0.1", "2001:db8::"}},
		{subnet: "192.168.10.0/30",
			reserved: []string{"192.168.10.0", "192.168.10.3"},
			free:     []string{"192.168.10.1", "192.168.10.2"}},
		{subnet: "192.168.10.0/31", free: []string{"192.168.10.0", "192.168.10.1"}},
		{subnet: "192.168.10.0/31", gateway: "192.168.10.1",
			reserved: []string{"192.168.10.1"}, free: []string{"192.168.10.0"}},
		{subnet: "192.168.10.9/32", free: []string{"192.168.10.9"}},
		{subnet: "2001:db8::/64", gateway: "2001:db8::1",
			reserved: []string{"2001:db8::", "2001:db8::1"},
			free:     []string{"2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff", "2001:db8:0:1::"}},
		{subnet: "2001:db8::/126", reserved: []string{"2001:db8::"}, free: []string{"2001:db8::3"}},
		{subnet: "2001:db8::/127", free: []string{"2001:db8::", "2001:db8::1"}},
		{subnet: "2001:db8::/128", free: []string{"2001:db8::"}},
	}
	for _, tt := range tests {
		p, err := NewPool(tt.subnet, "", tt.gateway, tt.aux)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range tt.reserved {
			if !p.Reserved(netip.MustParseAddr(s)) {
				t.Errorf("%s: Reserved(%s) = false, want true", p, s)
			}
		}
		for _, s := range tt.free {
			if p.Reserved(netip.MustParseAddr(s)) {
				t.Errorf("%s: Reserved(%s) = true, want false", p, s)
			}
		}
	}
	if (&Pool{}).Reserved(netip.Addr{}) {
		t.Error("the zero Addr is reserved in the zero Pool")
	}
}

func TestOverlaps(t *testing.T) {
	p := netip.MustParsePrefix
	tests := []struct {
		a, b netip.Prefix
		want bool
	}{
		{p("192.168.0.0/24"), p("192.168.0.0/24"), true},
		{p("192.168.0.0/16"), p("192.168.7.0/24"), true},
		{p("192.168.7.0/24"), p("192.168.0.0/16"), true},
		{p("192.168.0.0/25"), p("192.168.0.128/25"), false},
		{p("192.168.0.7/24"), p("192.168.0.200/32"), true}, // host bits are ignored
		{p("10.0.0.0/8"), p("2001:db8::/32"), false},
		{p("::/0"), p("0.0.0.0/0"), false},
		{p("2001:db8::/64"), p("2001:db8::/127"), true},
		{netip.Prefix{}, p("10.0.0.0/8"), false},
	}
	for _, tt := range tests {
		if got := Overlaps(tt.a, tt.b); got != tt.want {
			t.Errorf("Overlaps(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		subnet string
		want   uint64
	}{
		{"192.168.10.0/24", 256},
		{"192.168.10.0/31", 2},
		{"192.168.10.0/32", 1},
		{"0.0.0.0/0", 1 << 32}, // refused by NewPool, but a Pool can hold it
		{"2001:db8::/127", 2},
		{"2001:db8::/128", 1},
		{"2001:db8::/65", 1 << 63},
		{"2001:db8::/64", math.MaxUint64},
		{"::/0", math.MaxUint64},
	}
	for _, tt := range tests {
		p := &Pool{Subnet: netip.MustParsePrefix(tt.subnet)}
		if got := p.Size(); got != tt.want {
			t.Errorf("%s: Size() = %d, want %d", tt.subnet, got, tt.want)
		}
	}
}

func TestLastAddr(t *testing.T) {
	tests := []struct{ prefix, want string }{
		{"0.0.0.0/0", "255.255.255.255"},
		{"10.1.2.3/8", "10.255.255.255"},
		{"192.168.10.0/24", "192.168.10.255"},
		{"192.168.10.7/32", "192.168.10.7"},
		{"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"2001:db8::/63", "2001:db8:0:1:ffff:ffff:ffff:ffff"},
		{"2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff"},
		{"2001:db8::/65", "2001:db8::7fff:ffff:ffff:ffff"},
		{"2001:db8::/120", "2001:db8::ff"},
		{"2001:db8::5/128", "2001:db8::5"},
	}
	for _, tt := range tests {
		if got := lastAddr(netip.MustParsePrefix(tt.prefix)); got != netip.MustParseAddr(tt.want) {
			t.Errorf("lastAddr(%s) = %s, want %s", tt.prefix, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	p, _ := NewPool("10.0.0.0/24", "10.0.0.0/28", "", nil)
	if got, want := p.String(), "10.0.0.0/24 (ip-range 10.0.0.0/28)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	p, _ = NewPool("10.0.0.0/24", "10.0.0.0/24", "", nil)
	if got, want := p.String(), "10.0.0.0/24"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
