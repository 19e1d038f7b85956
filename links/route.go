package links

import (
	"net"
	"net/netip"

	"github.com/vlanraw/vlanraw/rtnl"
	"golang.org/x/sys/unix"
)

// Route is a main-table unicast route.
type Route struct {
	// Dst is the destination; the zero Prefix means the default route of
	// Gateway's family, or of V6 when there is no gateway.
	Dst netip.Prefix
	// Gateway is the next hop; the zero Addr makes a connected route
	// (`ip route add default dev X`).
	Gateway netip.Addr
	// Index is the outgoing link's index.
	Index int
	// V6 selects IPv6 for a default route without a gateway.
	V6 bool
}

func (r Route) message() *rtnl.RouteMessage {
	v6 := r.V6 || r.Dst.Addr().Is6() || r.Gateway.Is6()
	var dst *net.IPNet
	if r.Dst.IsValid() {
		dst = ipNet(r.Dst.Masked())
	}
	var gw net.IP
	if r.Gateway.IsValid() {
		gw = r.Gateway.AsSlice()
	}
	return rtnl.NewRouteMessage(dst, gw, uint32(r.Index), v6)
}

// AddRoute adds r. It fails with an error matching unix.EEXIST when the
// route is there already.
func (h *Handle) AddRoute(r Route) error { return h.c.AddRoute(r.message()) }

// DeleteRoute removes r.
func (h *Handle) DeleteRoute(r Route) error { return h.c.DeleteRoute(r.message()) }

// Routes returns the main table's IPv4 and IPv6 routes through the link
// with index, or all of them when index is 0.
func (h *Handle) Routes(index int) ([]Route, error) {
	var out []Route
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		ms, err := h.c.ListRoutes(fam, uint32(index))
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Type != unix.RTN_UNICAST {
				continue
			}
			r := Route{Index: int(m.Attributes.OutIface), V6: fam == unix.AF_INET6}
			if a, ok := netip.AddrFromSlice(m.Attributes.Dst); ok {
				r.Dst = netip.PrefixFrom(a.Unmap(), int(m.DstLength))
			}
			if a, ok := netip.AddrFromSlice(m.Attributes.Gateway); ok {
				r.Gateway = a.Unmap()
			}
			out = append(out, r)
		}
	}
	return out, nil
}
