package bgp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"github.com/osrg/gobgp/v4/pkg/server"
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
	cfg Config
	s   *server.BgpServer
	// mu guards announced, the routes handed to GoBGP, by prefix.
	mu        sync.Mutex
	announced map[netip.Prefix]Route
}

// Start starts a speaker with cfg, listening and connecting to its peers
// at once, with nothing announced yet. GoBGP's own log, warnings and
// errors only, goes to logw as slog's text lines; nil discards it.
func Start(ctx context.Context, cfg Config, logw io.Writer) (*Speaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logw == nil {
		logw = io.Discard
	}
	lvl := &slog.LevelVar{}
	lvl.Set(slog.LevelWarn)
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: lvl}))
	s := server.NewBgpServer(server.LoggerOption(log, lvl))
	go s.Serve()
	sp := &Speaker{cfg: cfg, s: s, announced: map[netip.Prefix]Route{}}
	port := cfg.ListenPort
	if port == 0 {
		port = Port
	}
	err := s.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{
		Asn: cfg.ASN, RouterId: cfg.RouterID.String(), ListenPort: port,
	}})
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("start BGP (AS %d, router ID %s, port %d): %w", cfg.ASN, cfg.RouterID, port, err)
	}
	for _, p := range cfg.Peers {
		if err := s.AddPeer(ctx, &api.AddPeerRequest{Peer: apiPeer(p)}); err != nil {
			s.Stop()
			return nil, fmt.Errorf("peer %s (AS %d): %w", p.Addr, p.ASN, err)
		}
	}
	return sp, nil
}

// apiPeer is GoBGP's configuration of p: IPv4 and IPv6 unicast, short
// connect retries and idle hold.
func apiPeer(p Peer) *api.Peer {
	hold := p.HoldTime
	if hold == 0 {
		hold = DefaultHoldTime
	}
	secs := uint64(hold / time.Second)
	fams := []*api.AfiSafi{}
	for _, f := range []*api.Family{
		{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST},
		{Afi: api.Family_AFI_IP6, Safi: api.Family_SAFI_UNICAST},
	} {
		fams = append(fams, &api.AfiSafi{Config: &api.AfiSafiConfig{Family: f, Enabled: true}})
	}
	return &api.Peer{
		// Announce only: what the peer sends is neither kept nor passed
		// on to the other peers.
		ApplyPolicy: &api.ApplyPolicy{ImportPolicy: &api.PolicyAssignment{
			Direction: api.PolicyDirection_POLICY_DIRECTION_IMPORT, DefaultAction: api.RouteAction_ROUTE_ACTION_REJECT,
		}},
		Conf: &api.PeerConf{NeighborAddress: p.Addr.String(), PeerAsn: p.ASN, AuthPassword: p.Password},
		Timers: &api.Timers{Config: &api.TimersConfig{
			HoldTime: secs, KeepaliveInterval: max(secs/3, 1),
			ConnectRetry: uint64(connectRetry / time.Second), IdleHoldTimeAfterReset: uint64(idleHold / time.Second),
		}},
		Transport: &api.Transport{PassiveMode: p.Passive},
		AfiSafis:  fams,
	}
}

// Announce makes routes the announced set: prefixes that are new, or
// whose next hop changed, are announced; prefixes no longer in routes
// are withdrawn. It returns what it announced and withdrew.
func (sp *Speaker) Announce(routes []Route) (added, withdrawn []Route, err error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	want := map[netip.Prefix]Route{}
	for _, r := range routes {
		want[r.Prefix.Masked()] = Route{Prefix: r.Prefix.Masked(), NextHop: r.NextHop}
	}
	for _, p := range sortedPrefixes(sp.announced) {
		if _, ok := want[p]; !ok {
			withdrawn = append(withdrawn, sp.announced[p])
		}
	}
	for _, p := range sortedPrefixes(want) {
		if have, ok := sp.announced[p]; !ok || have != want[p] {
			added = append(added, want[p])
		}
	}
	if len(withdrawn) > 0 {
		paths, err := apiPaths(withdrawn)
		if err != nil {
			return nil, nil, err
		}
		if err := sp.s.DeletePath(apiutil.DeletePathRequest{Paths: paths}); err != nil {
			return nil, nil, fmt.Errorf("withdraw %v: %w", withdrawn, err)
		}
		for _, r := range withdrawn {
			delete(sp.announced, r.Prefix)
		}
	}
	if len(added) > 0 {
		paths, err := apiPaths(added)
		if err != nil {
			return nil, withdrawn, err
		}
		if _, err := sp.s.AddPath(apiutil.AddPathRequest{Paths: paths}); err != nil {
			return nil, withdrawn, fmt.Errorf("announce %v: %w", added, err)
		}
		for _, r := range added {
			sp.announced[r.Prefix] = r
		}
	}
	return added, withdrawn, nil
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

// apiPaths are GoBGP's locally originated paths for routes: origin IGP,
// and the next hop (in MP_REACH_NLRI for IPv6).
func apiPaths(routes []Route) ([]*apiutil.Path, error) {
	var out []*apiutil.Path
	for _, r := range routes {
		if r.Prefix.Addr().Is4() != r.NextHop.Is4() {
			return nil, fmt.Errorf("route %s: the next hop is not of the prefix's family", r)
		}
		nlri, err := gobgp.NewIPAddrPrefix(r.Prefix)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", r, err)
		}
		fam := gobgp.RF_IPv4_UC
		var nh gobgp.PathAttributeInterface
		if r.Prefix.Addr().Is4() {
			nh, err = gobgp.NewPathAttributeNextHop(r.NextHop)
		} else {
			fam = gobgp.RF_IPv6_UC
			nh, err = gobgp.NewPathAttributeMpReachNLRI(fam, []gobgp.PathNLRI{{NLRI: nlri}}, r.NextHop)
		}
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", r, err)
		}
		out = append(out, &apiutil.Path{Family: fam, Nlri: nlri, Attrs: []gobgp.PathAttributeInterface{
			gobgp.NewPathAttributeOrigin(gobgp.BGP_ORIGIN_ATTR_TYPE_IGP), nh,
		}})
	}
	return out, nil
}

// Stop withdraws every announced route, ends the sessions (a CEASE
// notification tells each peer) and stops the speaker.
func (sp *Speaker) Stop(ctx context.Context) error {
	_, _, werr := sp.Announce(nil)
	err := sp.s.StopBgp(ctx, &api.StopBgpRequest{})
	if werr != nil {
		return werr
	}
	return err
}
