package modes

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

// Host routes. When the parent's own link carries an address of a subnet
// given host access (the network is the LAN, Docker's usual macvlan case:
// the parent has 192.168.1.10/24 and the network is 192.168.1.0/24), the
// kernel's prefix route for the subnet is the parent's, and a second one
// through the host link would not win against it. The host link then
// carries its address alone (a /32 or /128, Subnet.HostRoutes) and each
// endpoint of the subnet gets a route of its own through it in the host
// namespace, ENDPOINT/32 dev vh-<ID[:12]>: the shim users otherwise make
// by hand. The routes are kernel state derived from the records, never
// recorded themselves: syncHostRoutes makes the kernel match the
// records, and every command that adds or drops endpoints runs it
// (connect, disconnect, restore, gc, and the recovery of an interrupted
// command), so a command killed between a route and a record leaves
// nothing the next one does not put right. Deleting the host link (network
// rm) takes its routes with it.

// hostRouted reports whether n routes its endpoints one by one through its
// host link, on one subnet at least.
func (n *Network) hostRouted() bool {
	if n.HostLink == "" {
		return false
	}
	for _, s := range n.Subnets {
		if s.HostRoutes {
			return true
		}
	}
	return false
}

// hostRoutedSubnet reports whether a lies in a subnet of n whose endpoints
// are routed one by one, and is not the host's own address there.
func (n *Network) hostRoutedSubnet(a netip.Addr) bool {
	for _, s := range n.Subnets {
		if s.HostRoutes && s.Subnet.Contains(a) && a != s.HostAccess {
			return true
		}
	}
	return false
}

// hostRoutes returns the destinations of the routes the records of n call
// for through its host link: each endpoint address in a subnet routed one
// by one, as a /32 or /128.
func (n *Network) hostRoutes() []netip.Prefix {
	var out []netip.Prefix
	for _, e := range n.Endpoints {
		for _, p := range []netip.Prefix{e.IPv4, e.IPv6} {
			if p.IsValid() && n.hostRoutedSubnet(p.Addr()) {
				out = append(out, netip.PrefixFrom(p.Addr(), p.Addr().BitLen()))
			}
		}
	}
	return out
}

// syncHostRoutes makes the host routes of n through its host link, found
// through h, those its records call for: it adds the missing ones and
// deletes those of endpoints no longer recorded. Without the host link
// there is nothing to route through (restore makes it, then syncs again).
func (m *Manager) syncHostRoutes(h *links.Handle, n *Network) error {
	if !n.hostRouted() {
		return nil
	}
	l, err := h.Get(n.HostLink)
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		return err
	}
	rs, err := h.Routes(l.Index)
	if err != nil {
		return fmt.Errorf("host routes of network %s: %w", n.Name, err)
	}
	stale := map[netip.Prefix]bool{}
	for _, r := range rs {
		if r.Dst.IsSingleIP() && !r.Gateway.IsValid() && n.hostRoutedSubnet(r.Dst.Addr()) {
			stale[r.Dst] = true
		}
	}
	for _, p := range n.hostRoutes() {
		if stale[p] {
			delete(stale, p)
			continue
		}
		err := h.AddRoute(links.Route{Dst: p, Index: l.Index})
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("add host route %s dev %s: %w", p, n.HostLink, err)
		}
		if err := hook(m.ctx, "host-route"); err != nil {
			return err
		}
	}
	for p := range stale {
		err := h.DeleteRoute(links.Route{Dst: p, Index: l.Index})
		if err != nil && !errors.Is(err, unix.ESRCH) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("delete host route %s dev %s: %w", p, n.HostLink, err)
		}
	}
	return nil
}

// syncHostRoutesOf is syncHostRoutes on a handle of its own, for each of
// nets; it opens none when no network routes endpoints one by one.
func (m *Manager) syncHostRoutesOf(nets ...*Network) error {
	var routed []*Network
	for _, n := range nets {
		if n != nil && n.hostRouted() && !slices.Contains(routed, n) {
			routed = append(routed, n)
		}
	}
	if len(routed) == 0 {
		return nil
	}
	h, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	var errs []error
	for _, n := range routed {
		errs = append(errs, m.syncHostRoutes(h, n))
	}
	return errors.Join(errs...)
}
