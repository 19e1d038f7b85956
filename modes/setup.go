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
	return setupEndpoint(host, n, e, t)
}

// setupEndpoint makes the link of e in t through host, a handle in the
// namespace of n's parent, and configures it. It costs five requests when
// the endpoint gets no routes: create (which looks the parent up), get
// the new link, addresses, rename-and-up in one, and the route adds.
func setupEndpoint(host *links.Handle, n *Network, e *Endpoint, t *targetNS) error {
	var (
		mac net.HardwareAddr
		err error
	)
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
		return createError(n, err)
	}
	l, err := th.Conn().GetLink(tmp)
	if err != nil {
		// It was created; delete it by name wherever it is.
		return errors.Join(fmt.Errorf("find new link %s in %s: %w", tmp, t.path, err), th.Delete(tmp))
	}
	index := int(l.Index)
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
	parentUp := func() bool {
		p, err := host.Get(n.Parent)
		return err == nil && p.Up()
	}
	if err := configureEndpoint(th, t.ns, n, e, index, tmp, parentUp, false); err != nil {
		return fail(err)
	}
	e.MAC = net.HardwareAddr(l.Attributes.Address).String()
	if err := hook("configured"); err != nil {
		return fail(err)
	}
	return nil
}

// createError explains a failed creation of an endpoint link of n.
func createError(n *Network, err error) error {
	switch {
	case errors.Is(err, links.ErrInvalid):
		return asInvalid(err)
	case errors.Is(err, unix.ENODEV):
		return &kindError{kind: ErrNotFound, cause: err,
			msg: fmt.Sprintf("the requested parent interface %s was not found on the host", n.Parent)}
	}
	err = fmt.Errorf("failed to create the %s port: %w", n.Driver, err)
	if errors.Is(err, unix.EBUSY) {
		err = fmt.Errorf("%w (parent %s carries links of another kind or mode: ipvlan and macvlan links cannot share a parent, nor can a passthru macvlan)", err, n.Parent)
	}
	return err
}

// configureEndpoint sets the sysctls and addresses of the endpoint link
// with index in ns, now called name, renames it to e.IfName and brings it
// up in one request, and adds the routes. The sysctls are set under the
// link's current name: the kernel moves them with the link when it is
// renamed. With repair, what is there already is kept (a restore run
// again); otherwise everything must be new. parentUp is asked only when
// a gateway is unreachable.
func configureEndpoint(th *links.Handle, ns *rtnl.NetNS, n *Network, e *Endpoint, index int, name string, parentUp func() bool, repair bool) error {
	if err := writeSysctls(ns, endpointSysctls(n, e, name)); err != nil {
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
	up := &rtnl.LinkMessage{Index: int32(index), Flags: unix.IFF_UP, Change: unix.IFF_UP}
	if name != e.IfName {
		up.Attributes.Name = e.IfName
	}
	if err := th.Conn().SetLink(up); err != nil {
		if errors.Is(err, unix.EEXIST) {
			err = &kindError{kind: ErrConflict, cause: err,
				msg: fmt.Sprintf("interface %s already exists in network namespace %s: choose another name for the endpoint", e.IfName, e.NetNS)}
		}
		return err
	}
	if err := hook("up"); err != nil {
		return err
	}
	return addRoutes(th, n, e, index, parentUp)
}

// endpointSysctls returns the sysctls of e's link, now called name:
// disable_ipv6 follows IPv6 as in Docker (0 when the endpoint gets an IPv6
// address, else 1, so an IPv4-only endpoint has no link-local address and
// sends no router solicitations, DAD or MLD reports, which on a macvlan
// bridge every other endpoint would receive), and for links that do ARP
// and neighbour discovery arp_notify=1 and ndisc_notify=1, so that the
// kernel announces the addresses when the link comes up (as the CNI
// plugins do).
func endpointSysctls(n *Network, e *Endpoint, name string) []sysctl {
	kv := []sysctl{{path: "net/ipv6/conf/" + name + "/disable_ipv6", value: "1", optional: true}}
	if e.IPv6.IsValid() {
		kv[0] = sysctl{path: "net/ipv6/conf/" + name + "/disable_ipv6", value: "0"}
	}
	if !n.l3() {
		kv = append(kv,
			sysctl{path: "net/ipv4/conf/" + name + "/arp_notify", value: "1"},
			sysctl{path: "net/ipv6/conf/" + name + "/ndisc_notify", value: "1", optional: true})
	}
	return kv
}
