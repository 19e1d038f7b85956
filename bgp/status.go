package bgp

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// SessionState is a BGP session's finite state machine state (RFC 4271
// section 8.2.2).
type SessionState uint8

// The session states.
const (
	StateUnknown SessionState = iota
	StateIdle
	StateConnect
	StateActive
	StateOpenSent
	StateOpenConfirm
	StateEstablished
)

var stateNames = [...]string{"unknown", "idle", "connect", "active", "opensent", "openconfirm", "established"}

// String returns the state's name as BIRD and GoBGP print it, in lower
// case.
func (s SessionState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("SessionState(%d)", uint8(s))
}

// MarshalText writes the state's name, for JSON.
func (s SessionState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *SessionState) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = SessionState(i)
			return nil
		}
	}
	return fmt.Errorf("unknown BGP session state %q", b)
}

// Session is the state of one peer's session.
type Session struct {
	Peer  netip.Addr   `json:"peer"`
	ASN   uint32       `json:"asn"`
	State SessionState `json:"state"`
	// Since is when the session was established; zero while it is not.
	Since time.Time `json:"since,omitzero"`
	// Advertised is how many prefixes were sent to the peer.
	Advertised uint64 `json:"advertised"`
	// Reason says why the session last went down, if it did.
	Reason string `json:"reason,omitempty"`
}

// Status is what a speaker is doing: its identity, its sessions and the
// routes it announces.
type Status struct {
	ASN       uint32     `json:"asn"`
	RouterID  netip.Addr `json:"router_id"`
	Sessions  []Session  `json:"sessions"`
	Announced []Route    `json:"announced"`
}

// Status returns the speaker's status, its sessions in the order of
// Config.Peers.
func (sp *Speaker) Status(ctx context.Context) (Status, error) {
	st := Status{ASN: sp.cfg.ASN, RouterID: sp.cfg.RouterID, Sessions: []Session{}, Announced: sp.Announced()}
	if st.Announced == nil {
		st.Announced = []Route{}
	}
	for _, p := range sp.peers {
		p.mu.Lock()
		st.Sessions = append(st.Sessions, p.status())
		p.mu.Unlock()
	}
	return st, ctx.Err()
}

// watcher is a WatchSessions call: the changes not yet given to its
// function.
type watcher struct {
	mu    sync.Mutex
	queue []Session
	wake  chan struct{}
}

// WatchSessions calls fn, from another goroutine, with a peer's session
// each time its state or the reason it last went down changes, in
// order, until ctx is done.
func (sp *Speaker) WatchSessions(ctx context.Context, fn func(Session)) error {
	w := &watcher{wake: make(chan struct{}, 1)}
	sp.wmu.Lock()
	sp.watchers[w] = true
	sp.wmu.Unlock()
	go func() {
		defer func() {
			sp.wmu.Lock()
			delete(sp.watchers, w)
			sp.wmu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			}
			w.mu.Lock()
			q := w.queue
			w.queue = nil
			w.mu.Unlock()
			for _, s := range q {
				fn(s)
			}
		}
	}()
	return nil
}

// notify queues st for every watcher.
func (sp *Speaker) notify(st Session) {
	sp.wmu.Lock()
	defer sp.wmu.Unlock()
	for w := range sp.watchers {
		w.mu.Lock()
		w.queue = append(w.queue, st)
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}
