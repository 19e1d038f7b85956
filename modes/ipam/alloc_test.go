package ipam

import (
	"errors"
	"maps"
	"math"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/errdefs"
)

// addrs parses addresses.
func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// usedSet is a set of addresses in use with a used function.
type usedSet map[netip.Addr]bool

func (u usedSet) used(a netip.Addr) bool { return u[a] }

func mustPool(t testing.TB, subnet, ipRange, gateway string, aux map[string]string) *Pool {
	t.Helper()
	p, err := NewPool(subnet, ipRange, gateway, aux)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAllocateSequence allocates until the pool is full and checks every
// address handed out, in order, and the final error.
func TestAllocateSequence(t *testing.T) {
	tests := []struct {
		name                     string
		subnet, ipRange, gateway string
		aux                      map[string]string
		used                     []string
		want                     []string
		wantErr                  string
	}{
		{name: "/30", subnet: "192.168.0.0/30",
			want:    []string{"192.168.0.1", "192.168.0.2"},
			wantErr: "no available addresses on this pool: every address of 192.168.0.0/30 is reserved or in use; widen the ip-range or free an address"},
		{name: "/29 with gateway and aux", subnet: "192.168.0.0/29", gateway: "192.168.0.1", aux: map[string]string{"a": "192.168.0.3"},
			want: []string{"192.168.0.2", "192.168.0.4", "192.168.0.5", "192.168.0.6"}},
		{name: "/29 with used addresses", subnet: "192.168.0.0/29", used: []string{"192.168.0.1", "192.168.0.4", "192.168.0.6"},
			want: []string{"192.168.0.2", "192.168.0.3", "192.168.0.5"}},
		{name: "/31 point-to-point", subnet: "192.168.135.0/31",
			want: []string{"192.168.135.0", "192.168.135.1"}},
		{name: "/31 with gateway", subnet: "192.168.135.0/31", gateway: "192.168.135.0",
			want: []string{"192.168.135.1"}},
		{name: "/32", subnet: "192.168.135.7/32",
			want: []string{"192.168.135.7"}},
		{name: "/32 whose address is the gateway", subnet: "192.168.135.7/32", gateway: "192.168.135.7",
			wantErr: "no available addresses on this pool: every address of 192.168.135.7/32 is reserved or in use; widen the ip-range or free an address"},
		{name: "ip-range at the start of the subnet", subnet: "10.0.0.0/24", ipRange: "10.0.0.0/30",
			want: []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}},
		{name: "ip-range at the end of the subnet", subnet: "10.0.0.0/24", ipRange: "10.0.0.252/30",
			want:    []string{"10.0.0.252", "10.0.0.253", "10.0.0.254"},
			wantErr: "no available addresses on this pool: every address of 10.0.0.0/24 (ip-range 10.0.0.252/30) is reserved or in use; widen the ip-range or free an address"},
		{name: "ip-range of one address", subnet: "10.0.0.0/24", ipRange: "10.0.0.77/32",
			want: []string{"10.0.0.77"}},
		{name: "Docker's TestMacvlanIPAM range", subnet: "10.66.77.0/24", ipRange: "10.66.77.64/30", gateway: "10.66.77.1",
			aux:  map[string]string{"inrange": "10.66.77.65", "outofrange": "10.66.77.128"},
			want: []string{"10.66.77.64", "10.66.77.66", "10.66.77.67"}},
		{name: "v6 /126", subnet: "2001:db8::/126",
			want: []string{"2001:db8::1", "2001:db8::2", "2001:db8::3"}},
		{name: "v6 /127 point-to-point", subnet: "2001:db8::/127",
			want: []string{"2001:db8::", "2001:db8::1"}},
		{name: "v6 /128", subnet: "2001:db8::5/128",
			want: []string{"2001:db8::5"}},
		{name: "v6 /64 with a /125 ip-range and a gateway", subnet: "2001:db8:abcd::/64", ipRange: "2001:db8:abcd::/125", gateway: "2001:db8:abcd::1",
			want:    []string{"2001:db8:abcd::2", "2001:db8:abcd::3", "2001:db8:abcd::4", "2001:db8:abcd::5", "2001:db8:abcd::6", "2001:db8:abcd::7"},
			wantErr: "no available addresses on this pool: every address of 2001:db8:abcd::/64 (ip-range 2001:db8:abcd::/125) is reserved or in use; widen the ip-range or free an address"},
		{name: "v6 ip-range at the end of a /64", subnet: "2001:db8::/64", ipRange: "2001:db8::ffff:ffff:ffff:fffe/127",
			want: []string{"2001:db8::ffff:ffff:ffff:fffe", "2001:db8::ffff:ffff:ffff:ffff"}},
		{name: "v6 ip-range at the very end of the unicast space", subnet: "feff:ffff:ffff:ffff::/64", ipRange: "feff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126",
			want: []string{"feff:ffff:ffff:ffff:ffff:ffff:ffff:fffc", "feff:ffff:ffff:ffff:ffff:ffff:ffff:fffd", "feff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
		{name: "v4 at the very end of the address space", subnet: "255.255.255.252/30",
			want: []string{"255.255.255.253", "255.255.255.254"}},
		{name: "full from the start", subnet: "10.0.0.0/30", used: []string{"10.0.0.1", "10.0.0.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPool(t, tt.subnet, tt.ipRange, tt.gateway, tt.aux)
			used := usedSet{}
			for _, a := range addrs(tt.used...) {
				used[a] = true
			}
			var got []string
			var err error
			for len(got) <= len(tt.want) {
				var a netip.Addr
				if a, err = p.Allocate(used.used); err != nil {
					break
				}
				if err := p.Check(a, used.used); err != nil {
					t.Errorf("Check(%s) of an allocated address: %v", a, err)
				}
				used[a] = true
				got = append(got, a.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("allocated (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrPoolFull) {
				t.Fatalf("final error %v does not match ErrPoolFull", err)
			}
			if errors.Is(err, errdefs.ErrInvalid) || errors.Is(err, ErrInUse) {
				t.Errorf("final error %v matches errdefs.ErrInvalid or ErrInUse", err)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("final error:\n%s\nwant:\n%s", err, tt.wantErr)
			}
			if n := p.Free(maps.Keys(used)); n != 0 {
				t.Errorf("Free() = %d on a full pool", n)
			}
		})
	}
}

func TestAllocateReusesFreedAddress(t *testing.T) {
	p := mustPool(t, "10.0.0.0/24", "", "", nil)
	used := usedSet{}
	for range 5 {
		a, err := p.Allocate(used.used)
		if err != nil {
			t.Fatal(err)
		}
		used[a] = true
	}
	delete(used, netip.MustParseAddr("10.0.0.2"))
	if a, err := p.Allocate(used.used); err != nil || a != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("Allocate = %v, %v; want the freed 10.0.0.2", a, err)
	}
	if a, err := p.Allocate(nil); err != nil || a != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("Allocate(nil) = %v, %v; want 10.0.0.1", a, err)
	}
}

// TestAllocateScansLinearly checks that used is asked once per
// unreserved address examined, and that a /64 whose every address is in
// use gives up after MaxScan addresses.
func TestAllocateScansLinearly(t *testing.T) {
	p := mustPool(t, "192.168.0.0/24", "", "192.168.0.1", nil)
	var calls int
	a, err := p.Allocate(func(a netip.Addr) bool {
		calls++
		return a.As4()[3] < 50
	})
	if err != nil || a != netip.MustParseAddr("192.168.0.50") {
		t.Fatalf("Allocate = %v, %v; want 192.168.0.50", a, err)
	}
	if want := 50 - 2 + 1; calls != want { // .2 to .50; .0 and .1 are reserved, never asked about
		t.Errorf("used was called %d times, want %d", calls, want)
	}

	for _, subnet := range []string{"2001:db8::/64", "2000::/3", "10.0.0.0/8"} {
		p := mustPool(t, subnet, "", "", nil)
		calls = 0
		_, err = p.Allocate(func(netip.Addr) bool { calls++; return true })
		if !errors.Is(err, ErrPoolFull) {
			t.Fatalf("%s: Allocate with everything in use = %v, want ErrPoolFull", subnet, err)
		}
		if want := "no available addresses on this pool: the first 1048576 addresses of " + subnet +
			" are all reserved or in use; give an explicit address or free some"; err.Error() != want {
			t.Errorf("error:\n%s\nwant:\n%s", err, want)
		}
		if calls > MaxScan || calls < MaxScan-1 {
			t.Errorf("%s: used was called %d times, want about MaxScan (%d)", subnet, calls, MaxScan)
		}
	}
}

func TestAllocateHandBuiltPools(t *testing.T) {
	p := netip.MustParsePrefix
	tests := []struct {
		name string
		pool Pool
		want string // address, or error text
	}{
		{"zero pool", Pool{}, "the pool has no subnet; build pools with NewPool"},
		{"range outside subnet", Pool{Subnet: p("10.0.0.0/24"), Range: p("10.0.1.0/28")},
			"invalid ip-range 10.0.1.0/28: parent subnet 10.0.0.0/24 doesn't contain ip-range"},
		{"range bigger than subnet", Pool{Subnet: p("10.0.0.0/24"), Range: p("10.0.0.0/16")},
			"invalid ip-range 10.0.0.0/16: parent subnet 10.0.0.0/24 doesn't contain ip-range"},
		{"range of another family", Pool{Subnet: p("10.0.0.0/24"), Range: p("::/120")},
			"invalid ip-range ::/120: parent subnet 10.0.0.0/24 doesn't contain ip-range"},
		{"unmasked subnet", Pool{Subnet: p("10.0.0.77/24")}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.pool.Allocate(nil)
			if err != nil {
				if err.Error() != tt.want || !errors.Is(err, errdefs.ErrInvalid) {
					t.Errorf("Allocate error %q (errdefs.ErrInvalid %v), want %q", err, errors.Is(err, errdefs.ErrInvalid), tt.want)
				}
				if n := tt.pool.Free(nil); n != 0 {
					t.Errorf("Free = %d on an unusable pool", n)
				}
				return
			}
			if a.String() != tt.want {
				t.Errorf("Allocate = %s, want %s", a, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	p := mustPool(t, "192.168.10.0/24", "192.168.10.128/25", "192.168.10.1", map[string]string{"router": "192.168.10.2"})
	p6 := mustPool(t, "2001:db8::/64", "", "", nil)
	p31 := mustPool(t, "192.168.135.0/31", "", "", nil)
	used := usedSet{netip.MustParseAddr("192.168.10.50"): true}
	tests := []struct {
		pool    *Pool
		addr    string
		wantErr error
		msg     string
	}{
		{pool: p, addr: "192.168.10.130"},
		{pool: p, addr: "192.168.10.10"}, // outside the ip-range: fine, as in Docker
		{pool: p, addr: "::ffff:192.168.10.10"},
		{pool: p, addr: "192.168.11.1", wantErr: errdefs.ErrInvalid,
			msg: "no configured subnet contains IP address 192.168.11.1 (the subnet is 192.168.10.0/24)"},
		{pool: p, addr: "2001:db8::1", wantErr: errdefs.ErrInvalid,
			msg: "no configured subnet contains IP address 2001:db8::1 (the subnet is 192.168.10.0/24)"},
		{pool: p, addr: "192.168.10.1", wantErr: ErrInUse,
			msg: "address 192.168.10.1 is reserved as the gateway of 192.168.10.0/24; pick another address, or give none to have one allocated"},
		{pool: p, addr: "192.168.10.2", wantErr: ErrInUse,
			msg: "address 192.168.10.2 is reserved as auxiliary address router of 192.168.10.0/24; pick another address, or give none to have one allocated"},
		{pool: p, addr: "192.168.10.0", wantErr: ErrInUse,
			msg: "address 192.168.10.0 is reserved as the network address of 192.168.10.0/24; pick another address, or give none to have one allocated"},
		{pool: p, addr: "192.168.10.255", wantErr: ErrInUse,
			msg: "address 192.168.10.255 is reserved as the broadcast address of 192.168.10.0/24; pick another address, or give none to have one allocated"},
		{pool: p, addr: "192.168.10.50", wantErr: ErrInUse,
			msg: "address 192.168.10.50 is already in use; pick another address, or give none to have one allocated"},
		{pool: p6, addr: "2001:db8::", wantErr: ErrInUse,
			msg: "address 2001:db8:: is reserved as the subnet-router anycast address of 2001:db8::/64; pick another address, or give none to have one allocated"},
		{pool: p6, addr: "2001:db8::ffff:ffff:ffff:ffff"},
		{pool: p6, addr: "2001:db8::1%eth0", wantErr: errdefs.ErrInvalid,
			msg: "no configured subnet contains IP address 2001:db8::1%eth0 (the subnet is 2001:db8::/64)"},
		{pool: p31, addr: "192.168.135.0"},
		{pool: p31, addr: "192.168.135.1"},
	}
	for _, tt := range tests {
		err := tt.pool.Check(netip.MustParseAddr(tt.addr), used.used)
		if tt.wantErr == nil {
			if err != nil {
				t.Errorf("%s: Check(%s) = %v", tt.pool, tt.addr, err)
			}
			continue
		}
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Check(%s) = %v, want an error matching %v", tt.pool, tt.addr, err, tt.wantErr)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("%s: Check(%s):\n%s\nwant:\n%s", tt.pool, tt.addr, err, tt.msg)
		}
	}
	if err := p.Check(netip.MustParseAddr("192.168.10.99"), nil); err != nil {
		t.Errorf("Check with nil used: %v", err)
	}
}

// TestCountsLikeDocker replays the IPAM status figures of Docker's
// TestMacvlanIPAM and TestMacvlanIPAMOverlap.
func TestCountsLikeDocker(t *testing.T) {
	t.Run("TestMacvlanIPAM", func(t *testing.T) {
		v4 := mustPool(t, "10.66.77.0/24", "10.66.77.64/30", "10.66.77.1",
			map[string]string{"inrange": "10.66.77.65", "outofrange": "10.66.77.128"})
		v6 := mustPool(t, "2001:db8:abcd::/64", "2001:db8:abcd::/120", "", nil)
		used := usedSet{}
		for _, p := range []*Pool{v4, v6} {
			a, err := p.Allocate(used.used)
			if err != nil {
				t.Fatal(err)
			}
			used[a] = true
		}
		checkCounts(t, v4, used, 6, 2) // network, gateway, 2 aux, broadcast, container; container and aux take 2 of 4
		checkCounts(t, v6, used, 2, 254)
	})

	t.Run("TestMacvlanIPAMOverlap", func(t *testing.T) {
		type network struct{ v4, v6 *Pool }
		nets := []network{
			{mustPool(t, "192.168.0.0/24", "192.168.0.0/25", "192.168.0.1", map[string]string{"reserved": "192.168.0.100"}),
				mustPool(t, "2001:db8:abcd::/64", "2001:db8:abcd::/124", "", nil)},
			{mustPool(t, "192.168.0.0/24", "192.168.0.0/24", "", nil),
				mustPool(t, "2001:db8:abcd::/64", "2001:db8:abcd::/120", "", nil)},
			{mustPool(t, "192.168.0.0/24", "192.168.0.128/25", "", nil),
				mustPool(t, "2001:db8:abcd::/64", "2001:db8:abcd::80/124", "", nil)},
		}
		// Docker's networks share one address space: the gateway and aux
		// address of the first count as used in the others.
		used := usedSet{netip.MustParseAddr("192.168.0.1"): true, netip.MustParseAddr("192.168.0.100"): true}
		want := [][4]uint64{{4, 125, 1, 15}, {4, 252, 1, 255}, {4, 127, 1, 16}}
		for i, n := range nets {
			checkCounts(t, n.v4, used, want[i][0], want[i][1])
			checkCounts(t, n.v6, used, want[i][2], want[i][3])
		}
		for _, p := range []*Pool{nets[0].v4, nets[0].v6} { // a container on the first network
			a, err := p.Allocate(used.used)
			if err != nil {
				t.Fatal(err)
			}
			used[a] = true
		}
		want = [][4]uint64{{5, 124, 2, 14}, {5, 251, 2, 254}, {5, 127, 2, 16}}
		for i, n := range nets {
			checkCounts(t, n.v4, used, want[i][0], want[i][1])
			checkCounts(t, n.v6, used, want[i][2], want[i][3])
		}
	})
}

func checkCounts(t *testing.T, p *Pool, used usedSet, inUse, free uint64) {
	t.Helper()
	if got := p.InUse(maps.Keys(used)); got != inUse {
		t.Errorf("%s: InUse = %d, want %d", p, got, inUse)
	}
	if got := p.Free(maps.Keys(used)); got != free {
		t.Errorf("%s: Free = %d, want %d", p, got, free)
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		subnet, ipRange string
		used            []string
		size, inUse     uint64
		free            uint64
	}{
		{subnet: "192.168.0.0/24", size: 256, inUse: 2, free: 254},
		{subnet: "192.168.0.0/24", used: []string{"192.168.0.9", "192.168.0.9", "::ffff:192.168.0.10", "10.0.0.1", "192.168.0.0"},
			size: 256, inUse: 4, free: 252}, // duplicates, mapped, foreign and reserved addresses
		{subnet: "192.168.0.0/31", size: 2, inUse: 0, free: 2},
		{subnet: "192.168.0.0/32", used: []string{"192.168.0.0"}, size: 1, inUse: 1, free: 0},
		{subnet: "2001:db8::/127", size: 2, inUse: 0, free: 2},
		{subnet: "2001:db8::/128", size: 1, inUse: 0, free: 1},
		{subnet: "2001:db8::/64", size: math.MaxUint64, inUse: 1, free: math.MaxUint64}, // 2^64 - anycast
		{subnet: "2001:db8::/64", used: []string{"2001:db8::1"}, size: math.MaxUint64, inUse: 2, free: math.MaxUint64 - 1},
		{subnet: "2001:db8::/64", ipRange: "2001:db8::8000:0:0:0/65", size: math.MaxUint64, inUse: 1, free: 1 << 63},
		{subnet: "2001:db8::/48", size: math.MaxUint64, inUse: 1, free: math.MaxUint64},
	}
	for _, tt := range tests {
		p := mustPool(t, tt.subnet, tt.ipRange, "", nil)
		u := addrs(tt.used...)
		if got := p.Size(); got != tt.size {
			t.Errorf("%s: Size = %d, want %d", p, got, tt.size)
		}
		if got := p.InUse(slices.Values(u)); got != tt.inUse {
			t.Errorf("%s: InUse = %d, want %d", p, got, tt.inUse)
		}
		if got := p.Free(slices.Values(u)); got != tt.free {
			t.Errorf("%s: Free = %d, want %d", p, got, tt.free)
		}
	}
	p := mustPool(t, "10.0.0.0/30", "", "", nil)
	if got := p.InUse(nil); got != 2 {
		t.Errorf("InUse(nil) = %d, want 2", got)
	}
}

func TestPoolFor(t *testing.T) {
	pools, err := NewPools(Config{Subnet: "172.28.200.0/24"}, Config{Subnet: "172.28.202.0/24"}, Config{Subnet: "2001:db8:abc8::/64"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want int // index into pools, or -1
	}{
		{"172.28.200.20", 0},
		{"172.28.202.20", 1},
		{"::ffff:172.28.202.20", 1},
		{"2001:db8:abc8::20", 2},
		{"172.28.201.20", -1},
		{"2001:db8:abc9::20", -1},
	}
	for _, tt := range tests {
		p, err := PoolFor(pools, netip.MustParseAddr(tt.addr))
		if tt.want < 0 {
			want := "no configured subnet contains IP address " + netip.MustParseAddr(tt.addr).String() +
				" (the network's subnets: 172.28.200.0/24, 172.28.202.0/24, 2001:db8:abc8::/64)"
			if !errors.Is(err, errdefs.ErrInvalid) || err.Error() != want {
				t.Errorf("PoolFor(%s) = %v, %v; want error %q", tt.addr, p, err, want)
			}
			continue
		}
		if err != nil || p != pools[tt.want] {
			t.Errorf("PoolFor(%s) = %v, %v; want %v", tt.addr, p, err, pools[tt.want])
		}
	}
	if _, err := PoolFor(nil, netip.MustParseAddr("10.0.0.1")); err == nil ||
		err.Error() != "no configured subnet contains IP address 10.0.0.1 (the network's subnets: none)" {
		t.Errorf("PoolFor(nil) = %v", err)
	}
}

func TestAllocateFrom(t *testing.T) {
	pools, err := NewPools(Config{Subnet: "10.0.0.0/30"}, Config{Subnet: "10.0.1.0/31"})
	if err != nil {
		t.Fatal(err)
	}
	used := usedSet{}
	var got []string
	for {
		a, p, err := AllocateFrom(pools, used.used)
		if err != nil {
			if !errors.Is(err, ErrPoolFull) {
				t.Fatalf("final error %v does not match ErrPoolFull", err)
			}
			want := "no available IPv4 addresses on this network's address pools: 10.0.0.0/30, 10.0.1.0/31; add a subnet or free an address"
			if err.Error() != want {
				t.Errorf("final error:\n%s\nwant:\n%s", err, want)
			}
			break
		}
		if !p.Contains(a) {
			t.Errorf("%s came from %s, which does not contain it", a, p)
		}
		used[a] = true
		got = append(got, a.String())
	}
	if diff := cmp.Diff([]string{"10.0.0.1", "10.0.0.2", "10.0.1.0", "10.0.1.1"}, got); diff != "" {
		t.Errorf("allocated (-want +got):\n%s", diff)
	}

	if _, _, err := AllocateFrom(nil, nil); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("AllocateFrom(nil) = %v, want errdefs.ErrInvalid", err)
	}
	bad := []*Pool{{Subnet: netip.MustParsePrefix("10.0.0.0/24"), Range: netip.MustParsePrefix("10.9.0.0/24")}, pools[1]}
	if _, _, err := AllocateFrom(bad, nil); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("AllocateFrom with a broken pool = %v, want errdefs.ErrInvalid", err)
	}
}
