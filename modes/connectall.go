package modes

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"

	"github.com/vlanraw/vlanraw/links"
)

// ConnectAll connects several namespaces at once, each as Connect would,
// and returns their endpoints in the order of specs. It holds the state
// lock once for all of them: the addresses are planned first, then the
// links are made and configured by several workers at once (each
// namespace has its own rtnetlink socket, so the kernel's work for one
// overlaps the round trips of another), and the records are written in
// one update. It is all or nothing: when any endpoint fails, the links
// made for the others are deleted, nothing is recorded, and the error
// names each namespace that failed.
func (m *Manager) ConnectAll(specs []ConnectSpec) ([]*Endpoint, error) {
	var (
		eps     []*Endpoint
		targets []*targetNS
		nets    []*Network
		names   [][]string
		made    bool
	)
	defer func() {
		for _, t := range targets {
			t.ns.Close()
		}
	}()
	err := m.update(func(r *records) error {
		r.endpointsOnly = true
		plan := newBatchPlan(m, r)
		in := intent{Op: opConnect}
		for _, s := range specs {
			n, t, e, err := plan.add(s)
			if t != nil {
				targets = append(targets, t)
			}
			if err != nil {
				return fmt.Errorf("connect %s to %s: %w", s.NetNS, s.Network, err)
			}
			nets, eps = append(nets, n), append(eps, e)
			names = append(names, candidateNames(e.IfName))
			in.Endpoints = append(in.Endpoints, intentFor(n, e, names[len(names)-1]))
		}
		if err := m.intend(in); err != nil {
			return err
		}
		if err := m.setupAll(nets, eps, targets, names); err != nil {
			return err
		}
		made = true
		for i, e := range eps {
			nets[i].Endpoints = append(nets[i].Endpoints, *e)
		}
		return nil
	})
	if err != nil {
		if made {
			// Made, but not recorded: the state write failed.
			for i, e := range eps {
				err = errors.Join(err, m.deleteEndpointLinks(nets[i], []Endpoint{*e})[0])
			}
		}
		return nil, err
	}
	return eps, nil
}

// batchPlan plans the endpoints of one ConnectAll: the addresses taken
// are gathered once per network, and those the batch hands out are added
// as it goes.
type batchPlan struct {
	m *Manager
	r *records
	// holders are the namespaces found by a scan, once one is needed.
	holders nsHolders
	used    map[*Network]func(netip.Addr) bool
	taken   map[netip.Addr]bool
	// inodes are the namespaces planned per network, to refuse one
	// namespace twice.
	inodes map[*Network]map[uint64]bool
}

func newBatchPlan(m *Manager, r *records) *batchPlan {
	return &batchPlan{m: m, r: r, used: map[*Network]func(netip.Addr) bool{}, taken: map[netip.Addr]bool{},
		inodes: map[*Network]map[uint64]bool{}}
}

// add plans the endpoint of s. The namespace it returns is open, also
// when err is not nil.
func (p *batchPlan) add(s ConnectSpec) (*Network, *targetNS, *Endpoint, error) {
	n, err := p.r.find(s.Network)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := openNetNS(s.NetNS)
	if err != nil {
		return nil, nil, nil, err
	}
	if p.inodes[n] == nil {
		if err := p.m.forgetReplaced(n, t, &p.holders); err != nil {
			return n, t, nil, err
		}
		p.inodes[n] = map[uint64]bool{}
		for _, e := range n.Endpoints {
			if e.NetNSDev == 0 || e.NetNSDev == t.id.Dev {
				p.inodes[n][e.NetNSInode] = true
			}
		}
	}
	if p.inodes[n][t.id.Inode] {
		return n, t, nil, conflictf("network namespace %s is already connected to network %s", s.NetNS, n.Name)
	}
	if n.Driver == MACVlan && n.MACVlanMode == ModePassthru && len(p.inodes[n]) > 0 {
		return n, t, nil, conflictf("macvlan network %s is in mode passthru and has an endpoint already: a passthru parent carries one link only", n.Name)
	}
	base, ok := p.used[n]
	if !ok {
		base = usedAddrs(p.r, n)
		p.used[n] = base
	}
	used := func(a netip.Addr) bool { return p.taken[a.Unmap()] || base(a) }
	e, err := planEndpoint(n, s, used)
	if errors.Is(err, ErrConflict) {
		// Addresses held by endpoints whose namespace is gone are free.
		released, rerr := p.m.releaseGone(p.r, wantedAddrs(s), &p.holders)
		if rerr != nil {
			return n, t, nil, errors.Join(err, rerr)
		}
		if released > 0 {
			clear(p.used)
			base = usedAddrs(p.r, n)
			p.used[n] = base
			e, err = planEndpoint(n, s, used)
		}
		if err != nil {
			err = holderError(p.r, s, err)
		}
	}
	if err != nil {
		return n, t, nil, err
	}
	if err := checkMAC(p.r, n, s.MAC, e.MAC); err != nil {
		return n, t, nil, err
	}
	e.NetNS, e.NetNSPath, e.NetNSDev, e.NetNSInode = s.NetNS, t.path, t.id.Dev, t.id.Inode
	p.inodes[n][t.id.Inode] = true
	for _, a := range []netip.Prefix{e.IPv4, e.IPv6} {
		if a.IsValid() {
			p.taken[a.Addr()] = true
		}
	}
	return n, t, e, nil
}

// setupAll makes and configures the links of eps[i] (of nets[i], in
// targets[i]), running each step of endpointLink for all of them before
// the next: make and finish with up to 4 workers per CPU, setSysctls in
// one goroutine, while no other request of the batch holds the RTNL lock
// (see endpointLink). make opens the sysctl directories through private
// procfs instances (see openPrivateProc). When any fails, the links made
// are deleted again.
func (m *Manager) setupAll(nets []*Network, eps []*Endpoint, targets []*targetNS, names [][]string) error {
	ls := make([]*endpointLink, len(eps))
	procs := privateProcs(len(eps))
	defer closeFiles(procs)
	for i := range eps {
		ls[i] = &endpointLink{n: nets[i], e: eps[i], t: targets[i], names: names[i], stamp: m.stampFor(nets[i], eps[i])}
		if procs != nil {
			ls[i].proc = procs[i/namespacesPerProc]
		}
	}
	defer func() {
		for _, l := range ls {
			l.close()
		}
	}()
	errs := make([]error, len(ls))
	err := m.eachLink(ls, errs, 4*runtime.GOMAXPROCS(0), (*endpointLink).make)
	if err == nil {
		err = m.eachLink(ls, errs, 1, func(l *endpointLink, _ *links.Handle) error { return l.setSysctls() })
	}
	if err == nil {
		err = m.eachLink(ls, errs, 4*runtime.GOMAXPROCS(0), (*endpointLink).finish)
	}
	if err == nil {
		return nil
	}
	undo := make([]error, len(ls))
	inParallel(len(ls), maxParallel, func(i int) {
		if err := ls[i].undo(nil); err != nil {
			undo[i] = err
		}
	})
	return errors.Join(err, errors.Join(undo...))
}

// eachLink runs step for every link of ls with up to workers goroutines,
// each with its own handle in the host namespace, setting errs. It returns
// the errors joined, each naming its endpoint, or nil.
func (m *Manager) eachLink(ls []*endpointLink, errs []error, workers int, step func(*endpointLink, *links.Handle) error) error {
	hosts := make(chan *links.Handle, workers)
	var herr error
	for range min(workers, len(ls)) {
		h, err := m.hostHandle()
		if err != nil {
			herr = err
			break
		}
		hosts <- h
	}
	defer func() {
		close(hosts)
		for h := range hosts {
			h.Close()
		}
	}()
	if herr != nil {
		return herr
	}
	inParallel(len(ls), workers, func(i int) {
		h := <-hosts
		errs[i] = step(ls[i], h)
		hosts <- h
	})
	var failed []error
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Errorf("connect %s to %s: %w", ls[i].e.NetNS, ls[i].n.Name, err))
		}
	}
	return errors.Join(failed...)
}
