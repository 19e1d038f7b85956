package nsstate

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// State is one namespace's links and routes, each sorted by name (links)
// or by device, destination and gateway (routes).
type State struct {
	Links  []Link
	Routes []Route
}

// Link is one link as the kernel reports it.
type Link struct {
	Name string
	// Kind is IFLA_INFO_KIND ("macvlan", "ipvlan"), empty for loopback.
	Kind string
	// Mode is the macvlan or ipvlan mode ("bridge", "l2"), empty for
	// other kinds; Flags the ipvlan flags ("bridge", "private", "vepa").
	Mode, Flags string
	MTU         uint32
	Up          bool
	MAC         string
	// ParentIndex is the lower device's index in its own namespace.
	ParentIndex int
	Addrs       []Addr
	// ARPNotify and NDiscNotify are net.ipv4.conf.LINK.arp_notify and
	// net.ipv6.conf.LINK.ndisc_notify, empty when the file is missing (no
	// IPv6).
	ARPNotify, NDiscNotify string
	// DisableIPv6 and KeepAddrOnDown are net.ipv6.conf.LINK.disable_ipv6
	// and keep_addr_on_down, empty when the file is missing.
	DisableIPv6, KeepAddrOnDown string
}

// Addr is one address on a link.
type Addr struct {
	Prefix netip.Prefix
	// Scope is RT_SCOPE_*: 0 universe, 253 link, 254 host.
	Scope uint8
}

// Route is one main-table route.
type Route struct {
	Dst     netip.Prefix
	Gateway netip.Addr
	Dev     string
	// Scope, Protocol and Type are RT_SCOPE_*, RTPROT_* and RTN_*.
	Scope, Protocol, Type uint8
	Priority              uint32
}

// Read returns the state of ns (the caller's namespace when nil).
func Read(ns *netns.NS) (*State, error) {
	h, err := links.Open(ns)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ns, err)
	}
	defer h.Close()
	ls, err := h.List("")
	if err != nil {
		return nil, fmt.Errorf("read the links of %s: %w", ns, err)
	}
	st := &State{}
	names := map[uint32]string{}
	for _, l := range ls {
		names[uint32(l.Index)] = l.Name
		sl := Link{Name: l.Name, Kind: l.Kind, MTU: l.MTU, Up: l.Up(), MAC: l.MAC.String(), ParentIndex: l.ParentIndex}
		switch d := l.Data.(type) {
		case *rtnl.MACVlan:
			if d.Mode != nil {
				sl.Mode = d.Mode.String()
			}
		case *rtnl.IPVlan:
			if d.Mode != nil {
				sl.Mode = d.Mode.String()
			}
			if d.Flags != nil {
				sl.Flags = d.Flags.String()
			}
		}
		if sl.Addrs, err = addrs(h, l.Index); err != nil {
			return nil, fmt.Errorf("read the addresses of %s in %s: %w", l.Name, ns, err)
		}
		if err := ns.Do(func() error {
			sl.ARPNotify = sysctl("net/ipv4/conf", l.Name, "arp_notify")
			sl.NDiscNotify = sysctl("net/ipv6/conf", l.Name, "ndisc_notify")
			sl.DisableIPv6 = sysctl("net/ipv6/conf", l.Name, "disable_ipv6")
			sl.KeepAddrOnDown = sysctl("net/ipv6/conf", l.Name, "keep_addr_on_down")
			return nil
		}); err != nil {
			return nil, err
		}
		st.Links = append(st.Links, sl)
	}
	sort.Slice(st.Links, func(i, j int) bool { return st.Links[i].Name < st.Links[j].Name })
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		ms, err := h.Conn().ListRoutes(fam, 0)
		if err != nil {
			return nil, fmt.Errorf("read the routes of %s: %w", ns, err)
		}
		for _, m := range ms {
			r := Route{Dev: names[m.Attributes.OutIface], Scope: m.Scope, Protocol: m.Protocol, Type: m.Type, Priority: m.Attributes.Priority}
			a, ok := netip.AddrFromSlice(m.Attributes.Dst)
			if !ok {
				a = netip.IPv4Unspecified()
				if fam == unix.AF_INET6 {
					a = netip.IPv6Unspecified()
				}
			}
			r.Dst = netip.PrefixFrom(a.Unmap(), int(m.DstLength))
			if gw, ok := netip.AddrFromSlice(m.Attributes.Gateway); ok {
				r.Gateway = gw.Unmap()
			}
			st.Routes = append(st.Routes, r)
		}
	}
	sort.Slice(st.Routes, func(i, j int) bool {
		a, b := st.Routes[i], st.Routes[j]
		if a.Dev != b.Dev {
			return a.Dev < b.Dev
		}
		if a.Dst != b.Dst {
			return a.Dst.String() < b.Dst.String()
		}
		return a.Gateway.String() < b.Gateway.String()
	})
	return st, nil
}

// Link returns the link named name, or nil.
func (s *State) Link(name string) *Link {
	for i := range s.Links {
		if s.Links[i].Name == name {
			return &s.Links[i]
		}
	}
	return nil
}

// addrs returns the addresses on the link with index, sorted.
func addrs(h *links.Handle, index int) ([]Addr, error) {
	ms, err := h.Conn().ListAddresses(0, uint32(index))
	if err != nil {
		return nil, err
	}
	var out []Addr
	for _, m := range ms {
		ip := m.Attributes.Address
		if m.Attributes.Local != nil {
			ip = m.Attributes.Local
		}
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		out = append(out, Addr{Prefix: netip.PrefixFrom(a.Unmap(), int(m.PrefixLength)), Scope: m.Scope})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Prefix.String() < out[j].Prefix.String() })
	return out, nil
}

// sysctl reads /proc/sys/DIR/LINK/KEY from the calling thread's
// namespace; empty when the file does not exist.
func sysctl(dir, link, key string) string {
	b, err := os.ReadFile(filepath.Join("/proc/sys", dir, link, key))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
