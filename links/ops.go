package links

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// Create checks s, looks up its parent, and creates the link. Nothing is
// created when it fails.
func (h *Handle) Create(s Spec) error {
	a := s.Attributes()
	if err := checkAttrs(a); err != nil {
		return err
	}
	if err := s.validate(); err != nil {
		return err
	}
	var parentIndex int32
	if pname := s.parent(); pname != "" || s.NeedsParent() {
		p, err := h.parent(s, pname)
		if err != nil {
			return err
		}
		parentIndex = p.Index
	}
	m, err := message(s, parentIndex)
	if err != nil {
		return err
	}
	if info := m.Attributes.Info; info != nil && info.Data != nil {
		if err := checkKernel(info.Data); err != nil {
			return err
		}
	}
	if err := h.c.NewLink(m); err != nil {
		return err
	}
	if p := s.peer(); p != nil && p.Up {
		if err := h.upPeer(p); err != nil {
			return errors.Join(err, h.remove(a))
		}
	}
	return nil
}

// upPeer brings up the peer p of a new link, in its own namespace. The
// kernel cannot do it as it creates the pair: an end of a pair opens only
// once its peer is registered.
func (h *Handle) upPeer(p *Attrs) error {
	c := h.c
	if p.NetNS != nil {
		var err error
		if c, err = rtnl.Dial(p.NetNS); err != nil {
			return err
		}
		defer c.Close()
	}
	m, err := c.GetLink(p.Name)
	if err != nil {
		return err
	}
	return c.SetLink(&rtnl.LinkMessage{Index: m.Index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
}

// remove deletes a link this package just created, wherever it was put.
func (h *Handle) remove(a *Attrs) error {
	c := h.c
	if a.NetNS != nil {
		var err error
		if c, err = rtnl.Dial(a.NetNS); err != nil {
			return err
		}
		defer c.Close()
	}
	return c.DeleteLinkName(a.Name)
}

// parent resolves and checks the lower device of s.
func (h *Handle) parent(s Spec, name string) (*rtnl.LinkMessage, error) {
	kind := s.Kind()
	if name == "" {
		return nil, invalid("parent", name, "a %s link needs a parent: say `link DEV`", kind)
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	p, err := h.c.GetLink(name)
	if errors.Is(err, unix.ENODEV) {
		return nil, fmt.Errorf("parent link %q does not exist in this network namespace; create it first or name another: %w", name, err)
	}
	if err != nil {
		return nil, err
	}
	if p.Flags&unix.IFF_LOOPBACK != 0 {
		return nil, invalid("parent", name, "the loopback interface cannot be the parent of a %s link", kind)
	}
	if mtu := s.Attributes().MTU; mtu > p.Attributes.MTU {
		return nil, invalid("mtu", fmt.Sprint(mtu), "it is above the MTU of parent %s (%d); a %s link cannot exceed it", name, p.Attributes.MTU, kind)
	}
	return p, nil
}

// Get returns the link called name. A missing link gives an error
// matching unix.ENODEV.
func (h *Handle) Get(name string) (*Link, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	m, err := h.c.GetLink(name)
	if err != nil {
		return nil, err
	}
	l := linkFrom(m)
	if l.ParentIndex != 0 && m.Attributes.LinkNetNSID == nil {
		if p, err := h.c.GetLinkIndex(int32(l.ParentIndex)); err == nil {
			l.Parent = p.Attributes.Name
		}
	}
	return l, nil
}

// List returns every link in the namespace, or only those of kind when it
// is not empty, in one dump.
func (h *Handle) List(kind string) ([]Link, error) {
	ms, err := h.c.ListLinks(kind)
	if err != nil {
		return nil, err
	}
	out := make([]Link, len(ms))
	for i := range ms {
		out[i] = *linkFrom(&ms[i])
	}
	var names map[int]string
	for i := range out {
		if out[i].ParentIndex == 0 || ms[i].Attributes.LinkNetNSID != nil {
			continue
		}
		if names == nil {
			names, err = h.names(kind, ms)
			if err != nil {
				return nil, err
			}
		}
		out[i].Parent = names[out[i].ParentIndex]
	}
	return out, nil
}

// names maps indexes to names, dumping all links when ms holds only one
// kind.
func (h *Handle) names(kind string, ms []rtnl.LinkMessage) (map[int]string, error) {
	if kind != "" {
		all, err := h.c.ListLinks("")
		if err != nil {
			return nil, err
		}
		ms = all
	}
	names := make(map[int]string, len(ms))
	for _, m := range ms {
		names[int(m.Index)] = m.Attributes.Name
	}
	return names, nil
}

// Delete deletes the link called name. Deleting one link waits for the
// kernel to unregister it (tens of milliseconds); use DeleteAll for many.
func (h *Handle) Delete(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	return h.c.DeleteLinkName(name)
}

// DeleteIndex deletes the link with index.
func (h *Handle) DeleteIndex(index int) error {
	return h.c.DeleteLink(int32(index))
}

// DeleteAll deletes the named links in one batch: it moves them into a
// link group no other link uses and deletes that group, so that the
// kernel unregisters them together. When the named links already are the
// whole of one group other than 0, that group is deleted as it is. If any
// name does not exist, nothing is deleted.
func (h *Handle) DeleteAll(names []string) error {
	if len(names) == 0 {
		return nil
	}
	if len(names) == 1 {
		return h.Delete(names[0])
	}
	all, err := h.c.ListLinks("")
	if err != nil {
		return err
	}
	byName := make(map[string]*rtnl.LinkMessage, len(all))
	members := make(map[uint32]int)
	for i := range all {
		byName[all[i].Attributes.Name] = &all[i]
		members[groupOf(&all[i])]++
	}
	todo := make([]*rtnl.LinkMessage, 0, len(names))
	for _, n := range names {
		m, ok := byName[n]
		if !ok {
			return fmt.Errorf("delete links: link %q does not exist; nothing was deleted: %w", n, unix.ENODEV)
		}
		todo = append(todo, m)
	}
	if g := groupOf(todo[0]); g != 0 && members[g] == len(todo) && sameGroup(todo, g) {
		return h.c.DeleteLinkGroup(g)
	}
	group := uint32(1<<30 + rand.IntN(1<<30))
	for members[group] > 0 {
		group++
	}
	set := make([]*rtnl.LinkMessage, len(todo))
	for i, m := range todo {
		set[i] = &rtnl.LinkMessage{Index: m.Index, Attributes: rtnl.LinkAttributes{Group: &group}}
	}
	errs, err := h.c.SetLinks(set)
	if err == nil {
		err = errors.Join(errs...)
	}
	if err == nil {
		err = h.c.DeleteLinkGroup(group)
	}
	if err != nil {
		return errors.Join(err, h.restoreGroups(todo))
	}
	return nil
}

// groupOf returns the link's group; 0, the kernel's default, when the
// message has none.
func groupOf(m *rtnl.LinkMessage) uint32 {
	if m.Attributes.Group == nil {
		return 0
	}
	return *m.Attributes.Group
}

// sameGroup reports whether every link of ms is in group g.
func sameGroup(ms []*rtnl.LinkMessage, g uint32) bool {
	for _, m := range ms {
		if groupOf(m) != g {
			return false
		}
	}
	return true
}

// restoreGroups puts links back in the groups they had.
func (h *Handle) restoreGroups(ms []*rtnl.LinkMessage) error {
	set := make([]*rtnl.LinkMessage, len(ms))
	for i, m := range ms {
		g := groupOf(m)
		set[i] = &rtnl.LinkMessage{Index: m.Index, Attributes: rtnl.LinkAttributes{Group: &g}}
	}
	errs, err := h.c.SetLinks(set)
	if err != nil {
		return fmt.Errorf("restore link groups: %w", err)
	}
	// A link that vanished meanwhile needs no group back.
	for i, e := range errs {
		if errors.Is(e, unix.ENODEV) {
			errs[i] = nil
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("restore link groups: %w", err)
	}
	return nil
}
