package bgp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"slices"
	"sync"
)

// Route is one announced prefix and the next hop routers are to send
// its packets to.
type Route struct {
	Prefix  netip.Prefix `json:"prefix"`
	NextHop netip.Addr   `json:"next_hop"`
}

// String writes the route as "PREFIX via NEXTHOP".
func (r Route) String() string { return r.Prefix.String() + " via " + r.NextHop.String() }

// Speaker is a running BGP speaker. Its methods are safe for concurrent
// use.
type Speaker struct {
	cfg   Config
	logw  io.Writer
	ln    net.Listener
	peers []*peer

	// mu guards announced, the routes announced, by prefix, and
	// sessions, the Established ones, which get every change.
	mu        sync.Mutex
	announced map[netip.Prefix]Route
	sessions  map[*fsm]bool

	// wmu guards watchers.
	wmu      sync.Mutex
	watchers map[*watcher]bool

	stopOnce sync.Once
}

// Start starts a speaker with cfg, listening and connecting to its peers
// at once, with nothing announced yet. What goes wrong outside any
// session, such as a connection from an address that is not a peer's,
// is logged to logw, one line each; nil discards it.
func Start(ctx context.Context, cfg Config, logw io.Writer) (*Speaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logw == nil {
		logw = io.Discard
	}
	sp := &Speaker{cfg: cfg, logw: logw, announced: map[netip.Prefix]Route{}, sessions: map[*fsm]bool{}, watchers: map[*watcher]bool{}}
	if port := cfg.ListenPort; port >= 0 {
		if port == 0 {
			port = Port
		}
		l, err := listen(port, cfg.Peers)
		if err != nil {
			return nil, err
		}
		sp.ln = l
	}
	for _, p := range cfg.Peers {
		sp.peers = append(sp.peers, newPeer(sp, p))
	}
	for _, p := range sp.peers {
		go p.run()
	}
	if sp.ln != nil {
		go sp.accept(sp.ln)
	}
	return sp, nil
}

// peer returns the peer at addr, or nil.
func (sp *Speaker) peer(addr netip.Addr) *peer {
	for _, p := range sp.peers {
		if p.cfg.Addr == addr {
			return p
		}
	}
	return nil
}

func (sp *Speaker) logf(format string, args ...any) {
	fmt.Fprintf(sp.logw, "bgp: "+format+"\n", args...)
}

// Announce makes routes the announced set: prefixes that are new, or
// whose next hop changed, are announced; prefixes no longer in routes
// are withdrawn. It returns what it announced and withdrew. The
// Established sessions get the changes at once, the others the whole
// set when they come up.
func (sp *Speaker) Announce(routes []Route) (added, withdrawn []Route, err error) {
	want := map[netip.Prefix]Route{}
	for _, r := range routes {
		switch {
		case !r.Prefix.IsValid() || !r.NextHop.IsValid():
			return nil, nil, fmt.Errorf("route %s: a route needs a prefix and a next hop", r)
		case r.Prefix.Addr().Is4() != r.NextHop.Is4():
			return nil, nil, fmt.Errorf("route %s: the next hop is not of the prefix's family", r)
		}
		want[r.Prefix.Masked()] = Route{Prefix: r.Prefix.Masked(), NextHop: r.NextHop}
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var changes []Route
	for _, p := range sortedPrefixes(sp.announced) {
		if _, ok := want[p]; !ok {
			withdrawn = append(withdrawn, sp.announced[p])
			changes = append(changes, Route{Prefix: p})
			delete(sp.announced, p)
		}
	}
	for _, p := range sortedPrefixes(want) {
		if have, ok := sp.announced[p]; !ok || have != want[p] {
			added = append(added, want[p])
			changes = append(changes, want[p])
			sp.announced[p] = want[p]
		}
	}
	for s := range sp.sessions {
		s.queue(changes)
	}
	return added, withdrawn, nil
}

// established gives s, which just reached Established, the announced
// set, and from then on every change.
func (sp *Speaker) established(s *fsm) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.sessions[s] = true
	var all []Route
	for _, p := range sortedPrefixes(sp.announced) {
		all = append(all, sp.announced[p])
	}
	s.queue(all)
}

// gone stops giving s the changes.
func (sp *Speaker) gone(s *fsm) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	delete(sp.sessions, s)
}

// Announced returns the announced routes, in prefix order.
func (sp *Speaker) Announced() []Route {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var out []Route
	for _, p := range sortedPrefixes(sp.announced) {
		out = append(out, sp.announced[p])
	}
	return out
}

func sortedPrefixes(m map[netip.Prefix]Route) []netip.Prefix {
	return slices.SortedFunc(maps.Keys(m), comparePrefixes)
}

// comparePrefixes orders IPv4 before IPv6, then by address and length.
func comparePrefixes(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// Stop withdraws every announced route, ends the sessions with a Cease
// (administrative shutdown) once the withdrawals are sent, and stops
// the speaker. When ctx ends first, the connections are closed as they
// are, and the error says so.
func (sp *Speaker) Stop(ctx context.Context) error {
	_, _, err := sp.Announce(nil)
	sp.stopOnce.Do(func() {
		if sp.ln != nil {
			sp.ln.Close()
		}
		for _, p := range sp.peers {
			close(p.stop)
		}
	})
	for _, p := range sp.peers {
		select {
		case <-p.done:
			continue
		case <-ctx.Done():
		}
		err = errors.Join(err, fmt.Errorf("peer %s: the withdrawals and the Cease were not sent in time: %w", p.cfg.Addr, ctx.Err()))
		p.mu.Lock()
		for _, s := range p.sessions {
			s.conn.Close()
		}
		p.mu.Unlock()
		<-p.done
	}
	return err
}
