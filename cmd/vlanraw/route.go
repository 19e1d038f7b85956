package main

import (
	"fmt"
	"io"
	"net"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// runRoute runs `vlanraw route [show [[dev] DEV]]`: the main table's IPv4
// routes, then its IPv6 routes, as `ip route show` and `ip -6 route show`
// print them, or with -j as their JSON. Only unicast routes are shown.
func runRoute(e *env, args []string) error {
	h, byIndex, index, err := e.openShow("route", args)
	if err != nil {
		return err
	}
	defer h.Close()
	p := &linkPrinter{byIndex: byIndex}
	objs := []*jsonObject{}
	var b strings.Builder
	for _, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		ms, err := h.Conn().ListRoutes(family, uint32(index))
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Type != unix.RTN_UNICAST {
				continue
			}
			r := routeFields(&m, p, e.details)
			if index != 0 {
				r.dev = "" // as iproute2: the filter names it
			}
			objs = append(objs, r.json())
			b.WriteString(r.text())
		}
	}
	if e.json {
		return writeJSON(e.stdout, objs, e.pretty)
	}
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// route is a route as iproute2 prints it; empty fields are left out.
type route struct {
	dst, gateway, dev, protocol, scope, prefsrc string
	metric                                      uint32
}

// routeFields takes what iproute2 prints from m. As iproute2, it leaves
// out protocol boot and scope global unless details are asked for.
func routeFields(m *rtnl.RouteMessage, p *linkPrinter, details bool) route {
	a := &m.Attributes
	r := route{dst: "default", metric: a.Priority}
	switch {
	case a.Dst != nil && int(m.DstLength) == len(a.Dst)*8:
		r.dst = a.Dst.String() // a host route: iproute2 leaves out /32 and /128
	case a.Dst != nil:
		r.dst = (&net.IPNet{IP: a.Dst, Mask: net.CIDRMask(int(m.DstLength), len(a.Dst)*8)}).String()
	}
	if a.Gateway != nil {
		r.gateway = a.Gateway.String()
	}
	if a.OutIface != 0 {
		r.dev = p.name(a.OutIface)
	}
	if m.Protocol != unix.RTPROT_BOOT || details {
		r.protocol = protocolName(m.Protocol)
	}
	if m.Scope != unix.RT_SCOPE_UNIVERSE || details {
		r.scope = scopeName(m.Scope)
		if m.Scope == unix.RT_SCOPE_UNIVERSE {
			r.scope = "global"
		}
	}
	if a.Src != nil {
		r.prefsrc = a.Src.String()
	}
	return r
}

// protocolName names an RTPROT_* value as /etc/iproute2/rt_protos does.
func protocolName(p uint8) string {
	switch p {
	case unix.RTPROT_UNSPEC:
		return "unspec"
	case unix.RTPROT_REDIRECT:
		return "redirect"
	case unix.RTPROT_KERNEL:
		return "kernel"
	case unix.RTPROT_BOOT:
		return "boot"
	case unix.RTPROT_STATIC:
		return "static"
	case unix.RTPROT_RA:
		return "ra"
	case unix.RTPROT_DHCP:
		return "dhcp"
	}
	return fmt.Sprint(p)
}

// text renders r as one line of `ip route show`.
func (r route) text() string {
	var b strings.Builder
	b.WriteString(r.dst)
	for _, kv := range [][2]string{{"via", r.gateway}, {"dev", r.dev}, {"proto", r.protocol}, {"scope", r.scope}, {"src", r.prefsrc}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s %s", kv[0], kv[1])
		}
	}
	if r.metric != 0 {
		fmt.Fprintf(&b, " metric %d", r.metric)
	}
	b.WriteString(" \n")
	return b.String()
}

// json renders r as one object of `ip -j route show`.
func (r route) json() *jsonObject {
	o := &jsonObject{}
	o.set("dst", r.dst)
	for _, kv := range [][2]string{{"gateway", r.gateway}, {"dev", r.dev}, {"protocol", r.protocol}, {"scope", r.scope}, {"prefsrc", r.prefsrc}} {
		if kv[1] != "" {
			o.set(kv[0], kv[1])
		}
	}
	if r.metric != 0 {
		o.set("metric", r.metric)
	}
	o.set("flags", []string{})
	return o
}

// routeHelp writes the help of the route object.
func routeHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [OPTIONS] route [show [[dev] DEV]]

  show       list the main table's IPv4, then IPv6, unicast routes of the
             namespace (-n NETNS), as "ip route show" and "ip -6 route
             show" print them: "default via GW dev eth0", "default dev
             eth0 scope link", "SUBNET dev eth0 proto kernel scope link src
             ADDR"; -d also prints protocol boot and scope global, -j the
             JSON of "ip -j route show" (also list, lst; "show" is the
             default)
  dev DEV    only routes through this link ("dev" may be left out)
  help       print this help

vlanraw only shows routes: "vlanraw connect" installs an endpoint's, and
"vlanraw routes NETWORK --apply" an upstream router's.
`)
}
