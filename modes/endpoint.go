package modes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes/ipam"
)

// ConnectSpec is what `vlanraw connect` asks for.
type ConnectSpec struct {
	// Network is the network's name or ID.
	Network string
	// NetNS is the target namespace: a name under /run/netns, a path, or
	// a process id.
	NetNS string
	// IPv4 and IPv6 are explicit addresses (without a prefix length);
	// empty ones are allocated. IPv6 needs a network with IPv6.
	IPv4, IPv6 string
	// MAC is the macvlan link's address; empty picks a random locally
	// administered one. ipvlan links cannot have one.
	MAC string
	// IfName is the link's name in the target namespace; eth0 when empty.
	IfName string
	// ContainerID is set by a CNI runtime's attachment (CNI_CONTAINERID;
	// IfName is CNI_IFNAME): the endpoint records it (Endpoint.CNI).
	ContainerID string
}

// DefaultIfName is the name endpoints get when ConnectSpec.IfName is
// empty.
const DefaultIfName = "eth0"

// Endpoint is an endpoint's record: a link in a namespace, its addresses
// and the routes vlanraw added through it.
type Endpoint struct {
	// ID identifies the endpoint, as Docker's EndpointID.
	ID string `json:"id"`
	// Network is the network's name.
	Network string `json:"network"`
	// NetNS is the namespace as given, for display; NetNSPath the path
	// it was opened from (/run/netns/NAME, /proc/PID/ns/net or an
	// absolute path), to find it again; NetNSDev and NetNSInode the
	// device and inode of its nsfs file, which identify it: a namespace
	// re-created under the same name, or a process id reused, is another
	// namespace.
	NetNS      string `json:"netns"`
	NetNSPath  string `json:"netns_path"`
	NetNSDev   uint64 `json:"netns_dev,omitempty"`
	NetNSInode uint64 `json:"netns_inode"`
	// Unmarked is set on endpoints recorded by a vlanraw older than
	// schema 2, whose links do not carry vlanraw's mark yet; the first
	// command that reconciles them marks them (see Manager.adopt).
	Unmarked bool `json:"unmarked,omitempty"`
	// IfName is the link's name inside the namespace.
	IfName string `json:"ifname"`
	// MAC is the link's address as the kernel reports it: for ipvlan,
	// the parent's.
	MAC string `json:"mac"`
	// IPv4 and IPv6 are the addresses, with the subnet's prefix length.
	IPv4 netip.Prefix `json:"ipv4,omitzero"`
	IPv6 netip.Prefix `json:"ipv6,omitzero"`
	// Routes are the routes vlanraw added through the link.
	Routes []Route `json:"routes,omitempty"`
	// Notes say what vlanraw left out and why, such as a default route
	// the namespace had already.
	Notes []string `json:"notes,omitempty"`
	// CNI is set on the endpoints a CNI runtime attached.
	CNI     *Attachment `json:"cni,omitempty"`
	Created time.Time   `json:"created"`
}

// Route is a route added through an endpoint's link.
type Route struct {
	// Dst is 0.0.0.0/0 or ::/0 for a default route.
	Dst netip.Prefix `json:"dst"`
	// Gateway is the next hop; the zero Addr for a connected route.
	Gateway netip.Addr `json:"gateway,omitzero"`
	// Dev is the link.
	Dev string `json:"dev"`
}

// String returns the route as `ip route` prints it.
func (r Route) String() string {
	s := r.Dst.String()
	if r.Dst.Bits() == 0 {
		s = "default"
	}
	if r.Gateway.IsValid() {
		s += " via " + r.Gateway.String()
	}
	return s + " dev " + r.Dev
}

// Connect connects a namespace to a network: it allocates the addresses,
// records its intent, creates the link directly inside the namespace
// (under a temporary name when its name is taken, in the namespace or, on
// kernels before 6.18, on the host, then renamed there) in this state
// directory's link group, sets its sysctls, adds the addresses, marks it
// and brings it up, adds the routes and records the endpoint. When
// anything fails, the link is deleted and nothing is recorded.
func (m *Manager) Connect(s ConnectSpec) (*Endpoint, error) {
	var (
		ep *Endpoint
		n  *Network
	)
	err := m.update(func(r *records) error {
		var err error
		if n, err = r.find(s.Network); err != nil {
			return err
		}
		t, err := openNetNS(s.NetNS)
		if err != nil {
			return err
		}
		defer t.ns.Close()
		var holders nsHolders
		if err := m.forgetReplaced(n, t, &holders); err != nil {
			return err
		}
		for _, e := range n.Endpoints {
			if e.sameNS(t) {
				return conflictf("network namespace %s is already connected to network %s (as %s)", s.NetNS, n.Name, e.IfName)
			}
		}
		e, err := m.plan(r, n, s, &holders)
		if err != nil {
			return err
		}
		if err := checkMAC(r, n, s.MAC, e.MAC); err != nil {
			return err
		}
		if s.ContainerID != "" {
			e.CNI = &Attachment{ContainerID: s.ContainerID}
		}
		e.NetNS, e.NetNSPath, e.NetNSDev, e.NetNSInode = s.NetNS, t.path, t.id.Dev, t.id.Inode
		names := candidateNames(e.IfName)
		if err := m.intend(intent{Op: opConnect, Endpoints: []intentEndpoint{intentFor(n, e, names)}}); err != nil {
			return err
		}
		if err := m.setupEndpoint(n, e, t, names); err != nil {
			return err
		}
		n.Endpoints = append(n.Endpoints, *e)
		ep = e
		if err := m.syncHostRoutesOf(n); err != nil {
			n.Endpoints = n.Endpoints[:len(n.Endpoints)-1]
			return errors.Join(err, m.syncHostRoutesOf(n))
		}
		return nil
	})
	if err != nil {
		if ep != nil {
			// Made, but not recorded: the state write failed.
			err = errors.Join(err, m.deleteEndpointLinks(n, []Endpoint{*ep})[0])
		}
		return nil, err
	}
	return ep, nil
}

// forgetReplaced drops the records of endpoints of n recorded under t's
// path whose namespace is gone: the name now holds a new namespace, and
// the old one took its links with it.
func (m *Manager) forgetReplaced(n *Network, t *targetNS, holders *nsHolders) error {
	kept := n.Endpoints[:0]
	for _, e := range n.Endpoints {
		if e.NetNSPath == t.path && !e.sameNS(t) {
			old, err := locate(&e, holders)
			if err != nil {
				return err
			}
			if old == nil {
				continue
			}
			old.ns.Close()
		}
		kept = append(kept, e)
	}
	n.Endpoints = kept
	return nil
}

// plan plans the endpoint of s on n (see planEndpoint). When an address
// it needs is held by endpoints whose namespace is gone, their records
// are dropped (their links went with the namespace) and it plans again;
// when an address it was given is held by a live endpoint, the error
// names that endpoint.
func (m *Manager) plan(r *records, n *Network, s ConnectSpec, holders *nsHolders) (*Endpoint, error) {
	e, err := planEndpoint(n, s, usedAddrs(r, n))
	if err == nil || !errors.Is(err, ErrConflict) {
		return e, err
	}
	released, rerr := m.releaseGone(r, wantedAddrs(s), holders)
	if rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	if released > 0 {
		e, err = planEndpoint(n, s, usedAddrs(r, n))
	}
	if err != nil {
		return nil, holderError(r, s, err)
	}
	return e, nil
}

// wantedAddrs returns the addresses s asks for; nil when it asks for any.
func wantedAddrs(s ConnectSpec) []netip.Addr {
	var out []netip.Addr
	for _, a := range []string{s.IPv4, s.IPv6} {
		if p, err := netip.ParseAddr(a); err == nil {
			out = append(out, p.Unmap())
		}
	}
	return out
}

// releaseGone drops the records of the endpoints, of any network, whose
// namespace is gone: those holding one of addrs, or all of them when
// addrs is nil. It returns how many it dropped.
func (m *Manager) releaseGone(r *records, addrs []netip.Addr, holders *nsHolders) (int, error) {
	released := 0
	for _, x := range r.Networks {
		kept := x.Endpoints[:0]
		for _, e := range x.Endpoints {
			if addrs == nil || slices.Contains(addrs, e.IPv4.Addr()) || slices.Contains(addrs, e.IPv6.Addr()) {
				t, err := locate(&e, holders)
				if err != nil {
					return released, err
				}
				if t == nil {
					released++
					continue
				}
				t.ns.Close()
			}
			kept = append(kept, e)
		}
		x.Endpoints = kept
	}
	return released, nil
}

// holderError names, in err, the endpoint that holds an address s asked
// for; its namespace exists (releaseGone dropped those that did not).
func holderError(r *records, s ConnectSpec, err error) error {
	for _, a := range wantedAddrs(s) {
		for _, x := range r.Networks {
			for _, e := range x.Endpoints {
				if e.IPv4.Addr() == a || e.IPv6.Addr() == a {
					return &categoryError{category: ErrConflict, cause: err,
						msg: fmt.Sprintf("address %s is already in use by the endpoint of network namespace %s (%s) on network %s; that namespace still exists: disconnect it first",
							a, e.NetNS, e.IfName, x.Name)}
				}
			}
		}
	}
	return err
}

// planEndpoint checks s against n and decides the endpoint's name, MAC
// and addresses, which must not be used. Nothing is created.
func planEndpoint(n *Network, s ConnectSpec, used func(netip.Addr) bool) (*Endpoint, error) {
	if n.Driver == MACVlan && n.MACVlanMode == ModePassthru && len(n.Endpoints) > 0 {
		return nil, conflictf("macvlan network %s is in mode passthru and has an endpoint already (in %s): a passthru parent carries one link only",
			n.Name, n.Endpoints[0].NetNS)
	}
	e := &Endpoint{ID: newID(), Network: n.Name, IfName: s.IfName, Created: time.Now().UTC()}
	if e.IfName == "" {
		e.IfName = DefaultIfName
	}
	if err := links.CheckName(e.IfName); err != nil {
		return nil, err
	}
	mac, err := endpointMAC(n, s.MAC)
	if err != nil {
		return nil, err
	}
	if mac != nil {
		e.MAC = mac.String()
	}
	v4, v6 := n.pools()
	if e.IPv4, err = endpointAddr(n, v4, s.IPv4, "IPv4", used); err != nil {
		return nil, err
	}
	if s.IPv6 != "" && !n.IPv6 {
		return nil, invalidf("network %s does not have IPv6 enabled: cannot assign IPv6 address %s", n.Name, s.IPv6)
	}
	if n.IPv6 {
		if e.IPv6, err = endpointAddr(n, v6, s.IPv6, "IPv6", used); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// endpointMAC returns the MAC a new link of n gets: the one given for
// macvlan, else a random locally administered unicast one; nil for ipvlan
// and passthru macvlan, whose links take the parent's.
func endpointMAC(n *Network, given string) (net.HardwareAddr, error) {
	if n.Driver == IPVlan {
		if given != "" {
			return nil, invalidf("ipvlan interfaces do not support custom mac address assignment")
		}
		return nil, nil
	}
	if n.MACVlanMode == ModePassthru {
		if given != "" {
			return nil, invalidf("a passthru macvlan link takes the MAC address of its parent %s: drop the MAC address", n.Parent)
		}
		return nil, nil
	}
	if given == "" {
		return randomMAC(), nil
	}
	mac, err := net.ParseMAC(given)
	if err != nil || len(mac) != 6 {
		return nil, invalidf("invalid MAC address %q: give six bytes, such as 02:42:ac:11:00:02", given)
	}
	if mac[0]&1 != 0 || slices.Equal(mac, net.HardwareAddr{0, 0, 0, 0, 0, 0}) {
		return nil, invalidf("invalid MAC address %s: a link needs a unicast address, not zero and not multicast", given)
	}
	return mac, nil
}

// randomMAC returns a random locally administered unicast MAC.
func randomMAC() net.HardwareAddr {
	mac := make(net.HardwareAddr, 6)
	randomFill(mac)
	mac[0] = mac[0]&^1 | 2
	return mac
}

// endpointAddr returns the address given (checked against the pools and
// every network's addresses) or, when none is, one allocated from the
// pools; the zero Prefix when the network has no pool of that family.
func endpointAddr(n *Network, pools []*ipam.Pool, given, family string, used func(netip.Addr) bool) (netip.Prefix, error) {
	if given == "" {
		if len(pools) == 0 {
			return netip.Prefix{}, nil
		}
		a, p, err := ipam.AllocateFrom(pools, used)
		if err != nil {
			return netip.Prefix{}, addrError(err)
		}
		return netip.PrefixFrom(a, p.Subnet.Bits()), nil
	}
	a, err := netip.ParseAddr(given)
	if err != nil || a.Zone() != "" || (family == "IPv4") != a.Unmap().Is4() {
		return netip.Prefix{}, invalidf("invalid %s address %q", family, given)
	}
	a = a.Unmap()
	if len(pools) == 0 {
		return netip.Prefix{}, invalidf("network %s has no %s subnet to assign %s from", n.Name, family, a)
	}
	p, err := ipam.PoolFor(pools, a)
	if err != nil {
		return netip.Prefix{}, addrError(err)
	}
	if err := p.Check(a, used); err != nil {
		return netip.Prefix{}, addrError(err)
	}
	return netip.PrefixFrom(a, p.Subnet.Bits()), nil
}

// addrError maps ipam's errors onto this package's: a taken address, or
// none left, is ErrConflict; a bad one matches errdefs.ErrInvalid as it
// is.
func addrError(err error) error {
	if errors.Is(err, ipam.ErrInUse) || errors.Is(err, ipam.ErrPoolFull) {
		return asCategory(ErrConflict, err)
	}
	return err
}

// Disconnect deletes the endpoint on network of the namespace word names
// (a word of package netns), and its record.
// The link is found by its mark, also when it was renamed; when the
// namespace is gone, the link went with it and only the record is
// dropped.
func (m *Manager) Disconnect(network, word string) error {
	return m.update(func(r *records) error {
		n, err := r.find(network)
		if err != nil {
			return err
		}
		i, err := findEndpoint(n, word)
		if err != nil {
			return err
		}
		return m.disconnect(n, []int{i})
	})
}

// disconnect records its intent, then deletes the links of the endpoints
// of n at idx and drops the records of those that are gone, keeping the
// others, whose errors it returns.
func (m *Manager) disconnect(n *Network, idx []int) error {
	in := intent{Op: opDisconnect}
	for _, i := range idx {
		in.Endpoints = append(in.Endpoints, intentFor(n, &n.Endpoints[i], nil))
	}
	if err := m.intend(in); err != nil {
		return err
	}
	return m.dropEndpoints(n, idx)
}

// allEndpoints returns the indexes of every endpoint of n.
func allEndpoints(n *Network) []int {
	idx := make([]int, len(n.Endpoints))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// dropEndpoints deletes the links of the endpoints of n at idx and drops
// the records of those that are gone, keeping the others, whose errors
// it returns. The caller recorded its intent.
func (m *Manager) dropEndpoints(n *Network, idx []int) error {
	eps := make([]Endpoint, len(idx))
	for k, i := range idx {
		eps[k] = n.Endpoints[i]
	}
	errs := m.deleteEndpointLinks(n, eps)
	if err := hook(context.Background(), "deleted"); err != nil {
		return err
	}
	gone := map[string]bool{}
	for k, e := range eps {
		gone[e.ID] = errs[k] == nil
	}
	n.Endpoints = slices.DeleteFunc(n.Endpoints, func(e Endpoint) bool { return gone[e.ID] })
	return errors.Join(append(errs, m.syncHostRoutesOf(n))...)
}

// findEndpoint returns the index of the endpoint of n in the namespace
// netns: the namespace itself when it exists and is connected, else one
// recorded under that name or path (whose namespace is gone, or was
// replaced under that name).
func findEndpoint(n *Network, word string) (int, error) {
	if t, err := openNetNS(word); err == nil {
		t.ns.Close()
		for i, e := range n.Endpoints {
			if e.sameNS(t) {
				return i, nil
			}
		}
	}
	path, err := nsPath(word)
	if err != nil {
		return 0, err
	}
	for i, e := range n.Endpoints {
		if e.NetNS == word || e.NetNSPath == path {
			return i, nil
		}
	}
	return 0, notFoundf("network namespace %s is not connected to network %s", word, n.Name)
}

// DisconnectAll disconnects every endpoint of a network. The links are
// deleted in batches: one group deletion per namespace, up to 1024
// namespaces at a time, since each deletion mostly waits for the kernel
// and concurrent deletions share those waits (1000 endpoints in 1000
// namespaces: 0.45 s, against 2.0 s 32 at a time). Endpoints that could
// not be disconnected stay recorded and are reported in the error.
func (m *Manager) DisconnectAll(network string) error {
	var derr error
	err := m.update(func(r *records) error {
		n, err := r.find(network)
		if err != nil {
			return err
		}
		derr = m.disconnectAll(n)
		return nil
	})
	if err != nil {
		return err
	}
	return derr
}

// disconnectAll disconnects every endpoint of n (see disconnect).
func (m *Manager) disconnectAll(n *Network) error {
	if len(n.Endpoints) == 0 {
		return nil
	}
	return m.disconnect(n, allEndpoints(n))
}

// parseMAC parses a MAC address recorded by this package.
func parseMAC(s string) (net.HardwareAddr, error) {
	mac, err := net.ParseMAC(s)
	if err != nil {
		return nil, invalidf("invalid MAC address %q", s)
	}
	return mac, nil
}
