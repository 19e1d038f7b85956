package ipam

import (
	"errors"
	"maps"
	"net/netip"
	"testing"

	"github.com/vlanraw/vlanraw/errdefs"
)

// FuzzPool builds pools from arbitrary input and allocates from those
// that NewPool accepts, with some addresses in use. NewPool must never
// panic and must reject with errdefs.ErrInvalid; Allocate must never return an
// address outside the subnet or the ip-range, a reserved address or one in
// use, and for small ranges it must return the lowest free address.
func FuzzPool(f *testing.F) {
	for _, s := range [][4]string{
		{"192.168.10.0/24", "", "", ""},
		{"192.168.10.0/24", "192.168.10.128/25", "192.168.10.1", "192.168.10.2"},
		{"10.10.10.0/8", "", "", ""},
		{"10.0.0.0/8", "192.168.0.1/24", "192.168.0.1", "192.168.0.1"},
		{"10.0.0.0/24", "10.0.0.252/30", "10.0.0.1", "10.0.0.255"},
		{"192.168.135.0/31", "", "192.168.135.0", ""},
		{"192.168.135.7/32", "", "", "192.168.135.7"},
		{"0.0.0.0/0", "255.255.255.254/31", "", ""}, // refused
		{"16.0.0.0/4", "31.255.255.254/31", "", ""},
		{"2001:db8::/64", "2001:db8::/120", "2001:db8::1", "2001:db8::2"},
		{"2001:db8::/127", "", "", ""},
		{"2001:db8::5/128", "", "", ""},
		{"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124", "", "::"}, // refused
		{"2000::/3", "3fff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124", "", "2000::"},
		{"::ffff:10.0.0.0/104", "", "", ""},
		{"fe80::/64", "", "fe80::1%eth0", ""}, // refused
		{"2001:db8::/64", "", "2001:db8::1%eth0", ""},
		{"224.0.0.0/24", "", "", ""},
		{"127.0.0.0/8", "", "", ""},
		{"foo", "bar", "baz", "qux"},
	} {
		f.Add(s[0], s[1], s[2], s[3], uint16(3), uint8(0))
		f.Add(s[0], s[1], s[2], s[3], uint16(0), uint8(3))
	}
	f.Fuzz(func(t *testing.T, subnet, ipRange, gateway, aux string, usedFirst uint16, usedMod uint8) {
		var auxes map[string]string
		if aux != "" {
			auxes = map[string]string{"aux": aux, "aux2": aux + "0"}
		}
		p, err := NewPool(subnet, ipRange, gateway, auxes)
		if err != nil {
			if p != nil || !errors.Is(err, errdefs.ErrInvalid) {
				t.Fatalf("NewPool = %v, %v: want nil and an error matching errdefs.ErrInvalid", p, err)
			}
			return
		}
		sub := p.Subnet
		for _, bad := range []string{"0.0.0.0/32", "::/128", "::1/128", "127.0.0.0/8", "224.0.0.0/4", "ff00::/8", "fe80::/10", "::ffff:0:0/96"} {
			if sub.Overlaps(netip.MustParsePrefix(bad)) {
				t.Fatalf("NewPool(%q) accepted a subnet overlapping %s", subnet, bad)
			}
		}
		if want := netip.MustParsePrefix(subnet); sub != want || sub != sub.Masked() {
			t.Fatalf("NewPool(%q) kept subnet %s", subnet, sub)
		}
		r := sub
		if p.Range.IsValid() {
			r = p.Range
			if r.Bits() < sub.Bits() || !sub.Contains(r.Addr()) {
				t.Fatalf("ip-range %s outside subnet %s", r, sub)
			}
		}
		for _, a := range append([]netip.Addr{p.Gateway}, p.Aux["aux"], p.Aux["aux2"]) {
			if a.IsValid() && (!sub.Contains(a) || !p.Reserved(a)) {
				t.Fatalf("%s: reserved address %s outside the subnet or not reserved", p, a)
			}
		}

		// In use: the first usedFirst%600 addresses of the range, and
		// every address whose last byte is a multiple of usedMod.
		set := map[netip.Addr]bool{}
		for a, i := r.Addr(), 0; i < int(usedFirst%600) && a.IsValid() && r.Contains(a); i++ {
			set[a] = true
			a = a.Next()
		}
		used := func(a netip.Addr) bool {
			b := a.AsSlice()
			return set[a] || usedMod > 1 && b[len(b)-1]%usedMod == 0
		}
		reserved := func(a netip.Addr) bool { // computed apart from the package
			if a == p.Gateway || a == p.Aux["aux"] || a == p.Aux["aux2"] {
				return true
			}
			if a.Is4() && sub.Bits() < 31 {
				return a == sub.Addr() || a == highest(sub)
			}
			return a.Is6() && sub.Bits() < 127 && a == sub.Addr()
		}

		got, err := p.Allocate(used)
		small := hostBits(r) <= 12
		var lowest netip.Addr
		if small {
			for a := r.Addr(); a.IsValid() && r.Contains(a); a = a.Next() {
				if !reserved(a) && !used(a) {
					lowest = a
					break
				}
			}
		}
		if err != nil {
			if !errors.Is(err, ErrPoolFull) {
				t.Fatalf("%s: Allocate: %v, want ErrPoolFull", p, err)
			}
			if lowest.IsValid() {
				t.Fatalf("%s: Allocate: %v, but %s is free", p, err, lowest)
			}
			return
		}
		switch {
		case !sub.Contains(got):
			t.Fatalf("%s: Allocate = %s, outside the subnet", p, got)
		case !r.Contains(got):
			t.Fatalf("%s: Allocate = %s, outside the ip-range", p, got)
		case reserved(got) || p.Reserved(got):
			t.Fatalf("%s: Allocate = %s, a reserved address", p, got)
		case used(got):
			t.Fatalf("%s: Allocate = %s, an address in use", p, got)
		case small && got != lowest:
			t.Fatalf("%s: Allocate = %s, want the lowest free %s", p, got, lowest)
		}
		if err := p.Check(got, used); err != nil {
			t.Fatalf("%s: Check(%s) of an allocated address: %v", p, got, err)
		}
		if usedMod <= 1 && p.Free(maps.Keys(set)) == 0 {
			t.Fatalf("%s: Free = 0, but %s was allocated", p, got)
		}
		if p.InUse(maps.Keys(set)) > p.Size() {
			t.Fatalf("%s: InUse %d > Size %d", p, p.InUse(maps.Keys(set)), p.Size())
		}
	})
}

// highest returns the last address of p by setting its host bits one by
// one, independently of lastAddr.
func highest(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
