package modes

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// tempTries is how many temporary names endpointLink.make tries.
const tempTries = 3

// tempName returns a random link name no one else uses: the kernels
// before 6.18 check a new link's name in the namespace that creates it as
// well as in the target, so when the endpoint's name is taken the link is
// created under this name and renamed inside the target.
func tempName() string {
	b := make([]byte, 5)
	randomFill(b)
	return "vr" + hex.EncodeToString(b)
}

// candidateNames returns the names the link of an endpoint called name
// may be created under, in the order make tries them: name, then
// temporary names. Connect records them in its intent before it tries
// any.
func candidateNames(name string) []string {
	names := []string{name}
	for range tempTries {
		names = append(names, tempName())
	}
	return names
}

// stamp is what every request that makes or configures an endpoint link
// carries: the context that stops it, and the link group and alias that
// mark the link as the endpoint's (see identity.go).
type stamp struct {
	ctx   context.Context
	group uint32
	alias string
}

// stampFor returns the stamp of e's link.
func (m *Manager) stampFor(n *Network, e *Endpoint) stamp {
	return stamp{ctx: m.ctx, group: m.group, alias: m.endpointMark(n, e).String()}
}

// linkSpec returns the spec of an endpoint link of n, in group.
func linkSpec(n *Network, name string, mac net.HardwareAddr, ns *netns.NS, group uint32) links.Spec {
	a := links.Attrs{Name: name, MTU: n.MTU, MAC: mac, NetNS: ns, Group: &group}
	if n.Driver == IPVlan {
		mode, flag := ipvlanMode(n.IPVlanMode), ipvlanFlag(n.IPVlanFlag)
		return &links.IPVlan{Attrs: a, Parent: n.Parent, Mode: &mode, Flag: &flag}
	}
	mode := macvlanMode(n.MACVlanMode)
	s := &links.MACVlan{Attrs: a, Parent: n.Parent, Mode: &mode}
	if f := macvlanFlag(n.MACVlanFlag); f != 0 {
		s.Flags = &f
	}
	if len(n.SourceMACs) > 0 {
		set := rtnl.MACAddrSet
		s.MACAddrMode = &set
		for _, m := range n.SourceMACs {
			mac, _ := net.ParseMAC(m) // checked by parseOptions
			s.MACAddrs = append(s.MACAddrs, mac)
		}
	}
	if n.BCQueueLen > 0 {
		q := n.BCQueueLen
		s.BCQueueLen = &q
	}
	return s
}

// checkKernel refuses a network whose links the running kernel would
// make without some of their settings (see links.KernelError).
func checkKernel(n *Network) error {
	return links.CheckKernel(linkSpec(n, "", nil, nil, 0))
}

// setupEndpoint makes the link of e in t, under the first of names that
// is free, and configures it, filling in e.MAC, e.Routes and e.Notes: the
// three steps of an endpointLink one after the other. When it fails, the
// link is deleted.
func (m *Manager) setupEndpoint(n *Network, e *Endpoint, t *targetNS, names []string) error {
	host, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer host.Close()
	l := &endpointLink{n: n, e: e, t: t, names: names, stamp: m.stampFor(n, e)}
	defer l.close()
	err = l.make(host)
	if err == nil {
		err = l.setSysctls()
	}
	if err == nil {
		err = l.finish(host)
	}
	if err != nil {
		return l.undo(err)
	}
	return nil
}

// endpointLink is the link of endpoint e of n in t while it is set up,
// in three steps: make, setSysctls and finish. ConnectAll runs each step
// for every endpoint before the next: setSysctls writes disable_ipv6,
// which the kernel applies only when it can take the RTNL lock at once
// and otherwise restarts the write system call, so a write that overlaps
// other links' requests spins (ten thousand restarts a write were seen
// with 1000 endpoints set up eight at a time).
type endpointLink struct {
	n *Network
	e *Endpoint
	t *targetNS
	// names are the names make tries (see candidateNames); stamp marks
	// the link.
	names []string
	stamp stamp
	// th is a handle in t; name and index are the link's name and index
	// there, once made; mac is its address.
	th      *links.Handle
	name    string
	index   int
	mac     net.HardwareAddr
	sysctls *sysctlSet
	// conf is t's /proc/sys/net/ipv6/conf, nil when t has no IPv6.
	conf *os.File
	// proc is the procfs root make opens the sysctl directories
	// through; nil for /proc.
	proc *os.File
}

// make creates the link directly in t, through host, under its own name
// when it can: a rename costs the kernel an RCU grace period with the
// RTNL lock held (about 0.7 ms here). When that name is taken, in t or,
// on kernels before 6.18, in host's namespace, it uses a temporary name
// that finish renames. It enters t once, before the link exists, to open
// the handle there (so that anything failing once the link exists can
// delete it) and t's /proc/sys/net/ipv6/conf, through which the link's
// own sysctl directory then opens from any thread (see openSysctlsAt);
// then it creates the link from outside t and finds its index. A thread
// locked inside a namespace that blocks in a long system call, such as a
// create waiting for the RTNL lock, costs the Go scheduler a hand-off
// between threads (with all of it inside t, make took 0.68 ms per
// endpoint here; so, 0.32 ms), and each entry costs one too (0.8 ms of a
// CNI ADD in QEMU). Nothing is left when it fails but the handles that
// close releases.
func (l *endpointLink) make(host *links.Handle) error {
	n, e := l.n, l.e
	var mac net.HardwareAddr
	if e.MAC != "" && n.Driver == MACVlan && n.MACVlanMode != ModePassthru {
		var err error
		if mac, err = net.ParseMAC(e.MAC); err != nil {
			return invalidf("invalid MAC address %q", e.MAC)
		}
	}
	var derr error
	err := l.t.ns.Do(func() error {
		if l.th, derr = links.Open(nil); derr != nil {
			return nil
		}
		l.conf, derr = openSysctlBase(l.proc, ipv6Conf)
		return nil
	})
	if err != nil {
		return enterError(l.t, errnoOf(err))
	}
	if derr != nil {
		return fmt.Errorf("in network namespace %s: %w", l.t.path, derr)
	}
	th := l.th
	// A parent in the container: the link is made there, through th.
	creator, target := host, l.t.ns
	if n.ParentInContainer {
		creator, target = th, nil
	}
	l.name = l.names[0]
	err = creator.Create(linkSpec(n, l.name, mac, target, l.stamp.group))
	for i := 1; errors.Is(err, unix.EEXIST) && i < len(l.names); i++ {
		l.name = l.names[i]
		err = creator.Create(linkSpec(n, l.name, mac, target, l.stamp.group))
	}
	if err != nil {
		return createError(n, err)
	}
	l.sysctls, err = openSysctlsAt(l.conf, ipv6Conf, endpointSysctls(n, e, l.name))
	if err != nil {
		return errors.Join(err, l.th.Delete(l.name))
	}
	link, err := l.th.Get(l.name)
	if err != nil {
		// It was created; delete it by name wherever it is.
		return errors.Join(fmt.Errorf("find new link %s in %s: %w", l.name, l.t.path, err), l.th.Delete(l.name))
	}
	l.index, l.mac = link.Index, link.MAC
	return hook(l.stamp.ctx, "created")
}

// setSysctls writes the link's sysctls, from any thread.
func (l *endpointLink) setSysctls() error {
	err := l.sysctls.write()
	l.sysctls.Close()
	l.sysctls = nil
	if err != nil {
		return err
	}
	return hook(l.stamp.ctx, "sysctls")
}

// finish adds the addresses, renames the link and brings it up, adds the
// routes and records the MAC. host is asked about the parent only when a
// gateway is unreachable.
func (l *endpointLink) finish(host *links.Handle) error {
	parentUp := func() bool {
		h := host
		if l.n.ParentInContainer {
			h = l.th
		}
		p, err := h.Get(l.n.Parent)
		return err == nil && p.Up()
	}
	if err := configureLink(l.th, l.n, l.e, l.index, l.name, parentUp, false, l.stamp); err != nil {
		return macInUse(host, l.n, l.mac, err)
	}
	l.e.MAC = l.mac.String()
	return hook(l.stamp.ctx, "configured")
}

// undo deletes the link, if it was made, and returns err with any
// failure to do so, which then matches state.ErrUnfinished.
func (l *endpointLink) undo(err error) error {
	if l.index == 0 {
		return err
	}
	derr := l.th.DeleteIndex(l.index)
	if derr != nil && !errors.Is(derr, unix.ENODEV) {
		return errors.Join(err, unfinished(fmt.Errorf("undo: delete link %d in %s: %w", l.index, l.t.path, derr)))
	}
	return err
}

// close releases the handle and directories the steps opened.
func (l *endpointLink) close() {
	if l.sysctls != nil {
		l.sysctls.Close()
	}
	if l.conf != nil {
		l.conf.Close()
	}
	if l.th != nil {
		l.th.Close()
	}
}

// createError explains a failed creation of an endpoint link of n.
func createError(n *Network, err error) error {
	switch {
	case errors.Is(err, errdefs.ErrInvalid):
		return err
	case errors.Is(err, unix.ENODEV) && n.ParentInContainer:
		return &categoryError{category: ErrNotFound, cause: err,
			msg: fmt.Sprintf("master %s was not found in the container's network namespace (linkInContainer): create it there first, or leave linkInContainer out for a master in the host namespace", n.Parent)}
	case errors.Is(err, unix.ENODEV):
		return &categoryError{category: ErrNotFound, cause: err,
			msg: fmt.Sprintf("the requested parent interface %s was not found on the host", n.Parent)}
	}
	err = fmt.Errorf("failed to create the %s port: %w", n.Driver, err)
	if errors.Is(err, unix.EINVAL) && n.MACVlanFlag == FlagNoDst {
		// Kernels before 5.13 refuse the flag rather than ignore it.
		err = fmt.Errorf("%w (this kernel may lack macvlan flag nodst, MACVLAN_FLAG_NODST, of Linux 5.13 and later: leave it out or use a newer kernel)", err)
	}
	if errors.Is(err, unix.EBUSY) {
		err = fmt.Errorf("%w (parent %s carries links of another kind or mode: ipvlan and macvlan links cannot share a parent, nor can a passthru macvlan)", err, n.Parent)
	}
	return err
}

// configureEndpoint sets the sysctls of the endpoint link with index in
// ns, now called name, then configures it as configureLink does. The
// sysctls are set under the link's current name: the kernel moves them
// with the link when it is renamed.
func configureEndpoint(th *links.Handle, ns *netns.NS, n *Network, e *Endpoint, index int, name string, parentUp func() bool, repair bool, st stamp) error {
	if err := writeSysctls(ns, endpointSysctls(n, e, name)); err != nil {
		return err
	}
	if err := hook(st.ctx, "sysctls"); err != nil {
		return err
	}
	return configureLink(th, n, e, index, name, parentUp, repair, st)
}

// configureLink adds the addresses of the endpoint link with index, now
// called name, sets arp_notify where the link does ARP, renames it to
// e.IfName, marks it (its group and alias, from st) and brings it up,
// all in one round trip to the kernel (see links.Handle.Pipeline), then
// adds the routes. With repair, what is there already is kept (a restore
// run again); otherwise everything must be new. The kernel goes on after
// a request fails, so a link whose address was refused may come up: the
// caller deletes it, as for any other failure. parentUp is asked only
// when a gateway is unreachable.
func configureLink(th *links.Handle, n *Network, e *Endpoint, index int, name string, parentUp func() bool, repair bool, st stamp) error {
	var addrs []netip.Prefix
	var reqs []rtnl.Request
	for _, p := range []netip.Prefix{e.IPv4, e.IPv6} {
		if p.IsValid() {
			addrs = append(addrs, p)
			reqs = append(reqs, links.AddAddressRequest(index, p, true))
		}
	}
	if !n.l3() || e.dropIn() {
		// In a request before the one that brings the link up: the
		// kernel applies IPv4 settings after the flags of a request.
		arp, err := links.ChangeRequest(index, links.Change{IPv4Conf: []rtnl.IPv4Conf{{ID: rtnl.IPv4ConfARPNotify, Value: 1}}})
		if err != nil {
			return err
		}
		reqs = append(reqs, arp)
	}
	on := true
	up := links.Change{Up: &on, Group: &st.group, Alias: &st.alias}
	if name != e.IfName {
		up.Name = e.IfName
	}
	upReq, err := links.ChangeRequest(index, up)
	if err != nil {
		return err
	}
	reqs = append(reqs, upReq)
	errs, err := th.Pipeline(reqs)
	if err != nil {
		return fmt.Errorf("configure %s: %w", name, err)
	}
	last := len(reqs) - 1
	for i, err := range errs {
		switch {
		case err == nil:
		case i < len(addrs):
			if !(repair && errors.Is(err, unix.EEXIST)) {
				return fmt.Errorf("add address %s to %s: %w", addrs[i], e.IfName, err)
			}
		case i < last:
			return fmt.Errorf("set %s on %s: %w", rtnl.IPv4ConfARPNotify, name, err)
		case errors.Is(err, unix.EEXIST):
			return &categoryError{category: ErrConflict, cause: err,
				msg: fmt.Sprintf("interface %s already exists in network namespace %s: choose another name for the endpoint", e.IfName, e.NetNS)}
		default:
			return err
		}
	}
	for _, step := range []string{"addresses", "up"} {
		if err := hook(st.ctx, step); err != nil {
			return err
		}
	}
	return addRoutes(th, n, e, index, parentUp)
}

// endpointSysctls returns the /proc/sys settings of e's link, now called
// name: disable_ipv6 follows IPv6 as in Docker (0 when the endpoint gets
// an IPv6 address, else 1, so an IPv4-only endpoint has no link-local
// address and sends no router solicitations, DAD or MLD reports, which on
// a macvlan bridge every other endpoint would receive), and for links
// that do neighbour discovery ndisc_notify=1, so that the kernel
// announces the addresses when the link comes up (as the CNI plugins do).
// Its IPv4 twin, arp_notify, is set by configureLink over rtnetlink,
// which costs less than a walk of /proc/sys/net/ipv4 (see sysctlSet).
// A drop-in endpoint gets the reference plugins' settings instead (see
// Attachment.DropIn).
func endpointSysctls(n *Network, e *Endpoint, name string) []sysctl {
	if e.dropIn() {
		var kv []sysctl
		if e.IPv6.IsValid() {
			kv = append(kv, sysctl{path: "net/ipv6/conf/" + name + "/disable_ipv6", value: "0"},
				sysctl{path: "net/ipv6/conf/" + name + "/keep_addr_on_down", value: "1"})
		}
		return append(kv, sysctl{path: "net/ipv6/conf/" + name + "/ndisc_notify", value: "1", optional: true})
	}
	kv := []sysctl{{path: "net/ipv6/conf/" + name + "/disable_ipv6", value: "1", optional: true}}
	if e.IPv6.IsValid() {
		kv[0] = sysctl{path: "net/ipv6/conf/" + name + "/disable_ipv6", value: "0"}
	}
	if !n.l3() {
		kv = append(kv, sysctl{path: "net/ipv6/conf/" + name + "/ndisc_notify", value: "1", optional: true})
	}
	return kv
}
