package bgp

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// peer is one neighbour: its goroutine connects out (unless passive),
// takes the connections the listener accepts from it, and runs a
// session on each until one is Established, resolving collisions.
type peer struct {
	sp       *Speaker
	cfg      Peer
	incoming chan net.Conn
	ended    chan *fsm
	stop     chan struct{}
	done     chan struct{}

	// mu guards the fields below, and each session's state.
	mu       sync.Mutex
	sessions []*fsm
	// idle is the state while no session runs: Idle, Connect or Active.
	idle   SessionState
	reason string
	last   Session // as last told to the watchers
}

func newPeer(sp *Speaker, cfg Peer) *peer {
	return &peer{
		sp: sp, cfg: cfg, idle: StateIdle,
		incoming: make(chan net.Conn), ended: make(chan *fsm), stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// hold is the hold time the speaker offers the peer.
func (p *peer) hold() time.Duration {
	if p.cfg.HoldTime == 0 {
		return DefaultHoldTime
	}
	return p.cfg.HoldTime
}

type dialed struct {
	conn net.Conn
	err  error
}

// run is the peer's goroutine, until stop is closed and every session
// has ended.
func (p *peer) run() {
	defer close(p.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := connectRetryMin
	dials := make(chan dialed, 1)
	dialing := false
	var retry <-chan time.Time
	connect := func() {
		if p.cfg.Passive || dialing || p.count() > 0 {
			return
		}
		dialing = true
		p.setIdle(StateConnect, "")
		go func() {
			c, err := dial(ctx, p.cfg)
			dials <- dialed{c, err}
		}()
	}
	later := func() {
		retry = time.After(wait)
		wait = min(2*wait, connectRetryMax)
	}
	if p.cfg.Passive {
		p.setIdle(StateActive, "")
	} else {
		connect()
	}
	for {
		select {
		case <-p.stop:
			cancel()
			p.shutdown(dialing, dials)
			return
		case c := <-p.incoming:
			p.start(c, false)
		case <-retry:
			retry = nil
			connect()
		case d := <-dials:
			dialing = false
			if d.err != nil {
				p.setIdle(StateActive, fmt.Sprintf("connect: %v", d.err))
				later()
				continue
			}
			p.start(d.conn, true)
		case s := <-p.ended:
			if p.remove(s) {
				wait = connectRetryMin
			}
			if p.count() == 0 && !p.cfg.Passive {
				later()
			}
		}
	}
}

// start runs a session on c.
func (p *peer) start(c net.Conn, outgoing bool) {
	s := newFSM(p, c, outgoing)
	p.mu.Lock()
	p.sessions = append(p.sessions, s)
	p.report()
	p.mu.Unlock()
	go s.run()
}

// count is the number of sessions running.
func (p *peer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sessions)
}

// remove forgets s, which ended, keeping why if it was the peer's
// session, and says whether it had been Established.
func (p *peer) remove(s *fsm) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	was := s.state == StateEstablished
	for i, o := range p.sessions {
		if o == s {
			p.sessions = append(p.sessions[:i], p.sessions[i+1:]...)
			break
		}
	}
	if was || len(p.sessions) == 0 {
		p.reason = s.reason
	}
	if len(p.sessions) == 0 {
		p.idle = StateIdle
		if p.cfg.Passive {
			p.idle = StateActive
		}
	}
	p.report()
	return was
}

// setState moves s to state.
func (p *peer) setState(s *fsm, state SessionState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.state = state
	if state == StateEstablished {
		s.since = time.Now()
	}
	p.report()
}

// setIdle sets the state the peer is in while no session runs, and
// why, if a connection failed.
func (p *peer) setIdle(state SessionState, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle = state
	if reason != "" {
		p.reason = reason
	}
	p.report()
}

// collide resolves the collision of s, which received the peer's OPEN
// with identifier remoteID, with the peer's other sessions (RFC 4271
// section 6.8): an Established one stays and s ends; otherwise the
// connection the side with the higher BGP identifier opened stays (on
// equal identifiers, eBGP only, the higher AS's, RFC 6286), and the
// other ends with a Cease (connection collision resolution). It returns
// the error that ends s, if s is the one to end.
func (p *peer) collide(s *fsm, remoteID netip.Addr) error {
	cease := gobgp.NewMessageError(gobgp.BGP_ERROR_CEASE, gobgp.BGP_ERROR_SUB_CONNECTION_COLLISION_RESOLUTION, nil, "")
	local := p.sp.cfg.RouterID
	keepOutgoing := local.Compare(remoteID) > 0 || local == remoteID && p.sp.cfg.ASN > p.cfg.ASN
	var losers []*fsm
	p.mu.Lock()
	for _, o := range p.sessions {
		switch {
		case o == s || o.state < StateOpenSent:
		case o.state == StateEstablished:
			p.mu.Unlock()
			return cease
		case s.outgoing == keepOutgoing:
			losers = append(losers, o)
		default:
			p.mu.Unlock()
			return cease
		}
	}
	p.mu.Unlock()
	for _, o := range losers {
		o.end(cease)
	}
	return nil
}

// shutdown ends every session with a Cease once its pending withdrawals
// are sent, and waits for them, and for a connection being opened.
func (p *peer) shutdown(dialing bool, dials <-chan dialed) {
	p.mu.Lock()
	sessions := append([]*fsm(nil), p.sessions...)
	p.mu.Unlock()
	for _, s := range sessions {
		s.shutdown()
	}
	for range sessions {
		p.remove(<-p.ended)
	}
	if dialing {
		if d := <-dials; d.err == nil {
			d.conn.Close()
		}
	}
	for {
		select {
		case c := <-p.incoming:
			c.Close()
		default:
			return
		}
	}
}

// status is the peer's session as Status shows it: the most advanced
// of its sessions.
func (p *peer) status() Session {
	st := Session{Peer: p.cfg.Addr, ASN: p.cfg.ASN, State: p.idle, Reason: p.reason}
	for i, s := range p.sessions {
		if i == 0 || s.state > st.State {
			st.State = s.state
		}
		if s.state == StateEstablished {
			st.Since = s.since
			st.Advertised = uint64(s.advertised.Load())
		}
	}
	return st
}

// report tells the watchers of the peer's session if its state or
// reason changed; p.mu is held.
func (p *peer) report() {
	st := p.status()
	if st.State == p.last.State && st.Reason == p.last.Reason {
		return
	}
	p.last = st
	p.sp.notify(st)
}
