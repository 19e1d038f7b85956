package modes

import (
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

var (
	defaultV4 = netip.MustParsePrefix("0.0.0.0/0")
	defaultV6 = netip.MustParsePrefix("::/0")
)

// endpointRoutes returns the routes vlanraw adds through an endpoint of n
// (the subnet routes are the kernel's own prefix routes):
//   - ipvlan l3 and l3s without a parent (a dummy parent): a connected
//     default route for each family the endpoint has, as in Docker's
//     documentation ("default dev eth0"): the subnets of the network reach
//     one another because they share the parent, and nothing else is
//     reachable because the parent is a dummy;
//   - ipvlan l3 and l3s, --internal with a real parent: a connected route
//     to each other subnet of the network in the family of each address
//     ("SUBNET dev eth0"), and no default route, so the subnets reach one
//     another (Docker's L3InternalMode test) and nothing else;
//   - other internal networks, including macvlan and ipvlan l2 ones
//     without a parent: none;
//   - ipvlan l3 and l3s: a connected default route for each family the
//     endpoint has, any gateway being ignored;
//   - ipvlan l2 and macvlan: a default route via the gateway of the
//     subnet holding each address, when that subnet has one.
//
// An endpoint whose addresses came from a CNI IPAM plugin gets that
// plugin's routes instead, when it gave any (see cniRoutes).
func endpointRoutes(n *Network, e *Endpoint) []Route {
	if e.CNI != nil && e.CNI.Delegated {
		return cniRoutes(n, e)
	}
	var out []Route
	for _, p := range []netip.Prefix{e.IPv4, e.IPv6} {
		if !p.IsValid() {
			continue
		}
		dst := defaultV4
		if p.Addr().Is6() {
			dst = defaultV6
		}
		switch {
		case n.l3() && n.ParentCreated == ParentDummy:
			out = append(out, Route{Dst: dst, Dev: e.IfName})
		case n.l3() && n.Internal:
			for _, s := range n.Subnets {
				if s.Subnet.Addr().Is6() == p.Addr().Is6() && !s.Subnet.Contains(p.Addr()) {
					out = append(out, Route{Dst: s.Subnet, Dev: e.IfName})
				}
			}
		case n.Internal:
		case n.l3():
			out = append(out, Route{Dst: dst, Dev: e.IfName})
		default:
			for _, s := range n.Subnets {
				if s.Subnet.Contains(p.Addr()) && s.Gateway.IsValid() {
					out = append(out, Route{Dst: dst, Gateway: s.Gateway, Dev: e.IfName})
					break
				}
			}
		}
	}
	return out
}

// cniRoutes returns the routes of an endpoint whose addresses came from
// a CNI IPAM plugin: the plugin's routes, via the gateway of their family
// where they name none (except on ipvlan l3 and l3s, whose links do no
// ARP), or else, as for other endpoints, a connected default route for
// ipvlan l3 and l3s and a default route via the plugin's gateway for
// ipvlan l2 and macvlan. A drop-in endpoint gets the plugin's routes
// only, as the reference plugins add them: via the gateway of their
// family where they name none, in every mode.
func cniRoutes(n *Network, e *Endpoint) []Route {
	var out []Route
	if len(e.CNI.Routes) > 0 {
		for _, r := range e.CNI.Routes {
			r.Dev = e.IfName
			if !r.Gateway.IsValid() {
				r.Gateway = cniRouteGateway(n, e, r.Dst)
			}
			out = append(out, r)
		}
		return out
	}
	if e.dropIn() {
		return nil
	}
	for _, p := range []netip.Prefix{e.IPv4, e.IPv6} {
		if !p.IsValid() {
			continue
		}
		dst := defaultV4
		if p.Addr().Is6() {
			dst = defaultV6
		}
		switch gw := cniGateway(e, p.Addr().Is6()); {
		case n.l3():
			out = append(out, Route{Dst: dst, Dev: e.IfName})
		case gw.IsValid():
			out = append(out, Route{Dst: dst, Gateway: gw, Dev: e.IfName})
		}
	}
	return out
}

// cniRouteGateway returns the gateway an IPAM plugin's route to dst
// that names none goes through on endpoint e of n: the plugin's gateway
// of its family, or none (a connected route) on ipvlan l3 and l3s, whose
// links do no ARP, unless e is a drop-in (see Attachment.DropIn).
func cniRouteGateway(n *Network, e *Endpoint, dst netip.Prefix) netip.Addr {
	if n.l3() && !e.dropIn() {
		return netip.Addr{}
	}
	return cniGateway(e, dst.Addr().Is6())
}

// cniGateway returns the IPAM plugin's gateway of a family for e.
func cniGateway(e *Endpoint, v6 bool) netip.Addr {
	for _, g := range e.CNI.Gateways {
		if g.Is6() == v6 {
			return g
		}
	}
	return netip.Addr{}
}

// addRoutes adds e's routes through the link with index and records them
// in e.Routes. A family whose default route the namespace has already,
// through another link, keeps it: one namespace has one gateway per
// family, as a Docker container has one gateway endpoint; likewise a
// subnet route the namespace has through another link is kept. The
// routes are added first and the table is read only when one exists
// already. When the parent is down, a gateway the kernel calls
// unreachable is left out, as Docker does.
func addRoutes(th *links.Handle, n *Network, e *Endpoint, index int, parentUp func() bool) error {
	e.Routes, e.Notes = nil, nil
	var have []links.Route
	for _, r := range endpointRoutes(n, e) {
		lr := links.Route{Dst: r.Dst, Gateway: r.Gateway, Index: index, V6: r.Dst.Addr().Is6()}
		err := th.AddRoute(lr)
		switch {
		case err == nil:
			e.Routes = append(e.Routes, r)
			continue
		case errors.Is(err, unix.ENETUNREACH) && !parentUp():
			e.Notes = append(e.Notes, fmt.Sprintf("no %s added: parent %s is down", r, n.Parent))
			continue
		case !errors.Is(err, unix.EEXIST):
			return fmt.Errorf("add route %s: %w", r, err)
		}
		if have == nil {
			if have, err = th.Routes(0); err != nil {
				return err
			}
		}
		isDefault := r.Dst.Bits() == 0
		other, ok := defaultRoute(have, lr.V6)
		if !isDefault {
			other, ok = routeTo(have, r.Dst)
		}
		switch {
		case !ok:
			return fmt.Errorf("add route %s: %w", r, unix.EEXIST)
		case other.Index == index && other.Gateway == r.Gateway:
			e.Routes = append(e.Routes, r) // ours, from an earlier run
		case isDefault:
			e.Notes = append(e.Notes, fmt.Sprintf("no %s added: the namespace has a default route already (link %d%s); it was kept",
				r, other.Index, via(other.Gateway)))
		default:
			e.Notes = append(e.Notes, fmt.Sprintf("no %s added: the namespace has a route to %s already (link %d%s); it was kept",
				r, r.Dst, other.Index, via(other.Gateway)))
		}
	}
	return nil
}

// routeTo returns the main table's route to dst.
func routeTo(rs []links.Route, dst netip.Prefix) (links.Route, bool) {
	for _, r := range rs {
		if r.Dst == dst {
			return r, true
		}
	}
	return links.Route{}, false
}

// defaultRoute returns the main table's default route of a family.
func defaultRoute(rs []links.Route, v6 bool) (links.Route, bool) {
	for _, r := range rs {
		if r.V6 == v6 && (!r.Dst.IsValid() || r.Dst.Bits() == 0) {
			return r, true
		}
	}
	return links.Route{}, false
}

func via(gw netip.Addr) string {
	if gw.IsValid() {
		return " via " + gw.String()
	}
	return ""
}
