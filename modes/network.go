package modes

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"time"

	"github.com/vlanraw/vlanraw/modes/ipam"
)

// NetworkSpec is what `vlanraw network create` asks for, in Docker's
// grammar.
type NetworkSpec struct {
	// Name names the network: a letter or digit, then letters, digits,
	// '_', '.' or '-'.
	Name string
	// Driver is ipvlan or macvlan.
	Driver Driver
	// Subnets are the --subnet values, each with the --gateway,
	// --ip-range and --aux-address values that it contains. They may
	// overlap neither one another nor a subnet of another network, and
	// may not be the default route nor hold the unspecified address,
	// loopback, multicast, IPv6 link-local or IPv4-mapped addresses (see
	// ipam.NewPool): such subnets are refused as errdefs.ErrInvalid. Without an
	// IPv4 subnet, one is picked from Docker's default pools
	// (172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 in /20s) that
	// overlaps no other network and no route of the host.
	Subnets []SubnetSpec
	// IPv6 is --ipv6. An IPv6 subnet turns it on by itself, as in Docker
	// 28 and later; with it and no IPv6 subnet, a random unique local
	// /64 is picked.
	IPv6 bool
	// Internal is --internal: endpoints get no default route.
	Internal bool
	// Options are the -o key=value driver options: parent, ipvlan_mode,
	// ipvlan_flag (ipvlan), macvlan_mode (macvlan) and mtu. Other keys
	// are refused.
	Options map[string]string
}

// SubnetSpec is one --subnet with its --gateway, --ip-range and
// --aux-address name=ip values. Only Subnet is required.
type SubnetSpec struct {
	Subnet, Gateway, IPRange string
	Aux                      map[string]string
}

// How a network's parent link came to be, in Network.ParentCreated.
const (
	// ParentDummy is a dummy link created because no parent was given.
	ParentDummy = "dummy"
	// ParentVLAN is an 802.1Q link created because the parent NAME.VID
	// did not exist.
	ParentVLAN = "vlan"
)

// Network is a network's record, as kept in the state file.
type Network struct {
	Name   string `json:"name"`
	ID     string `json:"id"`
	Driver Driver `json:"driver"`
	// Parent is the parent link in the host namespace or, with
	// ParentInContainer, in each endpoint's namespace.
	Parent string `json:"parent"`
	// ParentInContainer is CNI's linkInContainer: the links are made in
	// their namespace on the parent found there (see AttachSpec).
	ParentInContainer bool `json:"parent_in_container,omitempty"`
	// ParentCreated is ParentDummy or ParentVLAN when vlanraw created the
	// parent, which it then deletes with the last network using it, and
	// "" for a parent that existed before.
	ParentCreated string `json:"parent_created,omitempty"`
	IPVlanMode    string `json:"ipvlan_mode,omitempty"`
	IPVlanFlag    string `json:"ipvlan_flag,omitempty"`
	MACVlanMode   string `json:"macvlan_mode,omitempty"`
	// MACVlanFlag is nopromisc or nodst, or "" for none.
	MACVlanFlag string `json:"macvlan_flag,omitempty"`
	// SourceMACs are the source MACs of a source-mode macvlan network's
	// links.
	SourceMACs []string `json:"macvlan_source_macs,omitempty"`
	// BCQueueLen is the broadcast queue length the links ask for; 0 for
	// the kernel's.
	BCQueueLen uint32 `json:"macvlan_bcqueuelen,omitempty"`
	// Internal networks give their endpoints no default route. Networks
	// without a parent are internal.
	Internal bool `json:"internal"`
	IPv6     bool `json:"ipv6"`
	// MTU is the endpoints' MTU; 0 leaves the parent's.
	MTU uint32 `json:"mtu,omitempty"`
	// Options are the -o options as given.
	Options map[string]string `json:"options,omitempty"`
	// HostLink is the host's own link on the network, in the host
	// namespace, when host_access or host_access6 was given (see
	// hostaccess.go); "" for none.
	HostLink string `json:"host_link,omitempty"`
	// CNI is the name of the CNI configuration whose implicit network
	// this is (see attach.go); "" for a network made with network
	// create.
	CNI       string     `json:"cni,omitempty"`
	Subnets   []Subnet   `json:"subnets"`
	Endpoints []Endpoint `json:"endpoints"`
	Created   time.Time  `json:"created"`
}

// Subnet is one subnet of a network.
type Subnet struct {
	Subnet netip.Prefix `json:"subnet"`
	// IPRange narrows dynamic allocation; the zero Prefix means all of
	// Subnet.
	IPRange netip.Prefix `json:"ip_range,omitzero"`
	// Gateway is the --gateway, the zero Addr when there is none.
	Gateway netip.Addr `json:"gateway,omitzero"`
	// Aux are the --aux-address reservations by name.
	Aux map[string]netip.Addr `json:"aux,omitempty"`
	// HostAccess is the address of the host's link on this subnet (the
	// host_access or host_access6 option), reserved like an auxiliary
	// address; the zero Addr when there is none.
	HostAccess netip.Addr `json:"host_access,omitzero"`
	// HostRoutes is set when the parent's own link carries an address of
	// the subnet: the host link then has HostAccess alone (a /32 or
	// /128), and each endpoint of the subnet a route through it in the
	// host namespace (see hostroutes.go).
	HostRoutes bool `json:"host_routes,omitempty"`
}

// pool returns s as an ipam pool.
func (s Subnet) pool() *ipam.Pool {
	return &ipam.Pool{Subnet: s.Subnet, Range: s.IPRange, Gateway: s.Gateway, Aux: s.Aux, Host: s.HostAccess}
}

// pools returns the network's IPv4 and IPv6 pools.
func (n *Network) pools() (v4, v6 []*ipam.Pool) {
	for _, s := range n.Subnets {
		if s.Subnet.Addr().Is4() {
			v4 = append(v4, s.pool())
		} else {
			v6 = append(v6, s.pool())
		}
	}
	return v4, v6
}

// validNetworkName reports whether s is what Docker accepts as a name:
// [a-zA-Z0-9][a-zA-Z0-9_.-]*. (A loop rather than a regexp compiled at
// start, which every vlanraw process, the CNI plugin's among them, would
// pay for.)
func ValidNetworkName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return false
		}
	}
	return s != ""
}

// newID returns a random 64-hex-digit ID, as Docker's.
func newID() string {
	b := make([]byte, 32)
	randomFill(b)
	return hex.EncodeToString(b)
}

// CreateNetwork creates a network: it checks the options, creates the
// parent link if needed (a dummy when none is given, an 802.1Q link for a
// NAME.VID that does not exist), and records the network. When anything
// fails, the links it made are deleted and nothing is recorded.
func (m *Manager) CreateNetwork(s NetworkSpec) (*Network, error) {
	if !ValidNetworkName(s.Name) {
		return nil, invalidf("invalid network name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", s.Name)
	}
	o, err := parseOptions(s.Driver, s.Options)
	if err != nil {
		return nil, err
	}
	subnets, ipv6, err := parseSubnets(s)
	if err != nil {
		return nil, err
	}
	var (
		n    *Network
		undo func() error
	)
	err = m.update(func(r *records) error {
		for _, x := range r.Networks {
			if x.Name == s.Name {
				return conflictf("network with name %s already exists", s.Name)
			}
		}
		if err := checkOverlap(r, subnets); err != nil {
			return err
		}
		n = &Network{
			Name:      s.Name,
			ID:        uniqueID(r),
			Driver:    s.Driver,
			Internal:  s.Internal,
			IPv6:      ipv6,
			MTU:       o.mtu,
			Options:   maps.Clone(s.Options),
			Subnets:   subnets,
			Endpoints: []Endpoint{},
			Created:   time.Now().UTC(),
		}
		o.fill(n)
		if err := checkKernel(n); err != nil {
			return err
		}
		if err := m.defaultSubnets(r, n); err != nil {
			return err
		}
		if err := setHostAccess(n, o); err != nil {
			return err
		}
		if err := m.intend(intent{Op: opNetworkCreate, Network: n.ID, Parent: m.parentToMake(n, o.parent), HostLink: n.HostLink}); err != nil {
			return err
		}
		var err error
		undo, err = m.setupParent(r, n, o.parent)
		if err != nil {
			return err
		}
		if n.HostLink != "" {
			undoParent := undo
			undo = func() error {
				err := m.deleteHostLink(n)
				if undoParent != nil {
					err = errors.Join(err, undoParent())
				}
				return err
			}
			if err := m.setupHostAccess(n); err != nil {
				return err
			}
		}
		if err := hook(m.ctx, "network"); err != nil {
			return err
		}
		r.Networks = append(r.Networks, n)
		return nil
	})
	if err != nil {
		if undo != nil {
			err = errors.Join(err, undo())
		}
		return nil, err
	}
	return n, nil
}

// uniqueID returns an ID no network has, whose 12-digit short form no
// network's has either (it names dummy parents).
func uniqueID(r *records) string {
	for {
		id := newID()
		clash := false
		for _, n := range r.Networks {
			clash = clash || n.ID[:12] == id[:12]
		}
		if !clash {
			return id
		}
	}
}

// parseSubnets checks the subnets of s and says whether the network has
// IPv6: --ipv6, or any IPv6 subnet (inferred, as Docker 28 does).
func parseSubnets(s NetworkSpec) ([]Subnet, bool, error) {
	cfgs := make([]ipam.Config, len(s.Subnets))
	for i, sub := range s.Subnets {
		cfgs[i] = ipam.Config{Subnet: sub.Subnet, IPRange: sub.IPRange, Gateway: sub.Gateway, Aux: sub.Aux}
	}
	pools, err := ipam.NewPools(cfgs...)
	if err != nil {
		return nil, false, err
	}
	ipv6 := s.IPv6
	out := make([]Subnet, len(pools))
	for i, p := range pools {
		out[i] = Subnet{Subnet: p.Subnet, IPRange: p.Range, Gateway: p.Gateway, Aux: p.Aux}
		if p.Subnet.Addr().Is6() {
			ipv6 = true
		}
	}
	return out, ipv6, nil
}

// Networks returns every network, in the order they were created.
func (m *Manager) Networks() ([]Network, error) {
	var out []Network
	err := m.store.View(func(r *records) error {
		for _, n := range r.Networks {
			out = append(out, *n)
		}
		return nil
	})
	return out, err
}

// Network returns the network called name, or whose ID is name or starts
// with it.
func (m *Manager) Network(name string) (*Network, error) {
	var n *Network
	err := m.store.View(func(r *records) error {
		var err error
		n, err = r.find(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// RemoveNetwork removes a network that has no endpoints, and the parent
// link vlanraw created for it, if no other network uses that link and it
// is still the link vlanraw made. A parent that existed before is kept.
// With endpoints connected it refuses; ForceRemoveNetwork disconnects them
// first.
func (m *Manager) RemoveNetwork(name string) error {
	return m.removeNetwork(name, false)
}

// ForceRemoveNetwork disconnects every endpoint of a network (see
// DisconnectAll), then removes it as RemoveNetwork does. When the parent
// is one vlanraw made for this network alone, it is deleted first, which
// makes the kernel delete all the endpoint links in one batch.
func (m *Manager) ForceRemoveNetwork(name string) error {
	return m.removeNetwork(name, true)
}

func (m *Manager) removeNetwork(name string, force bool) error {
	var parentErr, endpointErr error
	err := m.update(func(r *records) error {
		n, err := r.find(name)
		if err != nil {
			return err
		}
		if len(n.Endpoints) > 0 && !force {
			return conflictf("error while removing network: network %s id %s has active endpoints (%d connected: disconnect them first, or remove it with --force, which disconnects them)",
				n.Name, n.ID, len(n.Endpoints))
		}
		if err := m.intend(intent{Op: opNetworkRemove, Network: n.ID}); err != nil {
			return err
		}
		parentErr, endpointErr = m.removeNetworkRecord(r, n)
		return nil
	})
	if err != nil {
		return err
	}
	if endpointErr != nil {
		return endpointErr
	}
	if parentErr != nil {
		return fmt.Errorf("network %s was removed, but its parent link was not: %w", name, parentErr)
	}
	return nil
}

// removeNetworkRecord disconnects every endpoint of n, drops its record
// and deletes the parent vlanraw made for it, when no other network uses
// it. When the parent was made for this network alone, it is deleted
// first: the kernel deletes the endpoint links on it in one batch (1000
// endpoints in 1000 namespaces: 0.15 s, against about 2 s one namespace
// at a time). Otherwise, endpoints that could be disconnected stay
// disconnected even when others could not, and the network stays.
func (m *Manager) removeNetworkRecord(r *records, n *Network) (parentErr, endpointErr error) {
	parentGone := false
	if len(n.Endpoints) > 0 {
		parentGone, parentErr = m.removeParent(r, n)
		if !parentGone {
			if err := m.dropEndpoints(n, allEndpoints(n)); err != nil {
				return parentErr, fmt.Errorf("network %s was not removed: %w", n.Name, err)
			}
		}
		if err := hook(context.Background(), "endpoints-deleted"); err != nil {
			return parentErr, err
		}
	}
	if err := m.deleteHostLink(n); err != nil {
		return parentErr, fmt.Errorf("network %s was not removed: %w", n.Name, err)
	}
	r.remove(n)
	if !parentGone {
		_, parentErr = m.removeParent(r, n)
	}
	return parentErr, nil
}
