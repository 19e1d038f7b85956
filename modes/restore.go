package modes

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

// RestoreReport says what Restore did.
type RestoreReport struct {
	// Parents are the parent links vlanraw had created that were missing
	// and were created again.
	Parents []string `json:"parents,omitempty"`
	// HostLinks are the host access links that were missing and were
	// created again.
	HostLinks []string `json:"host_links,omitempty"`
	// Restored are the endpoints whose link was missing and was created
	// again, with the same name, MAC, addresses and routes.
	Restored []EndpointRef `json:"restored,omitempty"`
	// Present are the endpoints whose link was there; anything missing on
	// it (addresses, routes, sysctls) was added.
	Present []EndpointRef `json:"present,omitempty"`
	// Dropped are the endpoints whose namespace is gone; their records
	// were removed and their addresses are free again.
	Dropped []EndpointRef `json:"dropped,omitempty"`
	// Deleted are the links with this state directory's mark that no
	// record claimed (see GC).
	Deleted []LinkRef `json:"deleted,omitempty"`
	// Failed are the networks and endpoints that could not be restored;
	// their records are kept.
	Failed []RestoreFailure `json:"failed,omitempty"`
}

// EndpointRef names an endpoint.
type EndpointRef struct {
	Network string `json:"network"`
	NetNS   string `json:"netns"`
	IfName  string `json:"ifname"`
}

// RestoreFailure is a network, or an endpoint of one, that Restore could
// not restore.
type RestoreFailure struct {
	Network string `json:"network"`
	// NetNS is empty when the whole network failed (its parent).
	NetNS string `json:"netns,omitempty"`
	Error string `json:"error"`
}

// Restore makes the kernel match the records again, as after a reboot:
// it reconciles records and kernel first as GC does (records of
// endpoints whose namespace is gone are dropped, links with this state
// directory's mark that no record claims are deleted), then creates again
// the parent links vlanraw had created (dummy and 802.1Q links) that are
// missing, the host access links, and the link of every endpoint whose namespace still exists
// (same name, MAC, addresses and routes). A namespace counts as the
// endpoint's only while its identity is the recorded one: a name or
// process id that now holds another namespace is not restored into.
// Running it again changes nothing. Failures are listed in the report and
// returned joined; what could be restored is restored and recorded all
// the same.
func (m *Manager) Restore() (RestoreReport, error) {
	var rep RestoreReport
	err := m.store.Update(func(r *records) error {
		g, err := m.gc(r)
		if err != nil {
			return err
		}
		rep.Dropped, rep.Deleted = g.Released, g.Deleted
		h, err := m.hostHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		for _, n := range r.Networks {
			m.restoreNetwork(h, n, &rep)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, f := range rep.Failed {
		if f.NetNS == "" {
			errs = append(errs, fmt.Errorf("restore network %s: %s", f.Network, f.Error))
		} else {
			errs = append(errs, fmt.Errorf("restore endpoint of %s on network %s: %s", f.NetNS, f.Network, f.Error))
		}
	}
	return rep, errors.Join(errs...)
}

// restoreNetwork restores the parent and the endpoints of n.
func (m *Manager) restoreNetwork(h *links.Handle, n *Network, rep *RestoreReport) {
	if n.ParentInContainer {
		m.restoreEndpoints(n, true, rep) // each in its namespace, on the parent there
		return
	}
	created, err := m.ensureParent(h, n)
	if err != nil {
		rep.Failed = append(rep.Failed, RestoreFailure{Network: n.Name, Error: err.Error()})
		return
	}
	if created {
		rep.Parents = append(rep.Parents, n.Parent)
	}
	parent, err := h.Get(n.Parent)
	if err != nil {
		rep.Failed = append(rep.Failed, RestoreFailure{Network: n.Name, Error: err.Error()})
		return
	}
	if n.HostLink != "" {
		created, err := m.ensureHostAccess(h, n)
		if err != nil {
			rep.Failed = append(rep.Failed, RestoreFailure{Network: n.Name, Error: err.Error()})
		}
		if created {
			rep.HostLinks = append(rep.HostLinks, n.HostLink)
		}
	}
	m.restoreEndpoints(n, parent.Up(), rep)
}

// restoreEndpoints restores the endpoints of n, whose parent is up or
// down.
func (m *Manager) restoreEndpoints(n *Network, parentUp bool, rep *RestoreReport) {
	kept := n.Endpoints[:0]
	var holders nsHolders
	for _, e := range n.Endpoints {
		ref := EndpointRef{Network: n.Name, NetNS: e.NetNS, IfName: e.IfName}
		switch done, err := m.restoreEndpoint(n, &e, parentUp, &holders); {
		case err != nil:
			rep.Failed = append(rep.Failed, RestoreFailure{Network: n.Name, NetNS: e.NetNS, Error: err.Error()})
		case done == endpointGone:
			rep.Dropped = append(rep.Dropped, ref)
			continue
		case done == endpointRestored:
			rep.Restored = append(rep.Restored, ref)
		default:
			rep.Present = append(rep.Present, ref)
		}
		kept = append(kept, e)
	}
	n.Endpoints = kept
}

// What restoreEndpoint found.
const (
	endpointPresent = iota
	endpointRestored
	endpointGone
)

// restoreEndpoint restores one endpoint of n, updating its record: it
// creates its link again when its namespace exists and holds no link with
// its mark, and otherwise adds what is missing on that link.
func (m *Manager) restoreEndpoint(n *Network, e *Endpoint, parentUp bool, holders *nsHolders) (int, error) {
	t, err := locate(e, holders)
	if err != nil {
		return 0, err
	}
	if t == nil {
		return endpointGone, nil
	}
	defer t.ns.Close()
	th, err := links.Open(t.ns)
	if err != nil {
		return 0, err
	}
	defer th.Close()
	l, err := th.Get(e.IfName)
	if errors.Is(err, unix.ENODEV) {
		// The record changes only when the link is back.
		c := *e
		names := candidateNames(c.IfName)
		if err := m.intend(intent{Op: opRestore, Endpoints: []intentEndpoint{intentFor(n, &c, names)}}); err != nil {
			return 0, err
		}
		if err := m.setupEndpoint(n, &c, t, names); err != nil {
			return 0, err
		}
		c.Unmarked = false
		*e = c
		return endpointRestored, nil
	}
	if err != nil {
		return 0, err
	}
	want := m.endpointMark(n, e).String()
	if l.Alias != want && !(l.Alias == "" && l.Group == m.group || e.Unmarked) ||
		l.Kind != string(n.Driver) || (n.Driver == MACVlan && e.MAC != "" && l.MAC.String() != e.MAC) {
		return 0, conflictf("interface %s in %s is not this endpoint's link (a %s link with MAC %s%s): rename or delete it, then restore again",
			e.IfName, e.NetNSPath, kindName(l.Kind), l.MAC, aliasNote(l.Alias))
	}
	c := *e
	if err := configureEndpoint(th, t.ns, n, &c, l.Index, e.IfName, func() bool { return parentUp }, true, m.stampFor(n, &c)); err != nil {
		return 0, err
	}
	c.Unmarked = false
	*e = c
	return endpointPresent, nil
}

// aliasNote shows a link's alias in a message.
func aliasNote(alias string) string {
	if alias == "" {
		return ""
	}
	return ", alias " + alias
}

func kindName(kind string) string {
	if kind == "" {
		return "device"
	}
	return kind
}
