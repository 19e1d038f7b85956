package bgp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/vlanraw/vlanraw/bgp"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/state"
)

// stopTimeout bounds the withdrawal and the notifications to the peers
// when the speaker stops.
const stopTimeout = 5 * time.Second

// runRun runs `vlanraw bgp run`: it checks its words and the networks
// they name, starts the speaker, announces, and follows the state
// directory and the host's addresses until a signal, when it withdraws
// everything.
func runRun(e *cli.Env, args []string) error {
	o, err := parseRun(args)
	if err != nil {
		return err
	}
	if e.NetNS != "" {
		// The speaker's sockets are the process's: they cannot be put in
		// another namespace as a netlink handle can.
		return cli.Usagef("bgp run -n %s: the speaker listens and connects in its own network namespace: run it there instead, as in \"vlanraw netns exec %s vlanraw bgp run ...\"", e.NetNS, e.NetNS)
	}
	dir := state.Dir(e.StateDir)
	m, err := manager(e, dir)
	if err != nil {
		return err
	}
	defer m.Close()
	ctx := e.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	// Watch before the first look, so that no change made in between
	// goes unnoticed.
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	changes, err := m.Watch(wctx)
	if err != nil {
		return err
	}
	ups, missing, err := m.Announced(o.networks)
	switch {
	case err != nil:
		return err
	case len(missing) > 0:
		return cli.Usagef("bgp run: --network %s: no such network in %s (see vlanraw network ls)", missing[0], dir)
	}
	if !o.cfg.RouterID.IsValid() {
		if o.cfg.RouterID, err = defaultRouterID(ups); err != nil {
			return err
		}
	}
	if err := o.cfg.Validate(); err != nil {
		return err
	}
	sock, err := listenStatus(ctx, dir)
	if err != nil {
		return err
	}
	defer os.Remove(sock.Addr().String())
	defer sock.Close()
	sp, err := bgp.Start(ctx, o.cfg, e.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "vlanraw bgp: AS %d, router ID %s, %d peer(s); status on %s\n", o.cfg.ASN, o.cfg.RouterID, len(o.cfg.Peers), sock.Addr())
	go bgp.ServeStatus(sock, sp)
	err = sp.WatchSessions(ctx, func(s bgp.Session) {
		line := fmt.Sprintf("vlanraw bgp: session with %s (AS %d): %s", s.Peer, s.ASN, s.State)
		if s.Reason != "" && s.State != bgp.StateEstablished {
			line += " (" + s.Reason + ")"
		}
		fmt.Fprintln(e.Stderr, line)
	})
	if err == nil {
		err = follow(ctx, e, m, o.networks, sp, ups, changes)
	}
	sctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	withdrawn := sp.Announced()
	if serr := sp.Stop(sctx); serr != nil {
		return errors.Join(err, serr)
	}
	fmt.Fprintf(e.Stderr, "vlanraw bgp: stopped; withdrew %d prefix(es)\n", len(withdrawn))
	return err
}

// follow announces ups, then what Announced says after each change,
// until ctx is done (nil) or watching fails.
func follow(ctx context.Context, e *cli.Env, m *modes.Manager, networks []string, sp *bgp.Speaker, ups []*modes.Upstream, changes <-chan error) error {
	var notes []string
	for {
		added, withdrawn, err := sp.Announce(routes(ups))
		if err != nil {
			return err
		}
		for _, r := range withdrawn {
			fmt.Fprintf(e.Stderr, "vlanraw bgp: withdrew %s\n", r)
		}
		for _, r := range added {
			fmt.Fprintf(e.Stderr, "vlanraw bgp: announced %s\n", r)
		}
		var now []string
		for _, u := range ups {
			for _, n := range u.Notes {
				now = append(now, fmt.Sprintf("network %s: %s", u.Network, n))
			}
		}
		for _, n := range now {
			if !slices.Contains(notes, n) {
				fmt.Fprintf(e.Stderr, "vlanraw bgp: %s\n", n)
			}
		}
		notes = now
		for {
			select {
			case <-ctx.Done():
				return nil
			case err, ok := <-changes:
				if !ok {
					return nil
				}
				if err != nil {
					return err
				}
			}
			var missing []string
			ups, missing, err = m.Announced(networks)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				// Such as a named network recreated as l2: keep what is
				// announced, say why, and wait for the next change.
				fmt.Fprintf(e.Stderr, "vlanraw bgp: %v\n", err)
				continue
			}
			for _, name := range missing {
				fmt.Fprintf(e.Stderr, "vlanraw bgp: network %s is gone\n", name)
			}
			break
		}
	}
}

// routes are the routes of ups: each subnet via the parent's address.
func routes(ups []*modes.Upstream) []bgp.Route {
	var out []bgp.Route
	for _, u := range ups {
		for _, r := range u.Routes {
			out = append(out, bgp.Route{Prefix: r.Dst, NextHop: r.Via})
		}
	}
	return out
}

// defaultRouterID is the first parent's IPv4 address.
func defaultRouterID(ups []*modes.Upstream) (netip.Addr, error) {
	for _, u := range ups {
		if u.ParentIPv4.IsValid() {
			return u.ParentIPv4.Addr(), nil
		}
	}
	return netip.Addr{}, cli.Usagef("bgp run: no parent of an announced network has an IPv4 address to be the router ID: give one with --router-id")
}

// listenStatus listens on the status socket of the state directory dir,
// refusing when a speaker answers there already.
func listenStatus(ctx context.Context, dir string) (net.Listener, error) {
	path := bgp.SocketPath(dir)
	var d net.Dialer
	if c, err := d.DialContext(ctx, "unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("a BGP speaker already runs for state directory %s (its status socket %s answers): stop it first, or give this one another --state-dir", dir, path)
	}
	os.Remove(path) // a stale socket of a speaker that was killed
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("status socket: %w", err)
	}
	return l, nil
}

// manager opens the record of networks in dir, with the parents in the
// namespace given with -n.
func manager(e *cli.Env, dir string) (*modes.Manager, error) {
	host, err := cli.OpenNetNS(e.NetNS)
	if err != nil {
		return nil, err
	}
	m, err := modes.NewManagerIn(dir, host)
	if err != nil {
		return nil, err
	}
	if e.Ctx != nil {
		m.SetContext(e.Ctx)
	}
	m.SetLockWait(e.Wait, nil)
	return m, nil
}
