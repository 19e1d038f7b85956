package modes

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// tempTries is how many temporary names setupEndpoint tries.
const tempTries = 3

// testHook, when set by tests, is called after each step of
// setupEndpoint once the link exists, and by CreateNetwork once the parent
// exists; an error it returns fails the step.
var testHook func(step string) error

func hook(step string) error {
	if testHook == nil {
		return nil
	}
	return testHook(step)
}

// checkName checks a link name, as an ErrInvalid error.
func checkName(name string) error {
	return asInvalid(links.CheckName(name))
}

// tempName returns a random link name no one else uses: the kernels
// before 6.18 check a new link's name in the namespace that creates it as
// well as in the target, so the link is created under this name and
// renamed inside the target.
func tempName() string {
	b := make([]byte, 5)
	rand.Read(b)
	return "vr" + hex.EncodeToString(b)
}

// linkSpec returns the spec of an endpoint link of n.
func linkSpec(n *Network, name string, mac net.HardwareAddr, ns *rtnl.NetNS) links.Spec {
	a := links.Attrs{Name: name, MTU: n.MTU, MAC: mac, NetNS: ns}
	if n.Driver == IPVlan {
		mode, flag := ipvlanMode(n.IPVlanMode), ipvlanFlag(n.IPVlanFlag)
		return &links.IPVlan{Attrs: a, Parent: n.Parent, Mode: &mode, Flag: &flag}
	}
	mode := macvlanMode(n.MACVlanMode)
	return &links.MACVlan{Attrs: a, Parent: n.Parent, Mode: &mode}
}

// setupEndpoint makes the link of e in t and configures it, filling in
// e.MAC, e.Routes and e.Notes. When it fails, the link is deleted.
func (m *Manager) setupEndpoint(n *Network, e *Endpoint, t *targetNS) error {
	host, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer host.Close()
	parent, err := host.Get(n.Parent)
	if errors.Is(err, unix.ENODEV) {
		return &kindError{kind: ErrNotFound, cause: err,
			msg: fmt.Sprintf("the requested parent interface %s was not found on the host", n.Parent)}
	}
	if err != nil {
		return err
	}
	var mac net.HardwareAddr
	if e.MAC != "" && n.Driver == MACVlan && n.MACVlanMode != ModePassthru {
		if mac, err = net.ParseMAC(e.MAC); err != nil {
			return invalidf("invalid MAC address %q", e.MAC)
		}
	}
	th, err := links.Open(t.ns)
	if err != nil {
		return err
	}
	defer th.Close()

	var tmp string
	for i := range tempTries {
		tmp = tempName()
		err = host.Create(linkSpec(n, tmp, mac, t.ns))
		if !errors.Is(err, unix.EEXIST) || i == tempTries-1 {
			break
		}
	}
	if err != nil {
		if errors.Is(err, links.ErrInvalid) {
			return asInvalid(err)
		}
		err = fmt.Errorf("failed to create the %s port: %w", n.Driver, err)
		if errors.Is(err, unix.EBUSY) {
			err = fmt.Errorf("%w (parent %s carries links of another kind or mode: ipvlan and macvlan links cannot share a parent, nor can a passthru macvlan)", err, n.Parent)
		}
		return err
	}
	l, err := th.Get(tmp)
	if err != nil {
		// It was created; delete it by name wherever it is.
		return errors.Join(fmt.Errorf("find new link %s in %s: %w", tmp, t.path, err), th.Delete(tmp))
	}
	index := l.Index
	fail := func(err error) error {
		derr := th.Conn().DeleteLink(int32(index))
		if derr != nil && !errors.Is(derr, unix.ENODEV) {
			return errors.Join(err, fmt.Errorf("undo: delete link %d in %s: %w", index, t.path, derr))
		}
		return err
	}
	if err := hook("created"); err != nil {
		return fail(err)
	}
	if err := th.Set(tmp, links.Change{Name: e.IfName}); err != nil {
		if errors.Is(err, unix.EEXIST) {
			err = &kindError{kind: ErrConflict, cause: err,
				msg: fmt.Sprintf("interface %s already exists in network namespace %s: choose another name for the endpoint", e.IfName, e.NetNS)}
		}
		return fail(err)
	}
	if err := hook("renamed"); err != nil {
		return fail(err)
	}
	if err := configureEndpoint(th, t.ns, n, e, index, parent.Up(), false); err != nil {
		return fail(err)
	}
	got, err := th.Get(e.IfName)
	if err != nil {
		return fail(err)
	}
	e.MAC = got.MAC.String()
	if err := hook("configured"); err != nil {
		return fail(err)
	}
	return nil
}

// configureEndpoint sets the sysctls, addresses, state and routes of the
// endpoint link with index in ns. With repair, what is there already is
// kept (a restore run again); otherwise everything must be new.
func configureEndpoint(th *links.Handle, ns *rtnl.NetNS, n *Network, e *Endpoint, index int, parentUp, repair bool) error {
	if err := writeSysctls(ns, endpointSysctls(n, e)); err != nil {
		return err
	}
	if err := hook("sysctls"); err != nil {
		return err
	}
	for _, p := range []netip.Prefix{e.IPv4, e.IPv6} {
		if !p.IsValid() {
			continue
		}
		err := th.AddAddress(index, p, true)
		if err != nil && !(repair && errors.Is(err, unix.EEXIST)) {
			return fmt.Errorf("add address %s to %s: %w", p, e.IfName, err)
		}
	}
	if err := hook("addresses"); err != nil {
		return err
	}
	up := true
	if err := th.Set(e.IfName, links.Change{Up: &up}); err != nil {
		return err
	}
	if err := hook("up"); err != nil {
		return err
	}
	return addRoutes(th, n, e, index, parentUp)
}

// endpointSysctls returns the sysctls of e's link: disable_ipv6=0 when it
// gets IPv6 (Docker), and for links that do ARP and neighbour discovery
// arp_notify=1 and ndisc_notify=1, so that the kernel announces the
// addresses when the link comes up (as the CNI plugins do).
func endpointSysctls(n *Network, e *Endpoint) []sysctl {
	var kv []sysctl
	if e.IPv6.IsValid() {
		kv = append(kv, sysctl{path: "net/ipv6/conf/" + e.IfName + "/disable_ipv6", value: "0"})
	}
	if !n.l3() {
		kv = append(kv,
			sysctl{path: "net/ipv4/conf/" + e.IfName + "/arp_notify", value: "1"},
			sysctl{path: "net/ipv6/conf/" + e.IfName + "/ndisc_notify", value: "1", optional: true})
	}
	return kv
}
