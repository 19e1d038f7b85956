package main

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// runAddr runs `vlanraw addr [show [[dev] DEV]]`: the links with their
// addresses, as `ip addr show` prints them, or with -j as `ip -j addr
// show` does; and `vlanraw addr {add|del} PREFIX dev DEV [nodad]`.
func runAddr(e *env, args []string) error {
	if len(args) > 0 {
		if kw, ok := lookup(addrChangeWords, args[0]); ok {
			return runAddrChange(e, kw.name, args[1:])
		}
	}
	h, byIndex, index, err := e.openShow("addr", args)
	if err != nil {
		return err
	}
	defer h.Close()
	msgs, err := h.Conn().ListAddresses(0, uint32(index))
	if err != nil {
		return err
	}
	addrs := make(map[int][]rtnl.AddressMessage)
	for _, m := range msgs {
		addrs[int(m.Index)] = append(addrs[int(m.Index)], m)
	}
	p := &linkPrinter{byIndex: byIndex, details: e.details, addr: true}
	var objs []*jsonObject
	for _, l := range sortedLinks(byIndex) {
		if index != 0 && l.Index != index {
			continue
		}
		if e.json {
			o := p.json(l)
			info := []*jsonObject{}
			for _, m := range addrs[l.Index] {
				info = append(info, addrJSON(&m))
			}
			o.set("addr_info", info)
			objs = append(objs, o)
			continue
		}
		var b strings.Builder
		b.WriteString(p.text(l))
		for _, m := range addrs[l.Index] {
			b.WriteString(addrText(&m, l.Name))
		}
		if _, err := io.WriteString(e.stdout, b.String()); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if e.json {
		if objs == nil {
			objs = []*jsonObject{}
		}
		return writeJSON(e.stdout, objs, e.pretty)
	}
	return nil
}

// sortedLinks returns the links in index order, as the kernel lists them.
func sortedLinks(byIndex map[int]*links.Link) []*links.Link {
	out := make([]*links.Link, 0, len(byIndex))
	for _, l := range byIndex {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *links.Link) int { return a.Index - b.Index })
	return out
}

// addrFlagNames are the IFA_F_* flags iproute2 prints, in its order.
var addrFlagNames = []struct {
	f    uint32
	name string
}{
	{unix.IFA_F_SECONDARY, "secondary"},
	{unix.IFA_F_NODAD, "nodad"},
	{unix.IFA_F_OPTIMISTIC, "optimistic"},
	{unix.IFA_F_DADFAILED, "dadfailed"},
	{unix.IFA_F_HOMEADDRESS, "home"},
	{unix.IFA_F_DEPRECATED, "deprecated"},
	{unix.IFA_F_TENTATIVE, "tentative"},
	{unix.IFA_F_MANAGETEMPADDR, "mngtmpaddr"},
	{unix.IFA_F_NOPREFIXROUTE, "noprefixroute"},
}

// addrParts returns the family word, the address, its scope and flags.
func addrParts(m *rtnl.AddressMessage) (family string, local netip.Addr, scope string, flags []string) {
	a := m.Attributes
	ip := a.Address
	if a.Local != nil {
		ip = a.Local
	}
	local, _ = netip.AddrFromSlice(ip)
	family = "inet"
	if m.Family == unix.AF_INET6 {
		family = "inet6"
	}
	if a.Flags&unix.IFA_F_PERMANENT == 0 {
		flags = append(flags, "dynamic")
	}
	for _, f := range addrFlagNames {
		if a.Flags&f.f != 0 {
			flags = append(flags, f.name)
		}
	}
	return family, local.Unmap(), scopeName(m.Scope), flags
}

// scopeName names an RT_SCOPE_* value as iproute2 does.
func scopeName(s uint8) string {
	switch s {
	case unix.RT_SCOPE_UNIVERSE:
		return "global"
	case unix.RT_SCOPE_SITE:
		return "site"
	case unix.RT_SCOPE_LINK:
		return "link"
	case unix.RT_SCOPE_HOST:
		return "host"
	case unix.RT_SCOPE_NOWHERE:
		return "nowhere"
	}
	return fmt.Sprint(s)
}

// lifetime renders an address lifetime in seconds, 0xffffffff as forever.
func lifetime(s uint32) string {
	if s == 0xffffffff {
		return "forever"
	}
	return fmt.Sprintf("%dsec", s)
}

// addrText renders one address as `ip addr show` does, under its link.
func addrText(m *rtnl.AddressMessage, dev string) string {
	family, local, scope, flags := addrParts(m)
	var b strings.Builder
	fmt.Fprintf(&b, "    %s %s/%d ", family, local, m.PrefixLength)
	if m.Attributes.Broadcast != nil {
		fmt.Fprintf(&b, "brd %s ", m.Attributes.Broadcast)
	}
	fmt.Fprintf(&b, "scope %s ", scope)
	for _, f := range flags {
		b.WriteString(f + " ")
	}
	if m.Family == unix.AF_INET {
		label := m.Attributes.Label
		if label == "" {
			label = dev
		}
		b.WriteString(label)
	}
	ci := m.Attributes.CacheInfo
	fmt.Fprintf(&b, "\n       valid_lft %s preferred_lft %s\n", lifetime(ci.Valid), lifetime(ci.Preferred))
	return b.String()
}

// addrJSON renders one address as an addr_info entry of `ip -j addr`.
func addrJSON(m *rtnl.AddressMessage) *jsonObject {
	family, local, scope, flags := addrParts(m)
	o := &jsonObject{}
	o.set("family", family)
	o.set("local", local.String())
	o.set("prefixlen", m.PrefixLength)
	if m.Attributes.Broadcast != nil {
		o.set("broadcast", m.Attributes.Broadcast.String())
	}
	o.set("scope", scope)
	for _, f := range flags {
		o.set(f, true)
	}
	if m.Attributes.Label != "" {
		o.set("label", m.Attributes.Label)
	}
	o.set("valid_life_time", m.Attributes.CacheInfo.Valid)
	o.set("preferred_life_time", m.Attributes.CacheInfo.Preferred)
	return o
}

// addrHelp writes the help of the addr object.
func addrHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [OPTIONS] addr [show [[dev] DEV]]
       vlanraw [OPTIONS] addr {add | del} PREFIX dev DEV [nodad]

  add        put PREFIX (an address with its prefix length, such as
             10.0.0.2/24 or fd00::2/64; a bare address is a /32 or /128)
             on link DEV, as "ip addr add" does; the kernel adds the
             prefix route
  del        remove PREFIX from DEV (also delete)
  nodad      with add, an IPv6 address skips duplicate address detection
             and is usable at once
  show       list the links of the namespace (-n NETNS) with their IPv4
             and IPv6 addresses, as "ip addr show" prints them; -j prints
             the JSON of "ip -j addr show" (addr_info under each link)
             (also list, lst; "show" is the default)
  dev DEV    only this link ("dev" may be left out)
  help       print this help

"vlanraw connect" puts an endpoint's addresses on its link itself.
`)
}
