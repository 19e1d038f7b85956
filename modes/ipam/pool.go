package ipam

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
)

// Pool is one subnet of a network.
//
// NewPool builds a checked Pool; a Pool built by hand should keep to the
// same rules (Range, Gateway and Aux inside Subnet, one family), or
// Allocate reports it as invalid.
type Pool struct {
	// Subnet is the masked subnet, such as 192.168.10.0/24 or 2001:db8::/64.
	Subnet netip.Prefix
	// Range is the optional --ip-range: dynamic allocation draws only from
	// it. It lies inside Subnet. The zero Prefix means all of Subnet.
	Range netip.Prefix
	// Gateway is the optional --gateway, inside Subnet; it is reserved.
	// The zero Addr means none: no gateway is ever assumed.
	Gateway netip.Addr
	// Aux holds the --aux-address values by name, inside Subnet; they are
	// reserved.
	Aux map[string]netip.Addr
	// Host is the address of the host's own link on the network (its
	// host_access option), inside Subnet; it is reserved. The zero Addr
	// means none.
	Host netip.Addr
}

// Config is one subnet of a network with its options, as the user gave
// them: --subnet, --ip-range, --gateway and --aux-address name=ip.
type Config struct {
	// Subnet is the --subnet value, such as 192.168.10.0/24; required.
	Subnet string
	// IPRange is the --ip-range value, or "" for none.
	IPRange string
	// Gateway is the --gateway value, or "" for none.
	Gateway string
	// Aux maps each --aux-address name to its address.
	Aux map[string]string
}

// NewPool parses and checks one subnet with its optional ip-range (""
// for none), gateway ("" for none) and auxiliary addresses (name to
// address). Every problem found is reported in one *ConfigError, which
// matches errdefs.ErrInvalid, in Docker's words where Docker has them, such as
// "invalid subnet 10.10.10.0/8: it should be 10.0.0.0/8".
func NewPool(subnet, ipRange, gateway string, aux map[string]string) (*Pool, error) {
	p, problems := parsePool(Config{Subnet: subnet, IPRange: ipRange, Gateway: gateway, Aux: aux})
	if len(problems) > 0 {
		return nil, &ConfigError{Problems: problems}
	}
	return p, nil
}

// NewPools builds the pools of one network, in the order given. Problems
// in all of them, and subnets of the network that overlap one another,
// are reported together as Docker does: "invalid network config:\n"
// followed by a *ConfigError.
func NewPools(cfgs ...Config) ([]*Pool, error) {
	var (
		pools    []*Pool
		problems []string
	)
	for _, c := range cfgs {
		p, probs := parsePool(c)
		problems = append(problems, probs...)
		if p == nil {
			continue
		}
		for _, q := range pools {
			if Overlaps(p.Subnet, q.Subnet) {
				problems = append(problems, fmt.Sprintf(
					"invalid subnet %s: it overlaps subnet %s of the same network; give each subnet of a network its own addresses",
					c.Subnet, q.Subnet))
			}
		}
		pools = append(pools, p)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid network config:\n%w", &ConfigError{Problems: problems})
	}
	return pools, nil
}

// parsePool checks c and returns the pool and the problems found. The
// pool is nil when the subnet itself is unusable, and also whenever
// problems are reported.
func parsePool(c Config) (*Pool, []string) {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	if c.Subnet == "" {
		add("invalid subnet: none given; give one such as 192.168.10.0/24 or 2001:db8::/64")
		return nil, probs
	}
	sub, err := netip.ParsePrefix(c.Subnet)
	if err != nil {
		add("invalid subnet %s: invalid CIDR block notation", c.Subnet)
		return nil, probs
	}
	if why := unusable(sub.Masked()); why != "" {
		add("invalid subnet %s: %s", c.Subnet, why)
		return nil, probs
	}
	fam := family(sub.Addr())
	if sub != sub.Masked() {
		add("invalid subnet %s: it should be %s", sub, sub.Masked())
	}
	p := &Pool{Subnet: sub.Masked()}

	if c.IPRange != "" {
		r, err := netip.ParsePrefix(c.IPRange)
		switch {
		case err != nil:
			add("invalid ip-range %s: invalid CIDR block notation", c.IPRange)
		case family(r.Addr()) != fam:
			add("invalid ip-range %s: parent subnet is an %s block", c.IPRange, fam)
		default:
			if r.Bits() < sub.Bits() {
				add("invalid ip-range %s: CIDR block is bigger than its parent subnet %s", c.IPRange, sub)
			}
			if r != r.Masked() {
				add("invalid ip-range %s: it should be %s", r, r.Masked())
			}
			if !sub.Overlaps(r) {
				add("invalid ip-range %s: parent subnet %s doesn't contain ip-range", c.IPRange, sub)
			}
			p.Range = r.Masked()
		}
	}

	if c.Gateway != "" {
		a, why := checkAddr(c.Gateway, p.Subnet, fam)
		if why != "" {
			add("invalid gateway %s: %s", c.Gateway, why)
		}
		p.Gateway = a
	}

	names := make([]string, 0, len(c.Aux))
	for name := range c.Aux {
		names = append(names, name)
	}
	slices.Sort(names)
	byAddr := map[netip.Addr]string{}
	for _, name := range names {
		v := c.Aux[name]
		if name == "" {
			add("invalid auxiliary address %q: it has no name; give it as name=%s", name, v)
			continue
		}
		if v == "" {
			add("invalid auxiliary address %s: no address given; give it as %s=ADDRESS", name, name)
			continue
		}
		a, why := checkAddr(v, p.Subnet, fam)
		switch {
		case why != "":
			add("invalid auxiliary address %s: %s", name, why)
			continue
		case a == p.Gateway:
			add("invalid auxiliary address %s: %s is the gateway, which is reserved already; drop this auxiliary address or give it another address", name, v)
			continue
		}
		if other, dup := byAddr[a]; dup {
			add("invalid auxiliary address %s: %s is auxiliary address %s already; give each auxiliary address its own address", name, v, other)
			continue
		}
		byAddr[a] = name
		if p.Aux == nil {
			p.Aux = map[string]netip.Addr{}
		}
		p.Aux[name] = a
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return p, nil
}

// Address ranges no subnet may overlap, in the order they are checked
// after the unspecified address.
var (
	mapped4    = netip.MustParsePrefix("::ffff:0:0/96")
	loopback4  = netip.MustParsePrefix("127.0.0.0/8")
	loopback6  = netip.MustParsePrefix("::1/128")
	linkLocal6 = netip.MustParsePrefix("fe80::/10")
	multicast4 = netip.MustParsePrefix("224.0.0.0/4")
	multicast6 = netip.MustParsePrefix("ff00::/8")
)

// unusable says why the masked subnet sub cannot be a network's subnet,
// or returns "". Docker would refuse these too, or hand out addresses no
// interface can use: the default route and any subnet holding the
// unspecified address, IPv4-mapped IPv6 addresses, loopback, IPv6
// link-local and multicast ranges, and anything overlapping them.
func unusable(sub netip.Prefix) string {
	example := "192.168.10.0/24"
	if sub.Addr().Is6() {
		example = "2001:db8::/64"
	}
	zero := netip.IPv4Unspecified()
	if sub.Addr().Is6() {
		zero = netip.IPv6Unspecified()
	}
	switch {
	case sub.Bits() == 0:
		return fmt.Sprintf("it is the default route, not a subnet (it holds every %s address); give a subnet such as %s",
			family(sub.Addr()), example)
	case sub.Contains(zero):
		return fmt.Sprintf("it holds the unspecified address %s, which means any address and which no interface can have; give a subnet such as %s",
			zero, example)
	}
	for _, r := range []struct {
		prefix      netip.Prefix
		what, what2 string // "a loopback range", "the loopback range"
		advice      string
	}{
		{mapped4, "an IPv4-mapped IPv6 subnet", "the IPv4-mapped IPv6 range", "write it as an IPv4 subnet"},
		{loopback4, "a loopback range", "the loopback range", "give a subnet such as " + example},
		{loopback6, "the loopback address", "the loopback address", "give a subnet such as " + example},
		{linkLocal6, "an IPv6 link-local range", "the IPv6 link-local range",
			"every link has its own fe80::/64 already; give a subnet such as " + example + " or a unique local one such as fd00:1::/64"},
		{multicast4, "a multicast range", "the multicast range", "give a unicast subnet such as " + example},
		{multicast6, "a multicast range", "the multicast range", "give a unicast subnet such as " + example},
	} {
		switch {
		case !r.prefix.Overlaps(sub):
		case sub.Bits() >= r.prefix.Bits():
			return fmt.Sprintf("it is %s; %s", r.what, r.advice)
		default:
			return fmt.Sprintf("it overlaps %s %s; give a subnet such as %s", r.what2, r.prefix, example)
		}
	}
	return ""
}

// checkAddr parses s as an address to reserve in subnet, of family fam.
// It returns the address, or why it cannot be used.
func checkAddr(s string, subnet netip.Prefix, fam string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return netip.Addr{}, "invalid address"
	case a.Zone() != "":
		return netip.Addr{}, fmt.Sprintf("an address with a zone cannot be reserved; drop %%%s", a.Zone())
	case family(a) != fam:
		return netip.Addr{}, fmt.Sprintf("parent subnet is an %s block", fam)
	case !subnet.Contains(a):
		return netip.Addr{}, fmt.Sprintf("parent subnet %s doesn't contain this address", subnet)
	}
	if what := special(subnet, a); what != "" {
		return netip.Addr{}, fmt.Sprintf("it is the %s of subnet %s, which is never assigned; pick another address", what, subnet)
	}
	return a, ""
}

// family names the address family of a the way Docker does.
func family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// special names the address of subnet that a is, if it is the IPv4
// network or broadcast address or the IPv6 subnet-router anycast
// address; otherwise it returns "". subnet is masked.
func special(subnet netip.Prefix, a netip.Addr) string {
	if a.Is4() && subnet.Bits() < 31 {
		switch a {
		case subnet.Addr():
			return "network address"
		case lastAddr(subnet):
			return "broadcast address"
		}
	}
	if a.Is6() && subnet.Bits() < 127 && a == subnet.Addr() {
		return "subnet-router anycast address"
	}
	return ""
}

// Contains reports whether a lies in p's subnet. An IPv4-mapped IPv6
// address counts as the IPv4 address it maps.
func (p *Pool) Contains(a netip.Addr) bool {
	return p.Subnet.Contains(a.Unmap())
}

// Reserved reports whether a is never handed out by p: the gateway, an
// auxiliary address, and for IPv4 subnets shorter than /31 the network and
// broadcast addresses, for IPv6 subnets shorter than /127 the
// subnet-router anycast address.
func (p *Pool) Reserved(a netip.Addr) bool {
	return p.reservedAs(a.Unmap()) != ""
}

// ReservedAs says what a is reserved as, such as "the gateway" or
// "auxiliary address router", or returns "" if p may hand it out.
func (p *Pool) ReservedAs(a netip.Addr) string {
	return p.reservedAs(a.Unmap())
}

// reservedAs says what a is reserved as, or returns "" if it is not.
func (p *Pool) reservedAs(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	if a == p.Gateway {
		return "the gateway"
	}
	if a == p.Host {
		return "the host's address (host_access)"
	}
	for _, name := range sortedKeys(p.Aux) {
		if p.Aux[name] == a {
			return fmt.Sprintf("auxiliary address %s", name)
		}
	}
	sub := p.Subnet.Masked()
	if !sub.Contains(a) {
		return ""
	}
	if what := special(sub, a); what != "" {
		return "the " + what
	}
	return ""
}

// reservedSet returns every reserved address of p, for fast lookups.
func (p *Pool) reservedSet() map[netip.Addr]struct{} {
	set := make(map[netip.Addr]struct{}, len(p.Aux)+3)
	if p.Gateway.IsValid() {
		set[p.Gateway] = struct{}{}
	}
	for _, a := range p.Aux {
		set[a] = struct{}{}
	}
	if p.Host.IsValid() {
		set[p.Host] = struct{}{}
	}
	sub := p.Subnet.Masked()
	if !sub.IsValid() {
		return set
	}
	first, last := sub.Addr(), lastAddr(sub)
	if special(sub, first) != "" {
		set[first] = struct{}{}
	}
	if special(sub, last) != "" {
		set[last] = struct{}{}
	}
	return set
}

// String returns the subnet, followed by the ip-range if there is one.
func (p *Pool) String() string {
	var b strings.Builder
	b.WriteString(p.Subnet.String())
	if p.Range.IsValid() && p.Range.Masked() != p.Subnet.Masked() {
		b.WriteString(" (ip-range ")
		b.WriteString(p.Range.String())
		b.WriteString(")")
	}
	return b.String()
}

// Size returns how many addresses p's subnet holds, reserved ones
// included, saturating at 2^64-1.
func (p *Pool) Size() uint64 {
	sub := p.Subnet.Masked()
	if !sub.IsValid() {
		return 0
	}
	return countMinus(hostBits(sub), 0)
}

// Overlaps reports whether prefixes a and b share any address. Docker
// lets the subnets of different ipvlan and macvlan networks overlap in
// some versions (vlanraw refuses it, as Docker does for other drivers);
// an address must still be assigned only once across them.
func Overlaps(a, b netip.Prefix) bool {
	return a.IsValid() && b.IsValid() && a.Masked().Overlaps(b.Masked())
}

// hostBits returns the number of host bits of p.
func hostBits(p netip.Prefix) int { return p.Addr().BitLen() - p.Bits() }

// countMinus returns 2^bits - k, saturating at 2^64-1. k is at most
// 2^bits.
func countMinus(bits int, k uint64) uint64 {
	switch {
	case bits > 64:
		return math.MaxUint64 // 2^bits - k >= 2^65 - 2^64
	case bits == 64:
		if k == 0 {
			return math.MaxUint64
		}
		return math.MaxUint64 - (k - 1)
	default:
		return uint64(1)<<bits - k
	}
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	hb := hostBits(p)
	if p.Addr().Is4() {
		b := p.Addr().As4()
		v := binary.BigEndian.Uint32(b[:]) | uint32(uint64(1)<<hb-1)
		binary.BigEndian.PutUint32(b[:], v)
		return netip.AddrFrom4(b)
	}
	b := p.Addr().As16()
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	if hb >= 64 {
		lo = math.MaxUint64
		hi |= uint64(1)<<(hb-64) - 1
	} else {
		lo |= uint64(1)<<hb - 1
	}
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
