package verify

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// This file sets a run up: it finds the links, attaches the counters and
// opens the sockets; and takes it all down again.

// setup finds the links, attaches the counters and opens the sockets.
func (r *runner) setup() error {
	n := r.net
	if n == nil {
		return fmt.Errorf("%w: no network", ErrConfig)
	}
	r.table = r.cfg.Table
	if r.table == nil {
		t, err := expect.For(n)
		if err != nil {
			return err
		}
		r.table = t
	}
	if len(n.Endpoints) == 0 {
		return fmt.Errorf("%w: network %s has no endpoints: connect some first", ErrConfig, n.Name)
	}
	if (r.cfg.Wire == nil) != (r.cfg.WireDev == "") {
		return fmt.Errorf("%w: give both the far side's namespace and its link, or neither", ErrConfig)
	}
	r.res = &Result{
		Network: n.Name, Table: r.table.Name, Semantics: r.table.Semantics, Parent: n.Parent,
		Kernel: kernelRelease(), Copies: r.cfg.Copies, Reflecting: r.cfg.Reflecting,
	}
	r.host, r.wire = r.cfg.Host, r.cfg.Wire
	if err := r.openHost(); err != nil {
		return err
	}
	if err := r.openWire(); err != nil {
		return err
	}
	if err := r.openEndpoints(); err != nil {
		return err
	}
	r.cond = expect.Conditions{Wire: r.wire != nil, Reflecting: r.cfg.Reflecting, VLAN: r.world.vlan}
	if err := r.attachAll(); err != nil {
		return err
	}
	ipv6 := make([]bool, len(r.world.endpoints))
	for i, e := range r.world.endpoints {
		ipv6[i] = e.ipv6
	}
	rs, p4, p6, err := listenAll(r.epNS, ipv6, r.world.token)
	if err != nil {
		return err
	}
	r.receivers, r.world.port4, r.world.port6 = rs, p4, p6
	return nil
}

// openHost finds the parent in the host namespace, and its VLAN id if it
// is a VLAN link.
func (r *runner) openHost() error {
	h, err := links.Open(r.host)
	if err != nil {
		return fmt.Errorf("host network namespace: %w", err)
	}
	defer h.Close()
	p, err := h.Get(r.net.Parent)
	if err != nil {
		return fmt.Errorf("parent %s of network %s: %w", r.net.Parent, r.net.Name, err)
	}
	if v, ok := p.Data.(*rtnl.VLAN); ok && p.Kind == "vlan" && v.ID != nil {
		r.world.vlan = *v.ID
		r.res.VLAN = *v.ID
	}
	return nil
}

// openWire reads the MAC address of the far side, if given.
func (r *runner) openWire() error {
	if r.wire == nil {
		return nil
	}
	h, err := links.Open(r.wire)
	if err != nil {
		return fmt.Errorf("far side's network namespace %s: %w", r.wire, err)
	}
	defer h.Close()
	l, err := h.Get(r.cfg.WireDev)
	if err != nil {
		return fmt.Errorf("far side %s in %s: %w", r.cfg.WireDev, r.wire, err)
	}
	if len(l.MAC) != 6 {
		return fmt.Errorf("%w: far side %s has no Ethernet address", ErrConfig, r.cfg.WireDev)
	}
	r.world.wireMAC = l.MAC
	free := freeAddrs(r.net, 2)
	r.world.wireIP = free[0]
	r.res.Wire = r.wire.String() + "/" + r.cfg.WireDev
	return nil
}

// openEndpoints opens the endpoints' namespaces and reads what the
// probes need of each.
func (r *runner) openEndpoints() error {
	w := &r.world
	w.copies = r.cfg.Copies
	w.token = rand.Uint64()
	w.unknown = freeAddrs(r.net, 2)[1]
	for _, e := range r.net.Endpoints {
		ns, err := netns.OpenPath(e.NetNSPath)
		if err != nil {
			return fmt.Errorf("endpoint %s: %w", e.NetNS, err)
		}
		r.epNS = append(r.epNS, ns)
		mac, err := net.ParseMAC(e.MAC)
		if err != nil || len(mac) != 6 {
			return fmt.Errorf("%w: endpoint %s has no Ethernet address (%q)", ErrConfig, e.NetNS, e.MAC)
		}
		if !e.IPv4.IsValid() {
			return fmt.Errorf("%w: endpoint %s has no IPv4 address", ErrConfig, e.NetNS)
		}
		ipv6, err := hasIPv6(ns, e.IfName)
		if err != nil {
			return fmt.Errorf("endpoint %s: %w", e.NetNS, err)
		}
		w.endpoints = append(w.endpoints, endpoint{name: e.NetNS, ifname: e.IfName, mac: mac, ip: e.IPv4.Addr(), ipv6: ipv6})
		r.res.Endpoints = append(r.res.Endpoints, e.NetNS)
	}
	return nil
}

// hasIPv6 reports whether link ifname in ns has IPv6 enabled.
func hasIPv6(ns *netns.NS, ifname string) (bool, error) {
	var on bool
	err := ns.Do(func() error {
		b, err := os.ReadFile(filepath.Join("/proc/sys/net/ipv6/conf", ifname, "disable_ipv6"))
		if errors.Is(err, os.ErrNotExist) {
			return nil // no IPv6 in this kernel
		}
		if err != nil {
			return err
		}
		on = strings.TrimSpace(string(b)) == "0"
		return nil
	})
	return on, err
}

// attachAll attaches the counters: ingress of every endpoint, ingress
// and egress of the parent, ingress of the far side.
func (r *runner) attachAll() error {
	a := r.cfg.attach
	for i, e := range r.world.endpoints {
		c, err := a(r.epNS[i], e.ifname, bpf.Ingress)
		if err != nil {
			return fmt.Errorf("attach counters to endpoint %s: %w", e.name, err)
		}
		r.hooks.endpoints = append(r.hooks.endpoints, c)
	}
	var err error
	if r.hooks.parentIn, err = a(r.host, r.net.Parent, bpf.Ingress); err != nil {
		return fmt.Errorf("attach counters to parent %s: %w", r.net.Parent, err)
	}
	if r.hooks.parentOut, err = a(r.host, r.net.Parent, bpf.Egress); err != nil {
		return fmt.Errorf("attach counters to parent %s: %w", r.net.Parent, err)
	}
	if r.wire != nil {
		if r.hooks.wire, err = a(r.wire, r.cfg.WireDev, bpf.Ingress); err != nil {
			return fmt.Errorf("attach counters to the far side %s: %w", r.cfg.WireDev, err)
		}
	}
	r.res.Counters = r.hooks.parentIn.mode()
	return nil
}

// close detaches the counters, closes the sockets and the endpoints'
// namespaces.
func (r *runner) close() error {
	err := r.hooks.detach()
	for _, rc := range r.receivers {
		rc.close()
	}
	for _, ns := range r.epNS {
		ns.Close()
	}
	return err
}

// kernelRelease returns uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}
