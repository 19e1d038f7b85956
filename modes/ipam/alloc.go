package ipam

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strings"

	"github.com/vlanraw/vlanraw/errdefs"
)

// MaxScan bounds how many addresses Allocate examines before it gives up
// with ErrPoolFull, so that a nearly full IPv6 /64 is never walked to its
// end.
const MaxScan = 1 << 20

// Allocate returns the lowest address of p's ip-range (or of its subnet,
// when it has no ip-range) that is neither reserved nor used. used
// reports whether an address is assigned already, in any network; nil
// means none is. Allocate calls it once per address it examines, in
// increasing order from the start of the range, and stops after MaxScan
// addresses. When no address is free, the error matches ErrPoolFull and
// names the pool.
func (p *Pool) Allocate(used func(netip.Addr) bool) (netip.Addr, error) {
	r, err := p.allocRange()
	if err != nil {
		return netip.Addr{}, err
	}
	reserved := p.reservedSet()
	a, last := r.Addr(), lastAddr(r)
	for range MaxScan {
		if _, ok := reserved[a]; !ok && (used == nil || !used(a)) {
			return a, nil
		}
		if a == last {
			return netip.Addr{}, &addrError{
				msg: fmt.Sprintf("%s: every address of %s is reserved or in use; widen the ip-range or free an address",
					ErrPoolFull, p), kind: ErrPoolFull}
		}
		a = a.Next()
	}
	return netip.Addr{}, &addrError{
		msg: fmt.Sprintf("%s: the first %d addresses of %s are all reserved or in use; give an explicit address or free some",
			ErrPoolFull, MaxScan, p), kind: ErrPoolFull}
}

// allocRange returns the masked prefix Allocate draws from, checking that
// p is sound.
func (p *Pool) allocRange() (netip.Prefix, error) {
	sub := p.Subnet.Masked()
	if !sub.IsValid() {
		return netip.Prefix{}, &addrError{msg: "the pool has no subnet; build pools with NewPool", kind: errdefs.ErrInvalid}
	}
	if !p.Range.IsValid() {
		return sub, nil
	}
	r := p.Range.Masked()
	if r.Bits() < sub.Bits() || !sub.Contains(r.Addr()) {
		return netip.Prefix{}, &addrError{
			msg:  fmt.Sprintf("invalid ip-range %s: parent subnet %s doesn't contain ip-range", p.Range, p.Subnet),
			kind: errdefs.ErrInvalid}
	}
	return r, nil
}

// Check reports whether the explicit address a can be assigned from p: it
// must lie in p's subnet (not necessarily in its ip-range, as in Docker),
// else the error matches errdefs.ErrInvalid; it must not be reserved nor used,
// else the error matches ErrInUse. used may be nil, meaning no address is
// in use.
func (p *Pool) Check(a netip.Addr, used func(netip.Addr) bool) error {
	a = a.Unmap()
	if !p.Contains(a) {
		return &addrError{
			msg:  fmt.Sprintf("no configured subnet contains IP address %s (the subnet is %s)", a, p.Subnet),
			kind: errdefs.ErrInvalid}
	}
	if what := p.reservedAs(a); what != "" {
		return &addrError{
			msg:  fmt.Sprintf("address %s is reserved as %s of %s; pick another address, or give none to have one allocated", a, what, p.Subnet),
			kind: ErrInUse}
	}
	if used != nil && used(a) {
		return &addrError{
			msg:  fmt.Sprintf("address %s is already in use; pick another address, or give none to have one allocated", a),
			kind: ErrInUse}
	}
	return nil
}

// InUse returns how many addresses of p's subnet are reserved or appear in
// used, each counted once: Docker's IPsInUse. used should list the
// addresses assigned in every network (see the package documentation);
// those outside the subnet are ignored.
func (p *Pool) InUse(used iter.Seq[netip.Addr]) uint64 {
	sub := p.Subnet.Masked()
	if !sub.IsValid() {
		return 0
	}
	return uint64(len(p.taken(sub, used)))
}

// Free returns how many addresses of p's ip-range (or subnet) are neither
// reserved nor in used, saturating at 2^64-1: Docker's
// DynamicIPsAvailable. used is as for InUse.
func (p *Pool) Free(used iter.Seq[netip.Addr]) uint64 {
	r, err := p.allocRange()
	if err != nil {
		return 0
	}
	return countMinus(hostBits(r), uint64(len(p.taken(r, used))))
}

// taken returns the set of addresses in within that are reserved or used.
func (p *Pool) taken(within netip.Prefix, used iter.Seq[netip.Addr]) map[netip.Addr]struct{} {
	set := map[netip.Addr]struct{}{}
	for a := range p.reservedSet() {
		if within.Contains(a) {
			set[a] = struct{}{}
		}
	}
	if used != nil {
		for a := range used {
			if a = a.Unmap(); within.Contains(a) {
				set[a] = struct{}{}
			}
		}
	}
	return set
}

// PoolFor returns the first of pools whose subnet contains the explicit
// address a, as Docker picks it. When none does, the error matches
// errdefs.ErrInvalid and lists the subnets.
func PoolFor(pools []*Pool, a netip.Addr) (*Pool, error) {
	for _, p := range pools {
		if p.Contains(a) {
			return p, nil
		}
	}
	return nil, &addrError{
		msg:  fmt.Sprintf("no configured subnet contains IP address %s (the network's subnets: %s)", a.Unmap(), subnets(pools)),
		kind: errdefs.ErrInvalid}
}

// AllocateFrom allocates from pools in order, moving on to the next pool
// when one is full, as Docker does. pools should hold one address family.
// It returns the address and the pool it came from. When every pool is
// full, the error matches ErrPoolFull and lists the subnets.
func AllocateFrom(pools []*Pool, used func(netip.Addr) bool) (netip.Addr, *Pool, error) {
	if len(pools) == 0 {
		return netip.Addr{}, nil, &addrError{msg: "no subnet to allocate an address from; give the network a subnet", kind: errdefs.ErrInvalid}
	}
	for _, p := range pools {
		a, err := p.Allocate(used)
		if err == nil {
			return a, p, nil
		}
		if !errors.Is(err, ErrPoolFull) {
			return netip.Addr{}, nil, err
		}
	}
	return netip.Addr{}, nil, &addrError{
		msg: fmt.Sprintf("no available %s addresses on this network's address pools: %s; add a subnet or free an address",
			family(pools[0].Subnet.Addr()), subnets(pools)),
		kind: ErrPoolFull}
}

func subnets(pools []*Pool) string {
	s := make([]string, len(pools))
	for i, p := range pools {
		s[i] = p.Subnet.String()
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
