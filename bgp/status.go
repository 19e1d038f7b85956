package bgp

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/server"
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

// Status returns the speaker's status.
func (sp *Speaker) Status(ctx context.Context) (Status, error) {
	st := Status{ASN: sp.cfg.ASN, RouterID: sp.cfg.RouterID, Sessions: []Session{}, Announced: sp.Announced()}
	if st.Announced == nil {
		st.Announced = []Route{}
	}
	err := sp.s.ListPeer(ctx, &api.ListPeerRequest{EnableAdvertised: true}, func(p *api.Peer) {
		ses := Session{State: SessionState(p.GetState().GetSessionState())}
		ses.Peer, _ = netip.ParseAddr(p.GetConf().GetNeighborAddress())
		ses.ASN = p.GetConf().GetPeerAsn()
		if ses.State == StateEstablished {
			ses.Since = p.GetTimers().GetState().GetUptime().AsTime()
		}
		for _, f := range p.GetAfiSafis() {
			ses.Advertised += f.GetState().GetAdvertised()
		}
		ses.Reason = disconnectReason(p.GetState().GetDisconnectReason(), p.GetState().GetDisconnectMessage())
		st.Sessions = append(st.Sessions, ses)
	})
	if err != nil {
		return Status{}, fmt.Errorf("list the BGP sessions: %w", err)
	}
	return st, nil
}

// WatchSessions calls fn, from another goroutine, with a peer's session
// each time its state changes, until ctx is done.
func (sp *Speaker) WatchSessions(ctx context.Context, fn func(Session)) error {
	return sp.s.WatchEvent(ctx, server.WatchEventMessageCallbacks{
		OnPeerUpdate: func(ev *apiutil.WatchEventMessage_PeerEvent, at time.Time) {
			if ev.Type != apiutil.PEER_EVENT_STATE {
				return
			}
			st := ev.Peer.State
			ses := Session{Peer: st.NeighborAddress, ASN: st.PeerASN, State: SessionState(st.SessionState + 1)}
			if ses.State == StateEstablished {
				ses.Since = at
			}
			ses.Reason = disconnectReason(st.DisconnectReason, st.DisconnectMessage)
			fn(ses)
		},
	}, server.WatchPeer())
}

// disconnectReason writes why a session went down, as GoBGP names it,
// with the notification's message; empty when it did not.
func disconnectReason(r api.PeerState_DisconnectReason, msg string) string {
	if r == api.PeerState_DISCONNECT_REASON_UNSPECIFIED {
		return ""
	}
	s := strings.ToLower(strings.TrimPrefix(r.String(), "DISCONNECT_REASON_"))
	if msg != "" {
		s += ": " + msg
	}
	return s
}
