package modes

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

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
// A peer on the parent's link may also have an address on one of the
// network's subnets, the endpoints' own (Red Hat's procedure again: the
// peer 10.50.0.1/24 and the endpoint 10.50.0.10). It needs only the
// neighbour entries; the host needs an on-link route to the peer through
// the parent (HostPeerRoutes), or the endpoints' packets to it follow
// the host's own routes, such as a default route via a gateway.
//
// Commands lists the router's side, HostCommands the host's;
// ApplyUpstream applies both. The JSON form is the struct's.
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
	// Subnets are the network's subnets.
	Subnets []netip.Prefix `json:"subnets"`
	// Dev is the router's link facing the parent. ApplyUpstream finds it;
	// Commands writes DEV while it is empty.
	Dev string `json:"dev,omitempty"`
	// Peers are the router's addresses on the network's subnets, on
	// Dev. ApplyUpstream finds them; HostCommands writes PEER while there
	// are none.
	Peers []netip.Addr `json:"peers,omitempty"`
	// Routes route each subnet via the parent's address.
	Routes []UpstreamRoute `json:"routes"`
	// Neighs map each endpoint address to the parent's MAC, in address
	// order (IPv4 first).
	Neighs []UpstreamNeigh `json:"neighbours"`
	// HostRoutes make each endpoint address on-link on Dev.
	HostRoutes []UpstreamRoute `json:"host_routes"`
	// HostPeerRoutes are for the host: each of Peers on-link through
	// the parent, as a /32 (/128) route.
	HostPeerRoutes []UpstreamRoute `json:"host_peer_routes"`
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
// known; peerPlaceholder for a peer's address in HostCommands until
// Peers are.
const (
	devPlaceholder  = "DEV"
	peerPlaceholder = "PEER"
)

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

// HostCommands returns the host's side of Red Hat's procedure, as
// iproute2 commands: an on-link route through the parent to each peer on
// a subnet of the network. Until Peers are known, it has one command per
// family of the network's subnets, with PEER for the address.
func (u *Upstream) HostCommands() []string {
	var out []string
	if len(u.HostPeerRoutes) > 0 {
		for _, r := range u.HostPeerRoutes {
			ip := "ip"
			if r.Dst.Addr().Is6() {
				ip = "ip -6"
			}
			out = append(out, fmt.Sprintf("%s route add %s dev %s", ip, r.Dst, u.Parent))
		}
		return out
	}
	if u.ParentMAC == "" { // no endpoints to reach: not an l3 network with a parent
		return nil
	}
	for _, v6 := range []bool{false, true} {
		if slices.ContainsFunc(u.Subnets, func(p netip.Prefix) bool { return p.Addr().Is6() == v6 }) {
			if v6 {
				out = append(out, fmt.Sprintf("ip -6 route add %s/128 dev %s", peerPlaceholder, u.Parent))
			} else {
				out = append(out, fmt.Sprintf("ip route add %s/32 dev %s", peerPlaceholder, u.Parent))
			}
		}
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
	u := &Upstream{Network: n.Name, Driver: n.Driver, Mode: n.Mode(), Parent: n.Parent, Subnets: []netip.Prefix{},
		Routes: []UpstreamRoute{}, Neighs: []UpstreamNeigh{}, HostRoutes: []UpstreamRoute{}, HostPeerRoutes: []UpstreamRoute{}}
	for _, s := range n.Subnets {
		u.Subnets = append(u.Subnets, s.Subnet)
	}
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
		u.Notes = append(u.Notes, fmt.Sprintf("network %s is internal: its endpoints have no default route, only routes to the network's subnets, so they answer only addresses in those", n.Name))
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

// ApplyUpstream applies what Upstream lists inside the namespace router,
// the router or peer, and on the host, and returns what it applied. It
// finds the router's link facing the parent: the one holding an address
// on the same subnet as the parent's, else one holding an address on a
// subnet of the network (a peer on the endpoints' own subnet, as in Red
// Hat's procedure). Through that link it adds the routes via the parent
// (when the link is on the parent's subnet), the neighbour entries, and
// the host routes to endpoints outside the link's own subnets; on the
// host, an on-link route through the parent to each of the link's
// addresses on the network's subnets. Entries that are there already are
// kept; a neighbour entry for an endpoint that differs is replaced.
func (m *Manager) ApplyUpstream(network, router string) (*Upstream, error) {
	u, err := m.Upstream(network)
	if err != nil {
		return nil, err
	}
	if u.Driver != IPVlan || len(u.Routes)+len(u.Neighs) == 0 {
		if len(u.Notes) > 0 {
			return nil, fmt.Errorf("nothing to apply for network %s: %s", network, u.Notes[0])
		}
		return u, nil
	}
	t, err := openNetNS(router)
	if err != nil {
		return nil, err
	}
	defer t.ns.Close()
	rh, err := links.Open(t.ns)
	if err != nil {
		return nil, err
	}
	defer rh.Close()
	side, err := routerLink(rh, u)
	if err != nil {
		return nil, err
	}
	dev := side.link
	u.Dev = dev.Name
	connected := func(a netip.Addr) bool {
		return slices.ContainsFunc(side.addrs, func(p netip.Prefix) bool { return p.Masked().Contains(a) })
	}
	var errs []error
	var routes, hostRoutes []UpstreamRoute
	for _, r := range u.Routes {
		if !side.onParentSubnet || connected(r.Dst.Addr()) {
			continue // no next hop there, or the router's own subnet
		}
		routes = append(routes, r)
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
		if connected(r.Dst.Addr()) {
			continue // on the router's link already
		}
		hostRoutes = append(hostRoutes, r)
		err := rh.AddRoute(links.Route{Dst: r.Dst, Index: dev.Index})
		if err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("router: route %s dev %s: %w", r.Dst, dev.Name, err))
		}
	}
	u.Routes, u.HostRoutes = nonNil(routes), nonNil(hostRoutes)
	u.Peers = side.peers
	if len(side.peers) > 0 {
		h, err := m.hostHandle()
		if err != nil {
			return nil, errors.Join(append(errs, err)...)
		}
		defer h.Close()
		p, err := h.Get(u.Parent)
		if err != nil {
			return nil, errors.Join(append(errs, fmt.Errorf("parent %s: %w", u.Parent, err))...)
		}
		for _, a := range side.peers {
			r := UpstreamRoute{Dst: netip.PrefixFrom(a, a.BitLen())}
			u.HostPeerRoutes = append(u.HostPeerRoutes, r)
			err := h.AddRoute(links.Route{Dst: r.Dst, Index: p.Index})
			if err != nil && !errors.Is(err, unix.EEXIST) {
				errs = append(errs, fmt.Errorf("host: route %s dev %s: %w", r.Dst, u.Parent, err))
			}
		}
	}
	return u, errors.Join(errs...)
}

func nonNil(rs []UpstreamRoute) []UpstreamRoute {
	if rs == nil {
		return []UpstreamRoute{}
	}
	return rs
}

// routerSide is the router's link facing the parent, as routerLink finds
// it.
type routerSide struct {
	link *links.Link
	// addrs are the link's addresses (link-local ones left out).
	addrs []netip.Prefix
	// onParentSubnet says that one of them is on the parent's subnet.
	onParentSubnet bool
	// peers are those on the network's subnets, in address order.
	peers []netip.Addr
}

// routerLink finds the router's link facing the parent: the first with an
// address whose subnet holds the parent's IPv4, else IPv6, address; else
// the first with an address on one of the network's subnets (a peer on
// the endpoints' own subnet).
func routerLink(rh *links.Handle, u *Upstream) (*routerSide, error) {
	all, err := rh.List("")
	if err != nil {
		return nil, err
	}
	endpoint := map[netip.Addr]bool{}
	for _, nb := range u.Neighs {
		endpoint[nb.IP] = true
	}
	var sides []*routerSide
	for i := range all {
		if all[i].Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := rh.Addresses(all[i].Index)
		if err != nil {
			return nil, err
		}
		s := &routerSide{link: &all[i]}
		for _, a := range addrs {
			if a.Addr().IsLinkLocalUnicast() {
				continue
			}
			s.addrs = append(s.addrs, a)
			for _, want := range []netip.Prefix{u.ParentIPv4, u.ParentIPv6} {
				if want.IsValid() && a.Masked().Contains(want.Addr()) && a.Addr() != want.Addr() {
					s.onParentSubnet = true
				}
			}
			if !endpoint[a.Addr()] && slices.ContainsFunc(u.Subnets, func(p netip.Prefix) bool { return p.Contains(a.Addr()) }) {
				s.peers = append(s.peers, a.Addr())
			}
		}
		slices.SortFunc(s.peers, netip.Addr.Compare)
		sides = append(sides, s)
	}
	for _, s := range sides {
		if s.onParentSubnet {
			return s, nil
		}
	}
	for _, s := range sides {
		if len(s.peers) > 0 {
			return s, nil
		}
	}
	if !u.ParentIPv4.IsValid() && !u.ParentIPv6.IsValid() {
		return nil, fmt.Errorf("parent %s has no address, so the router's link facing it cannot be found: "+
			"give %s an address on the router's subnet (ip addr add ADDRESS/LENGTH dev %s), or run the commands of `vlanraw routes` on the router with DEV its link",
			u.Parent, u.Parent, u.Parent)
	}
	parent := u.ParentIPv4
	if !parent.IsValid() {
		parent = u.ParentIPv6
	}
	return nil, notFoundf("no link in the router namespace has an address on the subnet of parent %s (%s) or on a subnet of network %s (%s): "+
		"give the router's link facing %s an address on one of them",
		u.Parent, parent, u.Network, joinPrefixes(u.Subnets), u.Parent)
}

// joinPrefixes writes prefixes as "a, b".
func joinPrefixes(ps []netip.Prefix) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	return b.String()
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
	// Replaced in one request: an entry the kernel makes again between a
	// deletion and an add (traffic to the endpoint) made the add fail
	// with EEXIST (seen on 7.3).
	return rh.ReplaceNeigh(want)
}
