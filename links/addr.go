package links

import (
	"net"
	"net/netip"

	"github.com/vlanraw/vlanraw/rtnl"
	"golang.org/x/sys/unix"
)

// AddAddress puts prefix (an address with its prefix length, such as
// 192.168.10.10/24) on the link with index. With nodad, an IPv6 address
// skips duplicate address detection and is usable at once.
func (h *Handle) AddAddress(index int, prefix netip.Prefix, nodad bool) error {
	return h.c.AddAddress(addressMessage(index, prefix, nodad))
}

// AddAddressRequest returns the request of AddAddress, for Pipeline.
func AddAddressRequest(index int, prefix netip.Prefix, nodad bool) rtnl.Request {
	return rtnl.AddAddressRequest(addressMessage(index, prefix, nodad))
}

func addressMessage(index int, prefix netip.Prefix, nodad bool) *rtnl.AddressMessage {
	var flags uint32
	if nodad && prefix.Addr().Is6() {
		flags |= unix.IFA_F_NODAD
	}
	return rtnl.NewAddressMessage(uint32(index), ipNet(prefix), flags)
}

// DeleteAddress removes prefix from the link with index.
func (h *Handle) DeleteAddress(index int, prefix netip.Prefix) error {
	return h.c.DeleteAddress(rtnl.NewAddressMessage(uint32(index), ipNet(prefix), 0))
}

// Addresses returns the addresses on the link with index.
func (h *Handle) Addresses(index int) ([]netip.Prefix, error) {
	ms, err := h.c.ListAddresses(0, uint32(index))
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(ms))
	for _, m := range ms {
		ip := m.Attributes.Address
		if m.Attributes.Local != nil {
			ip = m.Attributes.Local
		}
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), int(m.PrefixLength)))
	}
	return out, nil
}

// ipNet converts a prefix that keeps its host bits to a *net.IPNet.
func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
