package modes

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

// Upstream is what the router on the parent's link (and peers beyond it)
// need to reach the endpoints of an ipvlan l3 or l3s network. Those
// endpoints do not answer ARP or neighbour discovery, and their subnets
// are not on the parent's link, so the router must be told where they
// are, in one of two ways:
//
//   - Routes: each subnet via the host's address on the parent (the
//     "static route on the gateway router" of the usual L3 how-to). It
//     covers endpoints connected later, and needs the parent to have an
//     address of that family on the router's subnet.
//   - Neighs and HostRoutes: for each endpoint address, a permanent
//     neighbour entry mapping it to the parent's MAC and an on-link /32
//     (/128) route (Red Hat's procedure for L3 mode). They need no address
//     on the host, and must follow the endpoints.
//
// Commands lists both; ApplyUpstream applies both. The JSON form is the
// struct's.
type Upstream struct {
	Network string `json:"network"`
	Driver  Driver `json:"driver"`
	// Mode is the mode and flag, such as "l3 bridge".
	Mode   string `json:"mode"`
	Parent string `json:"parent"`
	// ParentMAC is the MAC every endpoint of the network answers with.
	ParentMAC string `json:"parent_mac"`
	// ParentIPv4 and ParentIPv6 are the parent's first addresses of each
	// family (link-local ones left out); zero when it has none.
	ParentIPv4 netip.Prefix `json:"parent_ipv4,omitzero"`
	ParentIPv6 netip.Prefix `json:"parent_ipv6,omitzero"`
	// Dev is the router's link facing the parent. ApplyUpstream finds it;
	// Commands writes DEV while it is empty.
	Dev string `json:"dev,omitempty"`
	// Routes route each subnet via the parent's address.
	Routes []UpstreamRoute `json:"routes"`
	// Neighs map each endpoint address to the parent's MAC, in address
	// order (IPv4 first).
	Neighs []UpstreamNeigh `json:"neighbours"`
	// HostRoutes make each endpoint address on-link on Dev.
	HostRoutes []UpstreamRoute `json:"host_routes"`
	// Notes say what is missing for the router side, and what to do.
	Notes []string `json:"notes,omitempty"`
	// HostNotes say what the host needs so that the endpoints reach
	// beyond the parent's link.
	HostNotes []string `json:"host_notes,omitempty"`
}

// UpstreamRoute is a route for the router.
type UpstreamRoute struct {
	Dst netip.Prefix `json:"dst"`
	// Via is the next hop; the zero Addr for an on-link route through
	// Dev.
	Via netip.Addr `json:"via,omitzero"`
}

// UpstreamNeigh is a permanent neighbour entry for the router.
type UpstreamNeigh struct {
	IP  netip.Addr `json:"ip"`
	MAC string     `json:"lladdr"`
}

// devPlaceholder stands for the router's link in Commands until Dev is
// known.
const devPlaceholder = "DEV"

// Commands returns the entries as iproute2 commands to run on the router,
// Dev (or DEV) being its link facing the parent: routes via the parent,
// then neighbour entries and host routes.
func (u *Upstream) Commands() []string {
	dev := u.Dev
	if dev == "" {
		dev = devPlaceholder
	}
	var out []string
	for _, r := range u.Routes {
		out = append(out, fmt.Sprintf("ip route add %s via %s", r.Dst, r.Via))
	}
	for _, n := range u.Neighs {
		out = append(out, fmt.Sprintf("ip neigh add %s lladdr %s dev %s nud permanent", n.IP, n.MAC, dev))
	}
	for _, r := range u.HostRoutes {
		out = append(out, fmt.Sprintf("ip route add %s dev %s", r.Dst, dev))
	}
	return out
}

// Upstream returns what routers beyond the host need for the endpoints of
// an ipvlan l3 or l3s network. For other networks it has no entries,
// only a note saying why none are needed.
func (m *Manager) Upstream(network string) (*Upstream, error) {
	var u *Upstream
	err := m.store.View(func(r *records) error {
		n, err := r.find(network)
		if err != nil {
			return err
		}
		u, err = m.upstream(n)
		return err
	})
	return u, err
}

func (m *Manager) upstream(n *Network) (*Upstream, error) {
	u := &Upstream{Network: n.Name, Driver: n.Driver, Mode: n.Mode(), Parent: n.Parent,
		Routes: []UpstreamRoute{}, Neighs: []UpstreamNeigh{}, HostRoutes: []UpstreamRoute{}}
	switch {
	case n.ParentCreated == ParentDummy:
		u.Notes = append(u.Notes, fmt.Sprintf("network %s has no parent (its parent %s is a dummy link): nothing beyond the host can reach it", n.Name, n.Parent))
		return u, nil
	case !n.l3():
		u.Notes = append(u.Notes, fmt.Sprintf("%s %s endpoints answer ARP and neighbour discovery on %s's link themselves: routers there need no entries for them",
			n.Driver, n.Mode(), n.Parent))
		return u, nil
	}
	if n.Internal {
		u.Notes = append(u.Notes, fmt.Sprintf("network %s is internal: its endpoints have no default route, so they answer only addresses in their own subnets", n.Name))
	}
	h, err := m.hostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	p, err := h.Get(n.Parent)
	if err != nil {
		return nil, fmt.Errorf("parent %s: %w", n.Parent, err)
	}
	u.ParentMAC = p.MAC.String()
	addrs, err := h.Addresses(p.Index)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		switch {
		case a.Addr().IsLinkLocalUnicast():
		case a.Addr().Is4() && !u.ParentIPv4.IsValid():
			u.ParentIPv4 = a
		case a.Addr().Is6() && !u.ParentIPv6.IsValid():
			u.ParentIPv6 = a
		}
	}
	has := map[bool]bool{} // by IPv6
	for _, s := range n.Subnets {
		v6 := s.Subnet.Addr().Is6()
		has[v6] = true
		via := u.ParentIPv4
		if v6 {
			via = u.ParentIPv6
		}
		if via.IsValid() {
			u.Routes = append(u.Routes, UpstreamRoute{Dst: s.Subnet, Via: via.Addr()})
		}
	}
	var eps []netip.Addr
	for _, e := range n.Endpoints {
		for _, a := range []netip.Prefix{e.IPv4, e.IPv6} {
			if a.IsValid() {
				eps = append(eps, a.Addr())
			}
		}
	}
	slices.SortFunc(eps, netip.Addr.Compare) // IPv4 first, then by address
	for _, a := range eps {
		u.Neighs = append(u.Neighs, UpstreamNeigh{IP: a, MAC: u.ParentMAC})
		u.HostRoutes = append(u.HostRoutes, UpstreamRoute{Dst: netip.PrefixFrom(a, a.BitLen())})
	}
	for _, fam := range []struct {
		v6   bool
		name string
		addr netip.Prefix
	}{{false, "IPv4", u.ParentIPv4}, {true, "IPv6", u.ParentIPv6}} {
		if has[fam.v6] && !fam.addr.IsValid() {
			u.Notes = append(u.Notes, fmt.Sprintf(
				"parent %s has no %s address, so the router has no next hop for the subnets: give %s an %s address on the router's subnet "+
					"(on the host: ip addr add ADDRESS/LENGTH dev %s) and ask again; until then the neighbour entries and host routes reach each endpoint without it",
				n.Parent, fam.name, n.Parent, fam.name, n.Parent))
		}
	}
	notes, err := hostNotes(h, n, p)
	if err != nil {
		return nil, err
	}
	u.HostNotes = notes
	return u, nil
}

// hostNotes says, per family the network has, whether the host routes
// beyond the parent's link through the parent: packets from l3 and l3s
// endpoints are routed by the host's table, restricted to the parent
// (measured on 6.1 and 6.12), so without such a route they reach the
// parent's link only.
func hostNotes(h *links.Handle, n *Network, p *links.Link) ([]string, error) {
	routes, err := h.Routes(0)
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, v6 := range []bool{false, true} {
		var subnets []string
		for _, s := range n.Subnets {
			if s.Subnet.Addr().Is6() == v6 {
				subnets = append(subnets, s.Subnet.String())
			}
		}
		if len(subnets) == 0 {
			continue
		}
		fam, table := "IPv4", "ip"
		if v6 {
			fam, table = "IPv6", "ip -6"
		}
		viaParent := slices.DeleteFunc(slices.Clone(routes), func(r links.Route) bool { return r.Index != p.Index })
		if _, ok := defaultRoute(viaParent, v6); ok {
			continue
		}
		where := "the host has no " + fam + " default route"
		if other, ok := defaultRoute(routes, v6); ok {
			where = fmt.Sprintf("the host's %s default route leaves through link %d, not %s", fam, other.Index, n.Parent)
		}
		notes = append(notes, fmt.Sprintf(
			"endpoints reach %s's link only: their packets are routed by the host's routing table, restricted to %s, and %s. "+
				"To reach further, route through the router on %s: `%s route add default via ROUTER dev %s` on the host, "+
				"or for the network's subnets only: `%s rule add from SUBNET lookup 100` for each of %v, and `%s route add default via ROUTER dev %s table 100`",
			n.Parent, n.Parent, where, n.Parent, table, n.Parent, table, subnets, table, n.Parent))
	}
	return notes, nil
}

// ApplyUpstream applies what Upstream lists inside the namespace netns,
// the router: it finds the router's link facing the parent (the one
// holding an address on the same subnet as the parent's), then adds the
// routes via the parent, the neighbour entries and the host routes
// through that link. Entries that are there already are kept; a
// neighbour entry for an endpoint that differs is replaced.
func (m *Manager) ApplyUpstream(network, netns string) error {
	u, err := m.Upstream(network)
	if err != nil {
		return err
	}
	if u.Driver != IPVlan || len(u.Routes)+len(u.Neighs) == 0 {
		if len(u.Notes) > 0 {
			return fmt.Errorf("nothing to apply for network %s: %s", network, u.Notes[0])
		}
		return nil
	}
	t, err := openNetNS(netns)
	if err != nil {
		return err
	}
	defer t.ns.Close()
	rh, err := links.Open(t.ns)
	if err != nil {
		return err
	}
	defer rh.Close()
	dev, err := routerLink(rh, u)
	if err != nil {
		return err
	}
	u.Dev = dev.Name
	var errs []error
	for _, r := range u.Routes {
		err := rh.AddRoute(links.Route{Dst: r.Dst, Gateway: r.Via, Index: dev.Index})
		if err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("router: route %s via %s: %w", r.Dst, r.Via, err))
		}
	}
	for _, nb := range u.Neighs {
		if err := setNeigh(rh, dev.Index, nb); err != nil {
			errs = append(errs, fmt.Errorf("router: neighbour %s: %w", nb.IP, err))
		}
	}
	for _, r := range u.HostRoutes {
		err := rh.AddRoute(links.Route{Dst: r.Dst, Index: dev.Index})
		if err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("router: route %s dev %s: %w", r.Dst, dev.Name, err))
		}
	}
	return errors.Join(errs...)
}

// routerLink finds the router's link facing the parent: the one with an
// address whose subnet holds the parent's IPv4, else IPv6, address.
func routerLink(rh *links.Handle, u *Upstream) (*links.Link, error) {
	if !u.ParentIPv4.IsValid() && !u.ParentIPv6.IsValid() {
		return nil, fmt.Errorf("parent %s has no address, so the router's link facing it cannot be found: "+
			"give %s an address on the router's subnet (ip addr add ADDRESS/LENGTH dev %s), or run the commands of `vlanraw routes` on the router with DEV its link",
			u.Parent, u.Parent, u.Parent)
	}
	all, err := rh.List("")
	if err != nil {
		return nil, err
	}
	for _, want := range []netip.Prefix{u.ParentIPv4, u.ParentIPv6} {
		if !want.IsValid() {
			continue
		}
		for i := range all {
			addrs, err := rh.Addresses(all[i].Index)
			if err != nil {
				return nil, err
			}
			for _, a := range addrs {
				if a.Masked().Contains(want.Addr()) && a.Addr() != want.Addr() {
					return &all[i], nil
				}
			}
		}
	}
	return nil, notFoundf("no link in the router namespace has an address on the subnet of parent %s (%s): give the router's link facing %s an address there",
		u.Parent, u.ParentIPv4, u.Parent)
}

// setNeigh adds a permanent neighbour entry, replacing one for the same
// address that differs (such as an incomplete one left by an ARP
// attempt).
func setNeigh(rh *links.Handle, index int, nb UpstreamNeigh) error {
	mac, err := parseMAC(nb.MAC)
	if err != nil {
		return err
	}
	want := links.Neigh{IP: nb.IP, MAC: mac, Index: index}
	err = rh.AddNeigh(want)
	if !errors.Is(err, unix.EEXIST) {
		return err
	}
	have, err := rh.Neighs(index)
	if err != nil {
		return err
	}
	for _, x := range have {
		if x.IP == nb.IP && x.MAC.String() == mac.String() && x.State&unix.NUD_PERMANENT != 0 {
			return nil
		}
	}
	if err := rh.DeleteNeigh(want); err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	return rh.AddNeigh(want)
}
