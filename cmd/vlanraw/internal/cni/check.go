package cni

import (
	"net/netip"
	"slices"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/vlanraw/vlanraw/modes"
)

// check is CHECK: the IPAM plugin checks its allocation, then the link,
// its mode, addresses and routes are compared with the prevResult the
// runtime cached (in a chain's, the routes through the link's subnets).
func (p *plugin) check(in *invocation) error {
	c, _, err := p.load(in)
	if err != nil {
		return err
	}
	prev, err := c.prevResult()
	if err != nil {
		return err
	}
	if prev == nil {
		return errorf(codeInvalidConfig, "CHECK needs the prevResult of the ADD: none was given")
	}
	if c.IPAM.Type != "" {
		if err := p.ipamDo(in, c, "CHECK"); err != nil {
			return err
		}
	}
	idx := -1
	for i, ifc := range prev.Interfaces {
		if ifc.Name == in.IfName && (ifc.Sandbox == "" || ifc.Sandbox == in.Netns) {
			idx = i
		}
	}
	if idx < 0 {
		return errorf(codeInvalidConfig, "prevResult has no interface %s in %s", in.IfName, in.Netns)
	}
	var want modes.AttachmentState
	for _, ip := range prev.IPs {
		if ip.Interface == nil || *ip.Interface != idx {
			continue
		}
		addr, ok := netip.AddrFromSlice(ip.Address.IP)
		if !ok {
			return errorf(types.ErrDecodingFailure, "prevResult: invalid address %v", ip.Address)
		}
		ones, _ := ip.Address.Mask.Size()
		want.Addrs = append(want.Addrs, netip.PrefixFrom(addr.Unmap(), ones))
	}
	for _, rt := range prev.Routes {
		dst, err := prefix(rt.Dst)
		if err != nil {
			return errorf(types.ErrDecodingFailure, "prevResult: route %v: %v", rt, err)
		}
		gw, _ := netip.AddrFromSlice(rt.GW)
		gw = gw.Unmap()
		// Routes name no interface: in a chain's result, those of the
		// link are the ones whose gateway is on one of its subnets.
		if len(prev.Interfaces) > 1 && !slices.ContainsFunc(want.Addrs, func(p netip.Prefix) bool { return gw.IsValid() && p.Masked().Contains(gw) }) {
			continue
		}
		want.Routes = append(want.Routes, modes.Route{Dst: dst, Gateway: gw, Dev: in.IfName})
	}
	m, err := p.manager(c)
	if err != nil {
		return cniError(err)
	}
	defer m.Close()
	return cniError(m.CheckAttachment(c.networkName(), ref(in), want))
}
