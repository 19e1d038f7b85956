package modes

import (
	"net/netip"

	"github.com/vlanraw/vlanraw/modes/ipam"
)

// defaultPools4 are Docker's default local address pools: 172.17.0.0/16
// to 172.31.0.0/16, then 192.168.0.0/16 cut into /20s.
var defaultPools4 = func() []netip.Prefix {
	var out []netip.Prefix
	for b := 17; b <= 31; b++ {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for c := 0; c < 256; c += 16 {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(c), 0}), 20))
	}
	return out
}()

// defaultSubnets gives n an IPv4 subnet from the default pools when it has
// none, and an IPv6 unique local /64 when it has IPv6 but no IPv6 subnet.
// Neither gets a gateway (Docker 29 assumes none).
func (m *Manager) defaultSubnets(r *records, n *Network) error {
	has4, has6 := false, false
	for _, s := range n.Subnets {
		has4 = has4 || s.Subnet.Addr().Is4()
		has6 = has6 || s.Subnet.Addr().Is6()
	}
	if !has4 {
		taken, err := m.takenPrefixes(r)
		if err != nil {
			return err
		}
		p, ok := firstFree(defaultPools4, taken)
		if !ok {
			return conflictf("no free subnet in the default address pools (172.17.0.0/16-172.31.0.0/16, 192.168.0.0/16): give one with --subnet")
		}
		n.Subnets = append([]Subnet{{Subnet: p}}, n.Subnets...)
	}
	if n.IPv6 && !has6 {
		n.Subnets = append(n.Subnets, Subnet{Subnet: randomULA()})
	}
	return nil
}

// takenPrefixes returns the subnets of every network and the
// destinations of the host's routes, which default subnets avoid.
func (m *Manager) takenPrefixes(r *records) ([]netip.Prefix, error) {
	var taken []netip.Prefix
	for _, x := range r.Networks {
		for _, s := range x.Subnets {
			taken = append(taken, s.Subnet)
		}
	}
	h, err := m.hostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	routes, err := h.Routes(0)
	if err != nil {
		return nil, err
	}
	for _, rt := range routes {
		if rt.Dst.IsValid() && rt.Dst.Bits() > 0 {
			taken = append(taken, rt.Dst)
		}
	}
	return taken, nil
}

// firstFree returns the first candidate that overlaps none of taken.
func firstFree(candidates, taken []netip.Prefix) (netip.Prefix, bool) {
next:
	for _, c := range candidates {
		for _, t := range taken {
			if ipam.Overlaps(c, t) {
				continue next
			}
		}
		return c, true
	}
	return netip.Prefix{}, false
}

// randomULA returns a random unique local /64 (RFC 4193: fd00::/8 and a
// random 40-bit global ID, subnet 0).
func randomULA() netip.Prefix {
	var b [16]byte
	b[0] = 0xfd
	randomFill(b[1:6])
	return netip.PrefixFrom(netip.AddrFrom16(b), 64)
}

// usedAddrs returns a function reporting whether an address is assigned
// to an endpoint of any network, or reserved by a network other than
// except (a gateway or auxiliary address): the addresses Docker never
// assigns twice across ipvlan and macvlan networks.
func usedAddrs(r *records, except *Network) func(netip.Addr) bool {
	used := map[netip.Addr]bool{}
	for _, n := range r.Networks {
		for _, e := range n.Endpoints {
			if e.IPv4.IsValid() {
				used[e.IPv4.Addr()] = true
			}
			if e.IPv6.IsValid() {
				used[e.IPv6.Addr()] = true
			}
		}
		if n == except {
			continue
		}
		for _, s := range n.Subnets {
			if s.Gateway.IsValid() {
				used[s.Gateway] = true
			}
			for _, a := range s.Aux {
				used[a] = true
			}
		}
	}
	return func(a netip.Addr) bool { return used[a.Unmap()] }
}
