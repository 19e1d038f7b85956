package iproute

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// linkPrinter renders links as `ip link show` and `ip -j link show` do,
// with the keys and values of iproute2 6.1. It prints only what the
// kernel reported and vlanraw decodes; keys it cannot produce exactly
// (allmulti, gso_max_size, inet6_addr_gen_mode, ...) are left out.
type linkPrinter struct {
	// byIndex holds every link of the namespace, to name parents and
	// masters.
	byIndex map[int]*links.Link
	// details adds promiscuity, MTU bounds, queues and the kind's data.
	details bool
	// addr prints the links as `ip addr` does: without the link mode,
	// which iproute2 prints for `ip link` only.
	addr bool
}

// iffNames are the IFF_* flags in iproute2's print order.
var iffNames = []struct {
	f    uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"},
	{unix.IFF_BROADCAST, "BROADCAST"},
	{unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_MULTICAST, "MULTICAST"},
	{unix.IFF_NOARP, "NOARP"},
	{unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"},
	{unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"},
	{unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_DYNAMIC, "DYNAMIC"},
	{unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"},
	{unix.IFF_NOTRAILERS, "NOTRAILERS"},
	{unix.IFF_UP, "UP"},
	{unix.IFF_LOWER_UP, "LOWER_UP"},
	{unix.IFF_DORMANT, "DORMANT"},
	{unix.IFF_ECHO, "ECHO"},
}

// operStates are the RFC 2863 states by IF_OPER_* value.
var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// linkModes are the IF_LINK_MODE_* names.
var linkModes = []string{"DEFAULT", "DORMANT"}

// flagNames lists the device flags as iproute2 does, with M-DOWN when
// the parent, in the same namespace, is down.
func flagNames(flags uint32, mdown bool) []string {
	names := []string{}
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		names = append(names, "NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, n := range iffNames {
		if flags&n.f != 0 {
			flags &^= n.f
			names = append(names, n.name)
		}
	}
	if flags != 0 {
		names = append(names, fmt.Sprintf("%x", flags))
	}
	if mdown {
		names = append(names, "M-DOWN")
	}
	return names
}

// name returns the name of the link with index, or "if<index>" as
// iproute2 does when it does not know it.
func (p *linkPrinter) name(index uint32) string {
	if l, ok := p.byIndex[int(index)]; ok {
		return l.Name
	}
	return fmt.Sprintf("if%d", index)
}

// parentDown reports iproute2's M-DOWN: the link has a parent in the same
// namespace that is not up (or that it cannot find).
func (p *linkPrinter) parentDown(a *rtnl.LinkAttributes) bool {
	if a.Parent == 0 || a.LinkNetNSID != nil {
		return false
	}
	l, ok := p.byIndex[int(a.Parent)]
	return !ok || l.Msg.Flags&unix.IFF_UP == 0
}

// json renders a link as one object of `ip -j [-d] link show`.
func (p *linkPrinter) json(l *links.Link) *jsonObject {
	m := l.Msg
	a := &m.Attributes
	o := &jsonObject{}
	o.set("ifindex", m.Index)
	if a.Parent != 0 {
		if a.LinkNetNSID != nil {
			o.set("link_index", a.Parent)
		} else {
			o.set("link", p.name(a.Parent))
		}
	}
	o.set("ifname", a.Name)
	o.set("flags", flagNames(m.Flags, p.parentDown(a)))
	o.set("mtu", a.MTU)
	if a.Qdisc != "" {
		o.set("qdisc", a.Qdisc)
	}
	if a.Master != 0 {
		o.set("master", p.name(a.Master))
	}
	if int(a.OperState) < len(operStates) {
		o.set("operstate", operStates[a.OperState])
	} else {
		o.set("operstate_index", a.OperState)
	}
	switch {
	case p.addr:
	case int(a.LinkMode) < len(linkModes):
		o.set("linkmode", linkModes[a.LinkMode])
	default:
		o.set("linkmode_index", a.LinkMode)
	}
	if a.Group != nil {
		o.set("group", groupName(*a.Group))
	}
	if a.TxQueueLen != nil && *a.TxQueueLen != 0 {
		o.set("txqlen", *a.TxQueueLen)
	}
	o.set("link_type", linkType(m.Type))
	if a.Address != nil {
		o.set("address", linkAddr(a.Address, m.Type))
	}
	if a.Broadcast != nil {
		if m.Flags&unix.IFF_POINTOPOINT != 0 {
			o.set("link_pointtopoint", true)
		}
		o.set("broadcast", linkAddr(a.Broadcast, m.Type))
	}
	if a.LinkNetNSID != nil {
		o.set("link_netnsid", *a.LinkNetNSID)
	}
	if !p.details {
		return o
	}
	o.set("promiscuity", a.Promiscuity)
	o.set("min_mtu", a.MinMTU)
	o.set("max_mtu", a.MaxMTU)
	if info := a.Info; info != nil {
		li := &jsonObject{}
		if info.Kind != "" {
			li.set("info_kind", info.Kind)
			if d, ok := kindDetails(info.Kind, info.Data); ok {
				li.set("info_data", detailsJSON(d))
			}
		}
		if info.SlaveKind != "" {
			li.set("info_slave_kind", info.SlaveKind)
		}
		o.set("linkinfo", li)
	}
	o.set("num_tx_queues", a.NumTx)
	o.set("num_rx_queues", a.NumRx)
	return o
}

// text renders a link as `ip [-d] link show` does.
func (p *linkPrinter) text(l *links.Link) string {
	m := l.Msg
	a := &m.Attributes
	var b strings.Builder
	name := a.Name
	if a.Parent != 0 {
		if a.LinkNetNSID != nil {
			name += fmt.Sprintf("@if%d", a.Parent)
		} else {
			name += "@" + p.name(a.Parent)
		}
	}
	fmt.Fprintf(&b, "%d: %s: <%s> mtu %d ", m.Index, name, strings.Join(flagNames(m.Flags, p.parentDown(a)), ","), a.MTU)
	if a.Qdisc != "" {
		fmt.Fprintf(&b, "qdisc %s ", a.Qdisc)
	}
	if a.Master != 0 {
		fmt.Fprintf(&b, "master %s ", p.name(a.Master))
	}
	if int(a.OperState) < len(operStates) {
		fmt.Fprintf(&b, "state %s ", operStates[a.OperState])
	} else {
		fmt.Fprintf(&b, "state %#x ", a.OperState)
	}
	switch {
	case p.addr:
	case int(a.LinkMode) < len(linkModes):
		fmt.Fprintf(&b, "mode %s ", linkModes[a.LinkMode])
	default:
		fmt.Fprintf(&b, "mode %d ", a.LinkMode)
	}
	if a.Group != nil {
		fmt.Fprintf(&b, "group %s ", groupName(*a.Group))
	}
	if a.TxQueueLen != nil && *a.TxQueueLen != 0 {
		fmt.Fprintf(&b, "qlen %d", *a.TxQueueLen)
	}
	fmt.Fprintf(&b, "\n    link/%s ", linkType(m.Type))
	if a.Address != nil {
		b.WriteString(linkAddr(a.Address, m.Type))
	}
	if a.Broadcast != nil {
		if m.Flags&unix.IFF_POINTOPOINT != 0 {
			b.WriteString(" peer ")
		} else {
			b.WriteString(" brd ")
		}
		b.WriteString(linkAddr(a.Broadcast, m.Type))
	}
	if a.LinkNetNSID != nil {
		fmt.Fprintf(&b, " link-netnsid %d", *a.LinkNetNSID)
	}
	if p.details {
		fmt.Fprintf(&b, " promiscuity %d minmtu %d maxmtu %d ", a.Promiscuity, a.MinMTU, a.MaxMTU)
		if info := a.Info; info != nil && info.Kind != "" {
			fmt.Fprintf(&b, "\n    %s ", info.Kind)
			d, _ := kindDetails(info.Kind, info.Data)
			b.WriteString(detailsText(d))
		}
		if info := a.Info; info != nil && info.SlaveKind != "" {
			fmt.Fprintf(&b, "\n    %s_slave ", info.SlaveKind)
		}
		fmt.Fprintf(&b, "numtxqueues %d numrxqueues %d ", a.NumTx, a.NumRx)
	}
	b.WriteString("\n")
	return b.String()
}

// linkType names an ARPHRD_* type as iproute2's ll_type_n2a does, for
// the types vlanraw meets.
func linkType(t uint16) string {
	switch t {
	case unix.ARPHRD_ETHER:
		return "ether"
	case unix.ARPHRD_LOOPBACK:
		return "loopback"
	case unix.ARPHRD_TUNNEL:
		return "ipip"
	case unix.ARPHRD_TUNNEL6:
		return "tunnel6"
	case unix.ARPHRD_SIT:
		return "sit"
	case unix.ARPHRD_IPGRE:
		return "gre"
	case unix.ARPHRD_IP6GRE:
		return "gre6"
	case unix.ARPHRD_PPP:
		return "ppp"
	case unix.ARPHRD_INFINIBAND:
		return "infiniband"
	case unix.ARPHRD_CAN:
		return "can"
	case unix.ARPHRD_IEEE80211:
		return "ieee802.11"
	case unix.ARPHRD_NETLINK:
		return "netlink"
	case unix.ARPHRD_NONE:
		return "none"
	case unix.ARPHRD_VOID:
		return "void"
	}
	return fmt.Sprintf("[%d]", t)
}

// linkAddr formats a link-layer address as iproute2's ll_addr_n2a does:
// tunnel endpoints as IP addresses, anything else as colon-separated hex.
func linkAddr(b []byte, t uint16) string {
	switch {
	case len(b) == 4 && (t == unix.ARPHRD_TUNNEL || t == unix.ARPHRD_SIT || t == unix.ARPHRD_IPGRE),
		len(b) == 16 && (t == unix.ARPHRD_TUNNEL6 || t == unix.ARPHRD_IP6GRE):
		return net.IP(b).String()
	}
	return net.HardwareAddr(b).String()
}
