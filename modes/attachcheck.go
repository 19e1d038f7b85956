package modes

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// AttachmentState is what a CNI runtime expects of an attachment (from
// the result it cached): its link's addresses and routes. A route
// without a gateway, as an IPAM plugin gave it, is expected via the
// gateway ADD gave it (see cniRouteGateway).
type AttachmentState struct {
	Addrs  []netip.Prefix
	Routes []Route
}

// CheckAttachment compares the kernel with the attachment ref on network
// and with want: the link must be in the namespace with the endpoint's
// mark, of the network's kind and mode, up, with every address and route
// of want. The error names the first thing that differs.
func (m *Manager) CheckAttachment(network string, ref AttachmentRef, want AttachmentState) error {
	var (
		n *Network
		e Endpoint
	)
	err := m.store.View(func(r *records) error {
		var err error
		if n, err = r.find(network); err != nil {
			return err
		}
		i := n.findAttachment(ref)
		if i < 0 {
			return notFoundf("container %s has no attachment %s on network %s", ref.ContainerID, ref.IfName, n.Name)
		}
		e = n.Endpoints[i]
		return nil
	})
	if err != nil {
		return err
	}
	var holders nsHolders
	t, err := locate(&e, &holders)
	if err != nil {
		return err
	}
	if t == nil {
		return notFoundf("network namespace %s of container %s is gone", e.NetNS, ref.ContainerID)
	}
	return withHandle(t, func(h *links.Handle) error {
		return m.checkLink(h, n, &e, want)
	})
}

// checkLink is CheckAttachment in the endpoint's namespace, through h.
func (m *Manager) checkLink(h *links.Handle, n *Network, e *Endpoint, want AttachmentState) error {
	l, err := h.Get(e.IfName)
	if errors.Is(err, unix.ENODEV) {
		return notFoundf("link %s is missing from network namespace %s", e.IfName, e.NetNS)
	}
	if err != nil {
		return err
	}
	if mk := m.endpointMark(n, e).String(); l.Alias != mk {
		return conflictf("link %s in %s is not the one vlanraw made for this attachment: its alias is %q, not %q", e.IfName, e.NetNS, l.Alias, mk)
	}
	if l.Kind != string(n.Driver) {
		return conflictf("link %s is a %s link, not %s", e.IfName, kindName(l.Kind), n.Driver)
	}
	if got, ok := linkMode(l); ok && got != n.Mode() {
		return conflictf("link %s is in %s mode %s, not %s", e.IfName, n.Driver, got, n.Mode())
	}
	if !l.Up() {
		return conflictf("link %s is down", e.IfName)
	}
	have, err := h.Addresses(l.Index)
	if err != nil {
		return err
	}
	for _, a := range want.Addrs {
		if !slices.Contains(have, a) {
			return conflictf("address %s is missing from link %s (it has %v)", a, e.IfName, have)
		}
	}
	rs, err := h.Routes(l.Index)
	if err != nil {
		return err
	}
	for _, r := range want.Routes {
		if !r.Gateway.IsValid() && e.CNI != nil && e.CNI.Delegated {
			// As the IPAM plugin gave it: ADD chose its gateway.
			r.Gateway = cniRouteGateway(n, e, r.Dst)
		}
		if !slices.ContainsFunc(rs, func(x links.Route) bool { return sameRoute(x, r) }) {
			return conflictf("route %s is missing from network namespace %s", r, e.NetNS)
		}
	}
	return nil
}

// linkMode returns the mode of an ipvlan or macvlan link l as
// Network.Mode names it.
func linkMode(l *links.Link) (string, bool) {
	switch d := l.Data.(type) {
	case *rtnl.IPVlan:
		if d.Mode == nil || d.Flags == nil {
			return "", false
		}
		mode, flag := ModeL2, FlagBridge
		switch *d.Mode {
		case rtnl.IPVlanModeL3:
			mode = ModeL3
		case rtnl.IPVlanModeL3S:
			mode = ModeL3S
		}
		switch *d.Flags {
		case rtnl.IPVlanFlagPrivate:
			flag = FlagPrivate
		case rtnl.IPVlanFlagVEPA:
			flag = FlagVEPA
		}
		return mode + " " + flag, true
	case *rtnl.MACVlan:
		if d.Mode == nil {
			return "", false
		}
		for _, s := range []string{ModeBridge, ModePrivate, ModeVEPA, ModePassthru, ModeSource} {
			if macvlanMode(s) == *d.Mode {
				return s, true
			}
		}
		return d.Mode.String(), true
	}
	return "", false
}

// sameRoute reports whether the kernel's route x is r.
func sameRoute(x links.Route, r Route) bool {
	dst := x.Dst
	if !dst.IsValid() {
		dst = defaultV4
		if x.V6 {
			dst = defaultV6
		}
	}
	return dst == r.Dst && x.Gateway == r.Gateway
}

// findAttachment returns the index of the endpoint of n attached as ref,
// or -1.
func (n *Network) findAttachment(ref AttachmentRef) int {
	return slices.IndexFunc(n.Endpoints, func(e Endpoint) bool {
		return e.CNI != nil && e.CNI.ContainerID == ref.ContainerID && e.IfName == ref.IfName
	})
}

// GCAttachments detaches every endpoint of network that a CNI runtime
// attached and that is not among valid, after deleting the links that
// carry this state directory's mark and that no record claims (see GC).
// It returns the endpoints it detached. An implicit network left without
// endpoints is removed, with the parent vlanraw made for it. An unknown
// network has nothing to collect.
func (m *Manager) GCAttachments(network string, valid []AttachmentRef) ([]Endpoint, error) {
	var (
		gone      []Endpoint
		parentErr error
	)
	err := m.update(func(r *records) error {
		if _, err := m.gc(r); err != nil {
			return err
		}
		n, err := r.find(network)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var idx []int
		for i, e := range n.Endpoints {
			if e.CNI != nil && !slices.Contains(valid, AttachmentRef{ContainerID: e.CNI.ContainerID, IfName: e.IfName}) {
				idx = append(idx, i)
				gone = append(gone, e)
			}
		}
		if len(idx) > 0 {
			if err := m.disconnect(n, idx); err != nil {
				return err
			}
		}
		parentErr, err = m.removeIfUnused(r, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return gone, parentErr
}

// Ready reports whether an attachment on parent can be made now: the
// state directory is writable, and parent exists and is up, or is a
// NAME.VID that Attach makes on a NAME that exists and is up. The error
// says what is missing.
func (m *Manager) Ready(parent string) error {
	dir := filepath.Dir(m.store.Path())
	f, err := os.CreateTemp(dir, ".ready-*")
	if err != nil {
		return fmt.Errorf("state directory %s is not writable: %w", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	if parent == "" {
		return nil
	}
	h, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	name := parent
	l, err := h.Get(name)
	if errors.Is(err, unix.ENODEV) {
		base, _, perr := parseVlan(parent, func(string) bool { return true })
		if perr != nil {
			return notFoundf("master %s does not exist", parent)
		}
		name = base
		l, err = h.Get(base)
		if errors.Is(err, unix.ENODEV) {
			return notFoundf("master %s does not exist, nor does %s, the link it would be made on", parent, base)
		}
	}
	if err != nil {
		return err
	}
	if !l.Up() {
		return conflictf("master %s is down: bring it up (vlanraw link set %s up)", name, name)
	}
	return nil
}
