package modes

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

// dummyName returns the name of the dummy parent of a network without a
// parent: di-<ID[:12]> for ipvlan, dm-<ID[:12]> for macvlan.
func dummyName(d Driver, id string) string {
	if d == IPVlan {
		return "di-" + id[:12]
	}
	return "dm-" + id[:12]
}

// parseVlan splits a sub-interface name NAME.VID, as Docker's parseVlan
// does, with its messages. base reports whether a link exists.
func parseVlan(name string, exists func(string) bool) (string, int, error) {
	parts := strings.Split(name, ".")
	if len(parts) != 2 {
		return "", 0, invalidf("required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received %s", name)
	}
	base, vid := parts[0], parts[1]
	n, err := strconv.Atoi(vid)
	if err != nil {
		return "", 0, invalidf("unable to parse a valid vlan id from: %s (ex. eth0.10 for vlan 10)", vid)
	}
	if !exists(base) {
		return "", 0, invalidf("-o parent interface was not found on the host: %s", base)
	}
	return base, n, nil
}

// setupParent resolves the parent of n (given as parent, "" for none),
// creating it when needed, checks that n may use it, and fills in
// n.Parent, n.ParentCreated and n.Internal. It returns a function that
// deletes what it created.
func (m *Manager) setupParent(r *records, n *Network, parent string) (func() error, error) {
	h, err := m.hostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()

	if parent == "" {
		n.Parent, n.ParentCreated, n.Internal = dummyName(n.Driver, n.ID), ParentDummy, true
		mtu := uint32(0)
		if n.MTU > 1500 {
			mtu = n.MTU // a dummy starts at 1500
		}
		if err := m.makeParent(h, n, &links.Dummy{Attrs: links.Attrs{Name: n.Parent, MTU: mtu, Up: true}}); err != nil {
			return nil, fmt.Errorf("failed to create the dummy parent link %s: %w", n.Parent, err)
		}
		return m.deleteLinkFunc(n.Parent), nil
	}

	if err := links.CheckName(parent); err != nil {
		return nil, err
	}
	n.Parent = parent
	if err := checkSharing(r, n); err != nil {
		return nil, err
	}
	p, err := h.Get(parent)
	switch {
	case err == nil:
		if p.Flags&net.FlagLoopback != 0 {
			return nil, invalidf("loopback interface is not a valid %s parent link", n.Driver)
		}
		if n.MTU > p.MTU {
			return nil, invalidf("invalid mtu %d: it is above the MTU of parent %s (%d)", n.MTU, parent, p.MTU)
		}
		// A macvlan network sharing a parent vlanraw created for another
		// network shares its deletion too: the last one deletes it.
		for _, x := range r.Networks {
			if x.Parent == parent && x.ParentCreated != "" {
				n.ParentCreated = x.ParentCreated
			}
		}
		return nil, nil
	case !errors.Is(err, unix.ENODEV):
		return nil, err
	}

	// A missing parent is created as NAME.VID on NAME.
	if !strings.Contains(parent, ".") && n.CNI != "" {
		return nil, invalidf("master %s does not exist: create it first or name an existing link as \"master\" (only a missing NAME.VID master, such as eth0.50, is created, as an 802.1Q link on NAME)", parent)
	}
	if !strings.Contains(parent, ".") {
		return nil, invalidf("parent %s does not exist: create it first, give an existing link as -o parent, or omit -o parent for a dummy parent (only a missing NAME.VID parent, such as eth0.10, is created, as an 802.1Q link on NAME)", parent)
	}
	exists := func(name string) bool {
		_, err := h.Get(name)
		return err == nil
	}
	base, vid, err := parseVlan(parent, exists)
	if err != nil && n.CNI != "" {
		if b, _, perr := parseVlan(parent, func(string) bool { return true }); perr == nil && !exists(b) {
			return nil, invalidf("master %s does not exist, nor does %s, the link vlanraw would create it on: name an existing link as \"master\"", parent, b)
		}
	}
	if err != nil {
		return nil, err
	}
	if vid < 1 || vid > links.MaxVLANID {
		return nil, invalidf("vlan id must be between 1-4094, received: %d", vid)
	}
	b, err := h.Get(base)
	if err != nil {
		return nil, err
	}
	if n.MTU > b.MTU {
		return nil, invalidf("invalid mtu %d: it is above the MTU of %s (%d), which parent %s would inherit", n.MTU, base, b.MTU, parent)
	}
	err = m.makeParent(h, n, &links.VLAN{Attrs: links.Attrs{Name: parent, Up: true}, Parent: base, ID: uint16(vid)})
	if err != nil {
		return nil, fmt.Errorf("failed to create %s vlan link: %w", parent, err)
	}
	n.ParentCreated = ParentVLAN
	return m.deleteLinkFunc(parent), nil
}

// checkSharing applies Docker's rules for networks on one parent: one
// ipvlan network per parent (the implicit networks of CNI configurations
// share, as the CNI plugins' links do); macvlan networks share, except in passthru
// mode. ipvlan and macvlan networks never share a parent: the kernel
// gives a link to one of them only.
func checkSharing(r *records, n *Network) error {
	for _, x := range r.Networks {
		if x.Parent != n.Parent || x.ParentInContainer {
			continue
		}
		switch {
		case x.Driver != n.Driver:
			return conflictf("%s network %s is already using parent interface %s: ipvlan and macvlan networks cannot share a parent (the kernel refuses the second kind)",
				x.Driver, x.Name, n.Parent)
		case n.Driver == IPVlan && (n.CNI == "" || x.CNI == ""):
			return conflictf("network %s is already using parent interface %s", x.Name, n.Parent)
		case n.MACVlanMode == ModePassthru:
			return conflictf("cannot use mode passthru, macvlan network %s is already using parent interface %s", x.Name, n.Parent)
		case x.MACVlanMode == ModePassthru:
			return conflictf("macvlan network %s is already using parent interface %s in mode passthru", x.Name, n.Parent)
		}
	}
	return nil
}

// parentToMake returns the name of the parent link a network create of n
// with the parent option parent may make: the dummy when no parent is
// given, a sub-interface NAME.VID when that is given (it is made if it does
// not exist). The intent of the create names it.
func (m *Manager) parentToMake(n *Network, parent string) string {
	switch {
	case parent == "":
		return dummyName(n.Driver, n.ID)
	case strings.Contains(parent, "."):
		return parent
	}
	return ""
}

// makeParent creates the parent link s for n in this state directory's
// link group, then marks it as n's (see identity.go). When marking fails,
// the link is deleted.
func (m *Manager) makeParent(h *links.Handle, n *Network, s links.Spec) error {
	a := s.Attributes()
	a.Group = &m.group
	if err := h.Create(s); err != nil {
		return err
	}
	if err := hook(m.ctx, "parent"); err != nil {
		return errors.Join(err, h.Delete(a.Name))
	}
	alias := m.parentMark(n).String()
	if err := h.Set(a.Name, links.Change{Alias: &alias}); err != nil {
		return errors.Join(fmt.Errorf("mark parent %s: %w", a.Name, err), h.Delete(a.Name))
	}
	return nil
}

// deleteLinkFunc returns a function that deletes a link in the host
// namespace.
func (m *Manager) deleteLinkFunc(name string) func() error {
	return func() error {
		h, err := m.hostHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		if err := h.Delete(name); err != nil && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("undo: delete parent %s: %w", name, err)
		}
		return nil
	}
}

// removeParent deletes the parent of n when vlanraw created it, no other
// network in r uses it, and it is still what vlanraw made: a dummy of
// that name without a lower link, or an 802.1Q link named NAME.VID with
// one. Anything else is kept. It reports whether it deleted the parent;
// the kernel then deleted every ipvlan or macvlan link on it, in every
// namespace, in one batch.
func (m *Manager) removeParent(r *records, n *Network) (bool, error) {
	if n.ParentCreated == "" {
		return false, nil
	}
	for _, x := range r.Networks {
		if x != n && x.Parent == n.Parent {
			return false, nil
		}
	}
	h, err := m.hostHandle()
	if err != nil {
		return false, err
	}
	defer h.Close()
	l, err := h.Get(n.Parent)
	if errors.Is(err, unix.ENODEV) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !isCreatedParent(n, l) {
		return false, nil
	}
	if err := h.Delete(n.Parent); err != nil && !errors.Is(err, unix.ENODEV) {
		return false, fmt.Errorf("delete parent %s: %w", n.Parent, err)
	}
	return true, nil
}

// isCreatedParent reports whether l is still the parent link vlanraw made
// for n, by Docker's tests plus the kind; a link that carries the mark
// of another network or another state directory is not.
func isCreatedParent(n *Network, l *links.Link) bool {
	if mk, ok := parseMark(l.Alias); l.Alias != "" && (!ok || mk.endpoint != markParent) {
		return false
	}
	switch n.ParentCreated {
	case ParentDummy:
		return l.Name == n.Parent && l.ParentIndex == 0 && l.Kind == "dummy"
	case ParentVLAN:
		_, _, err := parseVlan(l.Name, func(string) bool { return true })
		return err == nil && l.ParentIndex != 0 && l.Kind == "vlan"
	}
	return false
}

// ensureParent recreates a parent vlanraw created that is missing, as
// Docker does when it restores a network. It reports whether it created
// one.
func (m *Manager) ensureParent(h *links.Handle, n *Network) (bool, error) {
	_, err := h.Get(n.Parent)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, unix.ENODEV) {
		return false, err
	}
	switch n.ParentCreated {
	case ParentDummy:
		mtu := uint32(0)
		if n.MTU > 1500 {
			mtu = n.MTU
		}
		if err := m.makeParent(h, n, &links.Dummy{Attrs: links.Attrs{Name: n.Parent, MTU: mtu, Up: true}}); err != nil {
			return false, fmt.Errorf("failed to create the dummy parent link %s: %w", n.Parent, err)
		}
		return true, nil
	case ParentVLAN:
		base, vid, err := parseVlan(n.Parent, func(name string) bool {
			_, err := h.Get(name)
			return err == nil
		})
		if err != nil {
			return false, err
		}
		if err := m.makeParent(h, n, &links.VLAN{Attrs: links.Attrs{Name: n.Parent, Up: true}, Parent: base, ID: uint16(vid)}); err != nil {
			return false, fmt.Errorf("failed to create %s vlan link: %w", n.Parent, err)
		}
		return true, nil
	}
	return false, notFoundf("the requested parent interface %s was not found on the host; it existed before the network and vlanraw does not recreate it", n.Parent)
}

// DefaultMaster returns the link of the first default route (IPv4, then
// IPv6) of the main table in the namespace netns names (a path or a
// name), the caller's own when it is "": the master the reference CNI
// plugins take when a configuration names none.
func DefaultMaster(netns string) (string, error) {
	where := "the host namespace"
	if netns != "" {
		where = "network namespace " + netns
	}
	h, err := links.OpenName(netns)
	if err != nil {
		return "", fmt.Errorf("no master given, and %s cannot be opened for its default route: %w", where, err)
	}
	defer h.Close()
	rs, err := h.Routes(0)
	if err != nil {
		return "", fmt.Errorf("no master given, and the routes of %s cannot be read: %w", where, err)
	}
	for _, r := range rs {
		if r.Dst.IsValid() && r.Dst.Bits() != 0 || r.Index == 0 {
			continue
		}
		ls, err := h.List("")
		if err != nil {
			return "", fmt.Errorf("no master given, and the links of %s cannot be read: %w", where, err)
		}
		for _, l := range ls {
			if l.Index == r.Index {
				return l.Name, nil
			}
		}
	}
	return "", invalidf("no master given, and %s has no default route whose link could serve: name the parent link, such as \"master\": \"eth0\"", where)
}
