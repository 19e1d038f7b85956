package cni

import (
	"net"
	"net/netip"
	"slices"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/vlanraw/vlanraw/modes"
)

// result returns the result of an ADD that made endpoint e in netns:
// prev's interfaces, addresses and routes (in a chain) followed by e's
// link, its addresses (with their gateways, from ipam when it gave
// them) and the IPAM plugin's routes or, when it gave none, the routes
// vlanraw added through the link. With fromPrev, ipam is
// takenFrom(prev): prev's addresses it holds are listed as e's only, and
// its routes once.
func result(prev *current.Result, e *modes.Endpoint, netns string, ipam *current.Result, fromPrev bool, dns types.DNS) *current.Result {
	r := &current.Result{CNIVersion: current.ImplementedSpecVersion, DNS: dns}
	if prev != nil {
		r.Interfaces, r.Routes = prev.Interfaces, prev.Routes
		for _, ip := range prev.IPs {
			if fromPrev && slices.Contains(ipam.IPs, ip) {
				continue // moved to e's link: listed below
			}
			r.IPs = append(r.IPs, ip)
		}
	}
	idx := len(r.Interfaces)
	r.Interfaces = append(r.Interfaces, &current.Interface{Name: e.IfName, Mac: e.MAC, Sandbox: netns})
	for _, p := range []netip.Prefix{e.IPv4, e.IPv6} {
		if !p.IsValid() {
			continue
		}
		ip := &current.IPConfig{Interface: current.Int(idx), Address: ipNet(p), Gateway: gatewayFor(e, ipam, p.Addr())}
		r.IPs = append(r.IPs, ip)
	}
	if ipam != nil && len(ipam.Routes) > 0 {
		// The IPAM plugin's routes as it gave them, as the reference
		// plugins report them (a route without a gateway went via the
		// gateway of its family: see modes.Attachment.Routes); prev's
		// are listed already.
		if !fromPrev {
			r.Routes = append(r.Routes, ipam.Routes...)
		}
		return r
	}
	for _, rt := range e.Routes {
		route := &types.Route{Dst: ipNet(rt.Dst)}
		if rt.Gateway.IsValid() {
			route.GW = net.IP(rt.Gateway.AsSlice())
		}
		r.Routes = append(r.Routes, route)
	}
	return r
}

// gatewayFor returns the gateway of address a: the IPAM plugin's, or the
// one e's default route goes through.
func gatewayFor(e *modes.Endpoint, ipam *current.Result, a netip.Addr) net.IP {
	if ipam != nil {
		for _, ip := range ipam.IPs {
			if ip.Address.IP.Equal(a.AsSlice()) && ip.Gateway != nil {
				return ip.Gateway
			}
		}
	}
	for _, rt := range e.Routes {
		if rt.Gateway.IsValid() && rt.Gateway.Is4() == a.Is4() {
			return net.IP(rt.Gateway.AsSlice())
		}
	}
	return nil
}

// ipNet converts a prefix, keeping its address.
func ipNet(p netip.Prefix) net.IPNet {
	return net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
