package modes

import (
	"errors"
	"fmt"
	"sort"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
)

// GCReport says what GC did.
type GCReport struct {
	// Released are the endpoints whose namespace is gone: their records
	// were dropped and their addresses are free again.
	Released []EndpointRef `json:"released,omitempty"`
	// Deleted are the links that carry this state directory's mark but
	// that no record claims, deleted.
	Deleted []LinkRef `json:"deleted,omitempty"`
	// Renamed are the endpoints whose link was found under another name
	// (renamed by hand); the records now hold that name.
	Renamed []EndpointRef `json:"renamed,omitempty"`
	// Marked are the links of endpoints recorded by an older vlanraw,
	// found by name and kind, that now carry their mark.
	Marked []EndpointRef `json:"marked,omitempty"`
	// Missing are the endpoints whose namespace exists but holds no link
	// with their mark: restore creates them again, disconnect drops them.
	Missing []EndpointRef `json:"missing,omitempty"`
}

// LinkRef names a link in a namespace.
type LinkRef struct {
	// NetNS is a path the namespace was found through.
	NetNS string `json:"netns"`
	Name  string `json:"ifname"`
	Alias string `json:"alias,omitempty"`
}

// GC reconciles the records with the kernel, both ways, by identity: it
// looks at every network namespace on the host (named ones, and those
// held by a mount, a process or an open file) for links carrying this
// state directory's mark (see identity.go), deletes those no record
// claims, follows the links of recorded endpoints that were renamed, and
// drops the records of endpoints whose namespace is gone. It creates
// nothing: restore does. Running it again changes nothing.
func (m *Manager) GC() (GCReport, error) {
	var rep GCReport
	err := m.store.Update(func(r *records) error {
		var err error
		rep, err = m.gc(r)
		return err
	})
	return rep, err
}

// claim is what a record expects of a link: the endpoint (or, with ep
// claimParent, the parent; with claimHost, the host access link) of a
// network.
type claim struct {
	n  *Network
	ep int
}

// The ep of a claim on a network's own links.
const (
	claimParent = -1
	claimHost   = -2
)

// gc is GC on r, under the lock.
func (m *Manager) gc(r *records) (GCReport, error) {
	var rep GCReport
	holders := scanNamespaces()
	hostID, err := m.host.ID()
	if err != nil {
		return rep, fmt.Errorf("host network namespace: %w", err)
	}
	claims := map[string]claim{}
	for _, n := range r.Networks {
		if n.ParentCreated != "" {
			claims[m.parentMark(n).String()] = claim{n: n, ep: claimParent}
		}
		if n.HostLink != "" {
			claims[m.hostMark(n).String()] = claim{n: n, ep: claimHost}
		}
		for i := range n.Endpoints {
			claims[m.endpointMark(n, &n.Endpoints[i]).String()] = claim{n: n, ep: i}
		}
	}
	// seen are the IDs of the endpoints whose link was found.
	seen := map[string]bool{}
	ids := make([]netns.ID, 0, len(holders))
	for id := range holders {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Inode < ids[j].Inode })
	var errs []error
	for _, id := range ids {
		path := holders[id]
		t, err := openNSPath(path)
		if err != nil || t.id != id {
			if err == nil {
				t.ns.Close()
			}
			continue // gone since the scan, or not ours to open
		}
		err = withHandle(t, func(h *links.Handle) error {
			return m.gcNamespace(h, t, id == hostID, claims, seen, &rep)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("network namespace %s: %w", path, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	for _, n := range r.Networks {
		kept := n.Endpoints[:0]
		for _, e := range n.Endpoints {
			ref := EndpointRef{Network: n.Name, NetNS: e.NetNS, IfName: e.IfName}
			if !seen[e.ID] {
				if _, ok := holders.find(&e); !ok {
					rep.Released = append(rep.Released, ref)
					continue
				}
				rep.Missing = append(rep.Missing, ref)
			}
			kept = append(kept, e)
		}
		n.Endpoints = kept
	}
	r.Swept = true
	return rep, nil
}

// gcNamespace reconciles the links of t, reached through h: hostNS says
// whether t is the namespace of the parents.
func (m *Manager) gcNamespace(h *links.Handle, t *targetNS, hostNS bool, claims map[string]claim, seen map[string]bool, rep *GCReport) error {
	ls, err := h.List("")
	if err != nil {
		return err
	}
	var orphans, parents []links.Link
	for _, l := range ls {
		mk, marked := parseMark(l.Alias)
		if marked && mk.dir != m.id {
			continue // another state directory's
		}
		if !marked {
			if c, ok := m.adoptable(l, t, hostNS, claims); ok {
				if err := m.markLink(h, &l, c); err != nil {
					return err
				}
				if c.ep >= 0 {
					e := &c.n.Endpoints[c.ep]
					seen[e.ID] = true
					e.Unmarked = false
					rep.Marked = append(rep.Marked, EndpointRef{Network: c.n.Name, NetNS: e.NetNS, IfName: e.IfName})
				}
				continue
			}
			if l.Group != m.group {
				continue // not vlanraw's
			}
			// In this directory's group but never marked: made by a
			// command whose intent is lost, as no command runs now.
		}
		c, ok := claims[l.Alias]
		switch {
		case ok && c.ep == claimParent && hostNS && l.Name == c.n.Parent:
			continue
		case ok && c.ep == claimHost && hostNS && l.Name == c.n.HostLink:
			continue
		case ok && c.ep >= 0 && c.n.Endpoints[c.ep].sameNS(t):
			e := &c.n.Endpoints[c.ep]
			seen[e.ID] = true
			if e.IfName != l.Name {
				e.IfName = l.Name
				rep.Renamed = append(rep.Renamed, EndpointRef{Network: c.n.Name, NetNS: e.NetNS, IfName: e.IfName})
			}
			continue
		}
		if marked && mk.endpoint == markParent {
			parents = append(parents, l)
		} else {
			orphans = append(orphans, l)
		}
	}
	// Endpoint links first: deleting a parent deletes the links on it.
	for _, l := range append(orphans, parents...) {
		if err := h.Delete(l.Name); err != nil && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("delete %s: %w", l.Name, err)
		}
		rep.Deleted = append(rep.Deleted, LinkRef{NetNS: t.path, Name: l.Name, Alias: l.Alias})
	}
	return nil
}

// adoptable returns the record an unmarked link l in t belongs to, if
// any: the endpoint, recorded by a vlanraw older than the marks or left
// unmarked by an interrupted restore, of that name and kind in t; or a
// parent vlanraw made, of that name in the host namespace.
func (m *Manager) adoptable(l links.Link, t *targetNS, hostNS bool, claims map[string]claim) (claim, bool) {
	if l.Alias != "" {
		return claim{}, false
	}
	for _, c := range claims {
		if c.ep == claimHost {
			continue // marked before it is recorded (see setupHostAccess)
		}
		if c.ep < 0 {
			if hostNS && l.Name == c.n.Parent && (l.Group == m.group || l.Group == 0) && isCreatedParent(c.n, &l) {
				return c, true
			}
			continue
		}
		e := &c.n.Endpoints[c.ep]
		if (e.Unmarked || l.Group == m.group) && e.sameNS(t) && e.IfName == l.Name && l.Kind == string(c.n.Driver) &&
			(c.n.Driver != MACVlan || e.MAC == "" || l.MAC.String() == e.MAC) {
			return c, true
		}
	}
	return claim{}, false
}

// markLink gives the link l, through h, this state directory's group and
// the mark of c.
func (m *Manager) markLink(h *links.Handle, l *links.Link, c claim) error {
	mk := m.parentMark(c.n)
	if c.ep >= 0 {
		mk = m.endpointMark(c.n, &c.n.Endpoints[c.ep])
	}
	alias := mk.String()
	err := h.SetIndex(l.Index, links.Change{Group: &m.group, Alias: &alias})
	if err != nil {
		return fmt.Errorf("mark %s: %w", l.Name, err)
	}
	return nil
}
