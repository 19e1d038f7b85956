package cni

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/vlanraw/vlanraw/modes"
)

// add is ADD: the addresses from the IPAM plugin (or vlanraw's IPAM on a
// vlanraw network), the link made in the namespace, and the result.
func (p *plugin) add(in *invocation) error {
	c, ar, err := p.load(in)
	if err != nil {
		return err
	}
	mac, err := c.mac(ar)
	if err != nil {
		return err
	}
	prev, err := c.prevResult()
	if err != nil {
		return err
	}
	m, err := p.manager(c)
	if err != nil {
		return cniError(err)
	}
	defer m.Close()
	if c.Network != "" {
		return p.addToNetwork(c, in, m, mac, prev)
	}

	if c.Master == "" {
		if c.Master, err = chainedMaster(c, prev, in); err != nil {
			return err
		}
	}
	var ipam *current.Result
	if c.IPAM.Type != "" {
		if ipam, err = p.ipamAdd(in, c); err != nil {
			return err
		}
	} else if prev != nil {
		ipam = takenFrom(prev, c.Master) // chained: an earlier plugin's addresses
	}
	s := modes.AttachSpec{Config: c.Name, Driver: modes.Driver(c.Driver), Options: c.options(),
		Ref: ref(in), NetNS: in.Netns, MAC: mac, DropIn: c.dropIn(), LinkInContainer: c.LinkInContainer}
	if ipam != nil {
		if err := fillAddrs(&s, ipam); err != nil {
			return errors.Join(err, p.ipamDel(in, c))
		}
	}
	e, err := m.Attach(s)
	if err != nil {
		return errors.Join(cniError(err), p.ipamDel(in, c))
	}
	// The configuration's DNS, as the reference plugins report it.
	return printResult(p.stdout, result(prev, e, in.Netns, ipam, c.IPAM.Type == "" && prev != nil, c.DNS), c.CNIVersion)
}

// chainedMaster returns the master of a configuration that names none,
// as the reference plugins pick it: in a chain, the ipvlan driver takes
// the one named interface of prevResult; otherwise the link of the
// default route, in the container's namespace with linkInContainer.
func chainedMaster(c *config, prev *current.Result, in *invocation) (string, error) {
	if c.Driver == string(modes.IPVlan) && prev != nil {
		if len(prev.Interfaces) != 1 || prev.Interfaces[0].Name == "" {
			return "", errorf(codeInvalidConfig, "no master given, and prevResult has %d interfaces: a chained ipvlan takes its master from a prevResult of exactly one named interface; name the master", len(prev.Interfaces))
		}
		return prev.Interfaces[0].Name, nil
	}
	ns := ""
	if c.LinkInContainer {
		ns = in.Netns
	}
	master, err := modes.DefaultMaster(ns)
	if err != nil {
		return "", cniError(err)
	}
	return master, nil
}

// takenFrom returns the addresses and routes an attachment without an
// IPAM plugin takes from prev: the addresses of no interface, or of the
// interface master (which the new link takes over, as the reference
// ipvlan does with its chained master's), and prev's routes. Its IPs are
// prev's own, which result leaves out of prev's list.
func takenFrom(prev *current.Result, master string) *current.Result {
	r := &current.Result{Routes: prev.Routes}
	for _, ip := range prev.IPs {
		if ip.Interface == nil || *ip.Interface >= 0 && *ip.Interface < len(prev.Interfaces) && prev.Interfaces[*ip.Interface].Name == master {
			r.IPs = append(r.IPs, ip)
		}
	}
	return r
}

// addToNetwork is ADD on a vlanraw network: Connect, with the ips
// capability argument's addresses, if any.
func (p *plugin) addToNetwork(c *config, in *invocation, m *modes.Manager, mac string, prev *current.Result) error {
	s := modes.ConnectSpec{Network: c.Network, NetNS: in.Netns, MAC: mac, IfName: in.IfName, ContainerID: in.ContainerID}
	for _, ip := range c.RuntimeConfig.IPs {
		addr, err := netip.ParsePrefix(ip)
		if err != nil {
			a, aerr := netip.ParseAddr(ip)
			if aerr != nil {
				return errorf(codeInvalidConfig, "runtimeConfig ips: %q is not an address", ip)
			}
			addr = netip.PrefixFrom(a, a.BitLen())
		}
		switch {
		case addr.Addr().Is4() && s.IPv4 == "":
			s.IPv4 = addr.Addr().String()
		case addr.Addr().Is6() && s.IPv6 == "":
			s.IPv6 = addr.Addr().String()
		default:
			return errorf(codeInvalidConfig, "runtimeConfig ips: give one IPv4 and one IPv6 address at most, not %v", c.RuntimeConfig.IPs)
		}
	}
	e, err := m.Connect(s)
	if err != nil {
		return cniError(err)
	}
	// A vlanraw network has no DNS of its own: the configuration's.
	return printResult(p.stdout, result(prev, e, in.Netns, nil, false, c.DNS), c.CNIVersion)
}

// fillAddrs copies the addresses, gateways and routes of an IPAM result
// into s: one address of each family at most, as vlanraw's endpoints
// have.
func fillAddrs(s *modes.AttachSpec, r *current.Result) error {
	for _, ip := range r.IPs {
		a, ok := netip.AddrFromSlice(ip.Address.IP)
		if !ok {
			return errorf(codeInvalidConfig, "IPAM result: invalid address %v", ip.Address)
		}
		a = a.Unmap()
		ones, _ := ip.Address.Mask.Size()
		p := netip.PrefixFrom(a, ones)
		switch {
		case a.Is4() && !s.IPv4.IsValid():
			s.IPv4 = p
		case a.Is6() && !s.IPv6.IsValid():
			s.IPv6 = p
		default:
			return errorf(codeInvalidConfig, "IPAM result has more than one %s address (%v): a vlanraw endpoint has one of each family", family(a), ip.Address.String())
		}
		if gw, ok := netip.AddrFromSlice(ip.Gateway); ok {
			s.Gateways = append(s.Gateways, gw.Unmap())
		}
	}
	for _, rt := range r.Routes {
		dst, err := prefix(rt.Dst)
		if err != nil {
			return errorf(codeInvalidConfig, "IPAM result: route %v: %v", rt, err)
		}
		gw, _ := netip.AddrFromSlice(rt.GW)
		s.Routes = append(s.Routes, modes.Route{Dst: dst, Gateway: gw.Unmap()})
	}
	return nil
}

func family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// prefix converts a net.IPNet.
func prefix(n net.IPNet) (netip.Prefix, error) {
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("invalid address %v", n.IP)
	}
	ones, bits := n.Mask.Size()
	if bits == 0 {
		return netip.Prefix{}, fmt.Errorf("invalid mask")
	}
	return netip.PrefixFrom(a.Unmap(), ones).Masked(), nil
}
