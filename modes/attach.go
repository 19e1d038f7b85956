package modes

import (
	"errors"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/vlanraw/vlanraw/links"
)

// A CNI runtime attaches a container's namespace to a network as a pair
// (containerID, ifname), which the endpoint records (Endpoint.CNI).
// On a network made with `vlanraw network create`, that is Connect with
// ConnectSpec.ContainerID. A CNI configuration without a vlanraw network
// gets an implicit one: a network record named by CNINetworkName, with
// the configuration's driver options and no subnets (the addresses come
// from the configuration's IPAM plugin), made with its first attachment
// (and its parent, when that is a NAME.VID that does not exist) and
// removed with its last (and that parent).

// Attachment is what an endpoint a CNI runtime attached records beyond
// the endpoint itself.
type Attachment struct {
	// ContainerID is CNI_CONTAINERID; the endpoint's IfName is
	// CNI_IFNAME.
	ContainerID string `json:"container_id"`
	// Delegated is set when the addresses came from an IPAM plugin, not
	// from the network's subnets: vlanraw neither allocated them nor
	// checks them against other networks'.
	Delegated bool `json:"delegated,omitempty"`
	// Gateways are the IPAM plugin's gateways, one per family at most:
	// ipvlan l2 and macvlan endpoints get their default route via them
	// when Routes is empty.
	Gateways []netip.Addr `json:"gateways,omitempty"`
	// Routes are the IPAM plugin's routes, added instead of vlanraw's
	// default routes when there are any; a zero Gateway is the gateway of
	// the route's family, or none (a connected route) for ipvlan l3 and
	// l3s.
	Routes []Route `json:"routes,omitempty"`
	// DropIn is set when the configuration is a reference plugin's
	// (vlanraw installed as ipvlan or macvlan): the endpoint gets the
	// reference plugin's kernel state instead of vlanraw's own. Only the
	// IPAM plugin's routes, a zero Gateway being the gateway of the
	// route's family in every mode, and no default route of vlanraw's;
	// arp_notify and ndisc_notify set in every mode; disable_ipv6 left as
	// the namespace has it unless the endpoint has an IPv6 address (then
	// 0, with keep_addr_on_down 1).
	DropIn bool `json:"drop_in,omitempty"`
}

// dropIn reports whether e was attached under a reference plugin's
// configuration (see Attachment.DropIn).
func (e *Endpoint) dropIn() bool { return e.CNI != nil && e.CNI.DropIn }

// AttachmentRef names an attachment: CNI_CONTAINERID and CNI_IFNAME.
type AttachmentRef struct {
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
}

// cniPrefix starts the names of implicit networks.
const cniPrefix = "cni-"

// CNINetworkName returns the name of the implicit network of the CNI
// configuration called name.
func CNINetworkName(name string) string { return cniPrefix + name }

// AttachSpec is an attachment to the implicit network of a CNI
// configuration: the network's driver options, the endpoint's namespace
// and name, and its addresses from the IPAM plugin.
type AttachSpec struct {
	// Config is the CNI configuration's name.
	Config string
	// Driver and Options are the network's driver and -o options
	// (parent, ipvlan_mode, ipvlan_flag, macvlan_mode, macvlan_flag,
	// macvlan_source_macs, macvlan_bcqueuelen, mtu); parent is
	// required.
	Driver  Driver
	Options map[string]string
	// Ref is the attachment; NetNS is CNI_NETNS, a path.
	Ref   AttachmentRef
	NetNS string
	// MAC is the macvlan link's address; empty picks a random one.
	MAC string
	// LinkInContainer looks the parent up in NetNS, not in the host
	// namespace, and makes the link there; such a parent is never made.
	LinkInContainer bool
	// IPv4 and IPv6 are the addresses, with their prefix lengths; either
	// may be the zero Prefix.
	IPv4, IPv6 netip.Prefix
	// Gateways, Routes and DropIn are as in Attachment.
	Gateways []netip.Addr
	Routes   []Route
	DropIn   bool
}

// Attach attaches a namespace to the implicit network of a CNI
// configuration, as Connect does to a network: it records its intent,
// makes the network and its parent on first use, creates the link
// directly in the namespace, configures it and records the endpoint.
// When anything fails, what it made is deleted and nothing is recorded.
func (m *Manager) Attach(s AttachSpec) (*Endpoint, error) {
	o, err := parseOptions(s.Driver, s.Options)
	if err != nil {
		return nil, err
	}
	if o.parent == "" {
		return nil, invalidf("no master given: name the parent link (such as eth0, or eth0.50 for a VLAN sub-interface made on first use)")
	}
	var (
		ep    *Endpoint
		n     *Network
		undo  func() error
		fresh bool
	)
	err = m.update(func(r *records) error {
		var err error
		if n, fresh, err = m.implicitNetwork(r, s, o); err != nil {
			return err
		}
		if n.findAttachment(s.Ref) >= 0 {
			return conflictf("container %s is attached to %s as %s already: delete that attachment first", s.Ref.ContainerID, s.Config, s.Ref.IfName)
		}
		t, err := openNetNS(s.NetNS)
		if err != nil {
			return err
		}
		defer t.ns.Close()
		e, err := attachEndpoint(n, s)
		if err != nil {
			return err
		}
		e.NetNS, e.NetNSPath, e.NetNSDev, e.NetNSInode = s.NetNS, t.path, t.id.Dev, t.id.Inode
		names := candidateNames(e.IfName)
		in := intent{Op: opAttach, Network: n.ID, Endpoints: []intentEndpoint{intentFor(n, e, names)}}
		if fresh && !n.ParentInContainer {
			in.Parent = m.parentToMake(n, o.parent)
		}
		if err := m.intend(in); err != nil {
			return err
		}
		if fresh && !n.ParentInContainer {
			if undo, err = m.setupParent(r, n, o.parent); err != nil {
				return err
			}
		}
		if err := m.setupEndpoint(n, e, t, names); err != nil {
			return err
		}
		if fresh {
			r.Networks = append(r.Networks, n)
		}
		n.Endpoints = append(n.Endpoints, *e)
		ep = e
		return nil
	})
	if err != nil {
		if ep != nil {
			err = errors.Join(err, m.deleteEndpointLinks(n, []Endpoint{*ep})[0])
		}
		if undo != nil {
			err = errors.Join(err, undo())
		}
		return nil, err
	}
	return ep, nil
}

// implicitNetwork returns the implicit network of s, which o describes:
// the recorded one, or a new one (fresh) to record once its first
// endpoint is made. A recorded one that no longer matches the
// configuration is replaced when it has no endpoints.
func (m *Manager) implicitNetwork(r *records, s AttachSpec, o *options) (n *Network, fresh bool, err error) {
	name := CNINetworkName(s.Config)
	if !ValidNetworkName(name) {
		return nil, false, invalidf("invalid network name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", s.Config)
	}
	if s.LinkInContainer {
		if err := links.CheckName(o.parent); err != nil {
			return nil, false, err
		}
	}
	want := &Network{Name: name, CNI: s.Config, Driver: s.Driver, Parent: o.parent, ParentInContainer: s.LinkInContainer, MTU: o.mtu,
		Options: maps.Clone(s.Options), Subnets: []Subnet{}, Endpoints: []Endpoint{}, Created: time.Now().UTC()}
	o.fill(want)
	if err := checkKernel(want); err != nil {
		return nil, false, err
	}
	for _, x := range r.Networks {
		if x.Name != name {
			continue
		}
		switch {
		case x.CNI != s.Config:
			return nil, false, conflictf("network %s exists and is not the network of CNI configuration %s: rename one of them", name, s.Config)
		case sameShape(x, want):
			return x, false, nil
		case len(x.Endpoints) > 0:
			return nil, false, conflictf("CNI configuration %s changed (%s %s on %s) while %d attachments use it as it was (%s %s on %s): delete them first",
				s.Config, want.Driver, want.Mode(), want.Parent, len(x.Endpoints), x.Driver, x.Mode(), x.Parent)
		}
		if err := m.intend(intent{Op: opNetworkRemove, Network: x.ID}); err != nil {
			return nil, false, err
		}
		if parentErr, _ := m.removeNetworkRecord(r, x); parentErr != nil {
			return nil, false, parentErr
		}
		break
	}
	want.ID = uniqueID(r)
	return want, true, nil
}

// sameShape reports whether networks a and b make the same links.
func sameShape(a, b *Network) bool {
	return a.Driver == b.Driver && a.Parent == b.Parent && a.ParentInContainer == b.ParentInContainer && a.MTU == b.MTU &&
		a.IPVlanMode == b.IPVlanMode && a.IPVlanFlag == b.IPVlanFlag && a.MACVlanMode == b.MACVlanMode &&
		a.MACVlanFlag == b.MACVlanFlag && slices.Equal(a.SourceMACs, b.SourceMACs) && a.BCQueueLen == b.BCQueueLen
}

// attachEndpoint plans the endpoint of s on its implicit network n.
func attachEndpoint(n *Network, s AttachSpec) (*Endpoint, error) {
	if n.Driver == MACVlan && n.MACVlanMode == ModePassthru && len(n.Endpoints) > 0 {
		return nil, conflictf("macvlan network %s is in mode passthru and has an endpoint already (in %s): a passthru parent carries one link only",
			n.Name, n.Endpoints[0].NetNS)
	}
	e := &Endpoint{ID: newID(), Network: n.Name, IfName: s.Ref.IfName, Created: time.Now().UTC(),
		IPv4: s.IPv4, IPv6: s.IPv6,
		CNI: &Attachment{ContainerID: s.Ref.ContainerID, Delegated: true, Gateways: s.Gateways, Routes: s.Routes, DropIn: s.DropIn}}
	if e.IfName == "" {
		e.IfName = DefaultIfName
	}
	if err := links.CheckName(e.IfName); err != nil {
		return nil, err
	}
	if (e.IPv4.IsValid() && !e.IPv4.Addr().Is4()) || (e.IPv6.IsValid() && !e.IPv6.Addr().Is6()) {
		return nil, invalidf("addresses %s and %s: give one IPv4 and one IPv6 address at most", e.IPv4, e.IPv6)
	}
	mac, err := endpointMAC(n, s.MAC)
	if err != nil {
		return nil, err
	}
	if mac != nil {
		e.MAC = mac.String()
	}
	return e, nil
}

// Detach deletes the endpoint of the attachment ref on network (a
// network's name, or CNINetworkName of a configuration) and its record,
// and returns it; nil, and no error, when there is none: the runtime
// deletes what may be half made or gone already. The link is found by
// its mark; when the namespace is gone, the link went with it and only
// the record is dropped. An implicit network goes with its last
// endpoint, and so does the parent vlanraw made for it.
func (m *Manager) Detach(network string, ref AttachmentRef) (*Endpoint, error) {
	var (
		ep        *Endpoint
		parentErr error
	)
	m.deleteAttachmentLink(network, ref)
	err := m.update(func(r *records) error {
		n, err := r.find(network)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if i := n.findAttachment(ref); i >= 0 {
			e := n.Endpoints[i]
			if err := m.disconnect(n, []int{i}); err != nil {
				return err
			}
			ep = &e
		}
		parentErr, err = m.removeIfUnused(r, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ep, parentErr
}

// deleteAttachmentLink deletes the link of the attachment ref of network,
// found through the records read under the shared lock and by its mark,
// before Detach takes the exclusive lock. A deletion mostly waits for
// the kernel (20 to 30 ms of RCU grace periods for a macvlan), and under
// the exclusive lock the DELs of a node's pods going at once would each
// wait for all the others': 32 of them took three to four times as long
// as the reference plugins'. Detach's update then finds the link gone,
// as it expects of one deleted behind its back, and drops the record; a
// DEL killed between the two leaves only the record, which the DEL the
// runtime repeats until it succeeds (as the specification asks), or
// GC, removes. The mark names the endpoint, so an attachment made again
// meanwhile under the same names is another link and is not touched.
// Errors are left for the update, which tries again and reports them.
func (m *Manager) deleteAttachmentLink(network string, ref AttachmentRef) {
	var (
		n  Network
		ep []Endpoint
	)
	m.store.View(func(r *records) error {
		x, err := r.find(network)
		if err != nil {
			return nil
		}
		if i := x.findAttachment(ref); i >= 0 {
			n, ep = *x, []Endpoint{x.Endpoints[i]}
		}
		return nil
	})
	if ep != nil {
		m.deleteEndpointLinks(&n, ep)
	}
}

// removeIfUnused removes n, with the parent vlanraw made for it, when it
// is an implicit network without endpoints (see removeNetworkRecord).
func (m *Manager) removeIfUnused(r *records, n *Network) (parentErr, err error) {
	if n.CNI == "" || len(n.Endpoints) > 0 {
		return nil, nil
	}
	if err := m.intend(intent{Op: opNetworkRemove, Network: n.ID}); err != nil {
		return nil, err
	}
	return m.removeNetworkRecord(r, n)
}
