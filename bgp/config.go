package bgp

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/vlanraw/vlanraw/errdefs"
)

// Port is BGP's TCP port.
const Port = 179

// Config is a Speaker's configuration.
type Config struct {
	// ASN is the local autonomous system number, 1 to 4294967295
	// (four-octet AS numbers, RFC 6793).
	ASN uint32
	// RouterID is the BGP identifier: an IPv4 address.
	RouterID netip.Addr
	// ListenPort is the TCP port to accept sessions on; 0 is Port, and
	// -1 accepts none (every peer is then connected out to).
	ListenPort int32
	// Peers are the neighbours to announce to.
	Peers []Peer
}

// Peer is one BGP neighbour.
type Peer struct {
	// Addr is the neighbour's address.
	Addr netip.Addr
	// ASN is the neighbour's autonomous system number; a session with
	// the local ASN is iBGP, any other eBGP.
	ASN uint32
	// HoldTime is the hold time offered in the OPEN message, whole
	// seconds from 3 s; zero is DefaultHoldTime.
	// Keepalives go every third of the negotiated hold time.
	HoldTime time.Duration
	// Passive waits for the neighbour to connect, never connecting out.
	Passive bool
	// Password is the TCP MD5 signature key (RFC 2385) the neighbour
	// uses; empty for none.
	Password string
	// Port is the neighbour's TCP port to connect to; zero is Port.
	Port uint16
}

// DefaultHoldTime is the hold time of a peer whose HoldTime is zero,
// RFC 4271's suggestion and GoBGP's default (BIRD offers 240 s, FRR 180 s).
const DefaultHoldTime = 90 * time.Second

// connectRetryMin and connectRetryMax bound the wait before the speaker
// connects out again after a failed attempt or a session that went
// down: it starts at the least and doubles up to the most, and a
// session that reached Established starts it over. They are short (RFC
// 4271 suggests 120 s) so that a session is up within seconds when the
// router starts after the speaker, or after a collision or a restart.
const (
	connectRetryMin = 1 * time.Second
	connectRetryMax = 5 * time.Second
)

// dialTimeout bounds one attempt to connect out; the listener takes the
// peer's own connections meanwhile.
const dialTimeout = 5 * time.Second

// openHold is the hold timer of a session that has sent its OPEN and
// waits for the peer's: the large value RFC 4271 section 8.2.2 suggests.
const openHold = 4 * time.Minute

// Validate checks the configuration, with errors matching
// errdefs.ErrInvalid that say what to change.
func (c *Config) Validate() error {
	switch {
	case c.ASN == 0:
		return fmt.Errorf("%w: AS 0 is reserved (RFC 7607): give an AS number from 1 to 4294967295", errdefs.ErrInvalid)
	case !c.RouterID.Is4():
		return fmt.Errorf("%w: router ID %v is not an IPv4 address: BGP identifiers are 32 bits (RFC 4271)", errdefs.ErrInvalid, c.RouterID)
	case len(c.Peers) == 0:
		return fmt.Errorf("%w: no peer: give at least one neighbour address and its AS", errdefs.ErrInvalid)
	}
	seen := map[netip.Addr]bool{}
	if c.ListenPort < 0 {
		for _, p := range c.Peers {
			if p.Passive {
				return fmt.Errorf("%w: peer %s is passive and no port is listened on: let the speaker connect, or listen", errdefs.ErrInvalid, p.Addr)
			}
		}
	}
	for _, p := range c.Peers {
		switch {
		case !p.Addr.IsValid():
			return fmt.Errorf("%w: a peer has no address", errdefs.ErrInvalid)
		case seen[p.Addr]:
			return fmt.Errorf("%w: peer %s is given twice: give each neighbour once", errdefs.ErrInvalid, p.Addr)
		case p.ASN == 0:
			return fmt.Errorf("%w: peer %s: AS 0 is reserved (RFC 7607): give an AS number from 1 to 4294967295", errdefs.ErrInvalid, p.Addr)
		case p.HoldTime != 0 && p.HoldTime < 3*time.Second:
			return fmt.Errorf("%w: peer %s: hold time %s is below 3s, the least BGP allows (RFC 4271)", errdefs.ErrInvalid, p.Addr, p.HoldTime)
		case p.HoldTime%time.Second != 0:
			return fmt.Errorf("%w: peer %s: hold time %s is not whole seconds", errdefs.ErrInvalid, p.Addr, p.HoldTime)
		case len(p.Password) > 80:
			return fmt.Errorf("%w: peer %s: the MD5 password is %d bytes, the kernel takes at most 80 (TCP_MD5SIG_MAXKEYLEN)", errdefs.ErrInvalid, p.Addr, len(p.Password))
		}
		seen[p.Addr] = true
	}
	return nil
}
