package modes

import (
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

// Host access: the kernel filters traffic between a parent and its
// ipvlan or macvlan links, so the host cannot reach its own endpoints
// through the parent. With -o host_access=ADDR (host_access6 for IPv6)
// vlanraw gives the host a link of its own on the network, vh-<ID[:12]>
// in the host namespace on the network's parent (a macvlan bridge, or an
// ipvlan link in the network's mode), with ADDR and the prefix length of
// ADDR's subnet: the kernel's prefix route sends the subnet through it,
// and the endpoints reach ADDR as a neighbour (l2, macvlan) or as
// another ipvlan link of the parent (l3, l3s). The address is reserved
// in the network's IPAM. The link carries vlanraw's marks (identity.go,
// markHost) and is made, restored and removed with the network.

// markHost is the endpoint part of the mark of a host access link.
const markHost = "host"

// hostLinkName returns the name of the host access link of the network
// with ID id: vh-<ID[:12]>, 15 bytes, like the dummy parents' di- and dm-.
func hostLinkName(id string) string {
	return "vh-" + short(id)
}

// hostMark returns the mark of n's host access link.
func (m *Manager) hostMark(n *Network) mark {
	return mark{dir: m.id, network: short(n.ID), endpoint: markHost}
}

// parseHostAccess reads the host_access and host_access6 options: an
// IPv4 and an IPv6 address.
func (o *options) parseHostAccess(opts map[string]string) error {
	for _, k := range []string{OptHostAccess, OptHostAccess6} {
		v, ok := opts[k]
		if !ok {
			continue
		}
		a, err := netip.ParseAddr(v)
		switch {
		case err != nil || a.Zone() != "":
			return invalidf("invalid %s %q: give an address of one of the network's subnets, such as 192.168.10.2 (host_access) or 2001:db8::2 (host_access6)", k, v)
		case k == OptHostAccess && !a.Is4():
			return invalidf("invalid %s %s: it takes an IPv4 address; give IPv6 as %s", k, v, OptHostAccess6)
		case k == OptHostAccess6 && !a.Is6():
			return invalidf("invalid %s %s: it takes an IPv6 address; give IPv4 as %s", k, v, OptHostAccess)
		}
		o.hostAccess = append(o.hostAccess, a)
	}
	return nil
}

// setHostAccess places the host access addresses of o in n's subnets,
// once they are all known, and names n's host link. An address must lie in
// one of the network's subnets of its family and be neither the gateway
// nor an auxiliary address, and the mode must let the host link reach the
// endpoints.
func setHostAccess(n *Network, o *options) error {
	if len(o.hostAccess) == 0 {
		return nil
	}
	switch {
	case n.Driver == MACVlan && n.MACVlanMode != ModeBridge:
		return invalidf("host access needs macvlan_mode=bridge, not %s: the host's macvlan link reaches the endpoints only through the bridge", n.MACVlanMode)
	case n.Driver == IPVlan && n.IPVlanFlag != FlagBridge:
		return invalidf("host access needs ipvlan_flag=bridge, not %s: the host's ipvlan link reaches the endpoints only through the bridge", n.IPVlanFlag)
	}
	for _, a := range o.hostAccess {
		opt, fam := OptHostAccess, "IPv4"
		if a.Is6() {
			opt, fam = OptHostAccess6, "IPv6"
		}
		var in []netip.Prefix
		i := -1
		for j, s := range n.Subnets {
			if s.Subnet.Addr().Is4() == a.Is4() {
				in = append(in, s.Subnet)
				if s.Subnet.Contains(a) {
					i = j
				}
			}
		}
		switch {
		case len(in) == 0:
			return invalidf("invalid %s %s: the network has no %s subnet; give one with --subnet, or leave %s out", opt, a, fam, opt)
		case i < 0:
			return invalidf("invalid %s %s: it is in none of the network's %s subnets (%s); give an address of one of them", opt, a, fam, joinPrefixes(in))
		}
		s := &n.Subnets[i]
		if what := s.pool().ReservedAs(a); what != "" {
			return invalidf("invalid %s %s: it is %s of subnet %s already; give the host another address", opt, a, what, s.Subnet)
		}
		s.HostAccess = a
	}
	n.HostLink = hostLinkName(n.ID)
	return nil
}

// hostAddrs returns the host link's addresses, each with its subnet's
// prefix length.
func (n *Network) hostAddrs() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range n.Subnets {
		if s.HostAccess.IsValid() {
			out = append(out, netip.PrefixFrom(s.HostAccess, s.Subnet.Bits()))
		}
	}
	return out
}

// setupHostAccess makes n's host link in the host namespace, in this
// state directory's group, marks it, gives it its addresses and brings
// it up. It first refuses a subnet the parent itself carries an address
// of: the kernel's route through the parent would compete with the host
// link's. When it fails, the caller deletes the link (deleteHostLink).
func (m *Manager) setupHostAccess(n *Network) error {
	h, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	if err := checkParentSubnets(h, n); err != nil {
		return err
	}
	if err := h.Create(linkSpec(n, n.HostLink, nil, nil, m.group)); err != nil {
		return fmt.Errorf("create host access link %s: %w", n.HostLink, createError(n, err))
	}
	if err := hook(m.ctx, "host-link"); err != nil {
		return err
	}
	return m.configureHostLink(h, n, false)
}

// configureHostLink marks n's host link, adds its addresses (with repair,
// those there already are kept) and brings it up: the kernel then adds
// the route to each subnet through it.
func (m *Manager) configureHostLink(h *links.Handle, n *Network, repair bool) error {
	l, err := h.Get(n.HostLink)
	if err != nil {
		return err
	}
	alias := m.hostMark(n).String()
	if err := h.SetIndex(l.Index, links.Change{Alias: &alias, Group: &m.group}); err != nil {
		return fmt.Errorf("mark host access link %s: %w", n.HostLink, err)
	}
	for _, p := range n.hostAddrs() {
		err := h.AddAddress(l.Index, p, true)
		if err != nil && !(repair && errors.Is(err, unix.EEXIST)) {
			return fmt.Errorf("add address %s to host access link %s: %w", p, n.HostLink, err)
		}
	}
	on := true
	if err := h.SetIndex(l.Index, links.Change{Up: &on}); err != nil {
		return fmt.Errorf("bring up host access link %s: %w", n.HostLink, err)
	}
	return hook(m.ctx, "host-configured")
}

// checkParentSubnets refuses host access on a subnet whose addresses the
// parent's own link carries.
func checkParentSubnets(h *links.Handle, n *Network) error {
	p, err := h.Get(n.Parent)
	if err != nil {
		return err
	}
	ps, err := h.Addresses(p.Index)
	if err != nil {
		return err
	}
	for _, s := range n.Subnets {
		for _, a := range ps {
			if s.HostAccess.IsValid() && s.Subnet.Contains(a.Addr()) {
				return invalidf("host access on subnet %s: parent %s carries %s of it, and routing each endpoint through the host link instead of the subnet is not supported yet; give the network a subnet the parent's link does not carry, or leave host access out", s.Subnet, n.Parent, a)
			}
		}
	}
	return nil
}

// deleteHostLink deletes n's host link if it is there and is the one
// vlanraw made: marked as n's, or in this directory's group and not yet
// marked.
func (m *Manager) deleteHostLink(n *Network) error {
	if n.HostLink == "" {
		return nil
	}
	h, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	return m.deleteNetworkLink(h, n.ID, n.HostLink, markHost)
}

// deleteNetworkLink deletes the link name in the host namespace, through
// h, that vlanraw made for the network with ID id, whose mark ends in
// which (markParent, markHost): a link of that name that carries another
// mark, or is outside this directory's group, is kept.
func (m *Manager) deleteNetworkLink(h *links.Handle, id, name, which string) error {
	l, err := h.Get(name)
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		return err
	}
	want := mark{dir: m.id, network: short(id), endpoint: which}.String()
	if l.Group != m.group || (l.Alias != "" && l.Alias != want) {
		return nil
	}
	if err := h.Delete(name); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// ensureHostAccess creates n's host link again when it is missing, and
// otherwise adds what is missing on it. It reports whether it created it.
func (m *Manager) ensureHostAccess(h *links.Handle, n *Network) (bool, error) {
	l, err := h.Get(n.HostLink)
	if errors.Is(err, unix.ENODEV) {
		if err := h.Create(linkSpec(n, n.HostLink, nil, nil, m.group)); err != nil {
			return false, fmt.Errorf("create host access link %s: %w", n.HostLink, createError(n, err))
		}
		if err := m.configureHostLink(h, n, false); err != nil {
			return false, errors.Join(err, h.Delete(n.HostLink))
		}
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if want := m.hostMark(n).String(); l.Alias != want && !(l.Alias == "" && l.Group == m.group) || l.Kind != string(n.Driver) {
		return false, conflictf("link %s in the host namespace is not network %s's host access link (a %s link%s): rename or delete it, then restore again",
			n.HostLink, n.Name, kindName(l.Kind), aliasNote(l.Alias))
	}
	return false, m.configureHostLink(h, n, true)
}
