package bgp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// The tests of this file run a speaker against a router of their own,
// built from GoBGP's wire package, on the loopback: they check the
// session's behaviour message by message, which a real router hides.

// wait bounds every wait of these tests.
const wait = 10 * time.Second

// router is the test's end of one BGP connection.
type router struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

// routerListener listens on the loopback for the speaker's connections.
type routerListener struct {
	t  *testing.T
	ln *net.TCPListener
}

func listenRouter(t *testing.T) *routerListener {
	t.Helper()
	// Plain TCP, as a router's: TCP_MD5SIG fails on Go's default MPTCP.
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := l.(*net.TCPListener)
	t.Cleanup(func() { ln.Close() })
	return &routerListener{t: t, ln: ln}
}

func (l *routerListener) port() uint16 { return uint16(l.ln.Addr().(*net.TCPAddr).Port) }

// accept takes the speaker's next connection.
func (l *routerListener) accept() *router {
	l.t.Helper()
	l.ln.SetDeadline(time.Now().Add(wait))
	c, err := l.ln.Accept()
	if err != nil {
		l.t.Fatalf("the speaker did not connect: %v", err)
	}
	l.t.Cleanup(func() { c.Close() })
	return &router{t: l.t, c: c, r: bufio.NewReader(c)}
}

// dialSpeaker connects to the speaker listening on port.
func dialSpeaker(t *testing.T, port int32) *router {
	t.Helper()
	c, err := net.DialTimeout("tcp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)).String(), wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &router{t: t, c: c, r: bufio.NewReader(c)}
}

// read reads the speaker's next message; io.EOF when it closed.
func (r *router) read() (*gobgp.BGPMessage, error) {
	r.c.SetReadDeadline(time.Now().Add(wait))
	hdr := make([]byte, gobgp.BGP_HEADER_LENGTH)
	if _, err := io.ReadFull(r.r, hdr); err != nil {
		return nil, err
	}
	var h gobgp.BGPHeader
	if err := h.DecodeFromBytes(hdr); err != nil {
		return nil, err
	}
	body := make([]byte, int(h.Len)-len(hdr))
	if _, err := io.ReadFull(r.r, body); err != nil {
		return nil, err
	}
	return gobgp.ParseBGPBody(&h, body)
}

// next is the speaker's next message other than a KEEPALIVE.
func (r *router) next() *gobgp.BGPMessage {
	r.t.Helper()
	for {
		m, err := r.read()
		if err != nil {
			r.t.Fatalf("read from the speaker: %v", err)
		}
		if _, ok := m.Body.(*gobgp.BGPKeepAlive); !ok {
			return m
		}
	}
}

func (r *router) send(m *gobgp.BGPMessage) {
	r.t.Helper()
	b, err := m.Serialize()
	if err != nil {
		r.t.Fatal(err)
	}
	r.sendRaw(b)
}

func (r *router) sendRaw(b []byte) {
	r.t.Helper()
	if _, err := r.c.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

// routerOpen is the router's OPEN: AS, hold time in seconds, identifier,
// both families and four-octet AS numbers.
func routerOpen(t *testing.T, asn uint32, hold uint16, id string) *gobgp.BGPMessage {
	t.Helper()
	m, err := gobgp.NewBGPOpenMessage(uint16(asn), hold, netip.MustParseAddr(id), []gobgp.OptionParameterInterface{
		gobgp.NewOptionParameterCapability([]gobgp.ParameterCapabilityInterface{
			gobgp.NewCapMultiProtocol(gobgp.RF_IPv4_UC), gobgp.NewCapMultiProtocol(gobgp.RF_IPv6_UC), gobgp.NewCapFourOctetASNumber(asn),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// establish reads the speaker's OPEN, answers with the router's (AS
// 65000, hold time hold, identifier 192.0.2.1) and a KEEPALIVE, and
// reads the speaker's KEEPALIVE. It returns the speaker's OPEN.
func (r *router) establish(hold uint16) *gobgp.BGPOpen {
	r.t.Helper()
	m := r.next()
	o, ok := m.Body.(*gobgp.BGPOpen)
	if !ok {
		r.t.Fatalf("the speaker sent a %T first; want an OPEN", m.Body)
	}
	r.send(routerOpen(r.t, 65000, hold, "192.0.2.1"))
	r.send(gobgp.NewBGPKeepAliveMessage())
	if m, err := r.read(); err != nil {
		r.t.Fatal(err)
	} else if _, ok := m.Body.(*gobgp.BGPKeepAlive); !ok {
		r.t.Fatalf("the speaker answered the OPEN with a %T; want a KEEPALIVE", m.Body)
	}
	return o
}

// notification reads up to the speaker's NOTIFICATION, checks its code
// and subcode, and that the speaker closes the connection after it.
func (r *router) notification(code, subcode uint8) {
	r.t.Helper()
	m := r.next()
	n, ok := m.Body.(*gobgp.BGPNotification)
	if !ok {
		r.t.Fatalf("the speaker sent a %T; want a NOTIFICATION %d/%d", m.Body, code, subcode)
	}
	if n.ErrorCode != code || n.ErrorSubcode != subcode {
		r.t.Errorf("the speaker sent %s; want %s", notificationName(n.ErrorCode, n.ErrorSubcode), notificationName(code, subcode))
	}
	// A reset when the router's bytes were left unread.
	if _, err := r.read(); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		r.t.Errorf("after its NOTIFICATION the speaker's connection gave %v; want it closed", err)
	}
}

// updates reads UPDATEs until they have announced and withdrawn n
// prefixes in all, and returns them decoded.
func (r *router) updates(n int) (announced, withdrawn []string) {
	r.t.Helper()
	for len(announced)+len(withdrawn) < n {
		m := r.next()
		if _, ok := m.Body.(*gobgp.BGPUpdate); !ok {
			r.t.Fatalf("the speaker sent a %T; want an UPDATE", m.Body)
		}
		d := decodeUpdate(r.t, m, true)
		for _, p := range d.NLRI {
			announced = append(announced, p+" via "+d.NextHop)
		}
		withdrawn = append(withdrawn, d.Withdrawn...)
	}
	return announced, withdrawn
}

// startSpeaker starts a speaker (AS 65001, identifier 192.0.2.2) with
// peer 127.0.0.1 (AS 65000), stopped when the test ends; the function
// changes the configuration first.
func startSpeaker(t *testing.T, change func(*Config)) *Speaker {
	t.Helper()
	cfg := Config{ASN: 65001, RouterID: netip.MustParseAddr("192.0.2.2"), ListenPort: -1,
		Peers: []Peer{{Addr: netip.MustParseAddr("127.0.0.1"), ASN: 65000, HoldTime: 3 * time.Second}}}
	change(&cfg)
	sp, err := Start(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		sp.Stop(ctx)
	})
	return sp
}

// connectTo makes the speaker connect to l.
func connectTo(l *routerListener) func(*Config) {
	return func(c *Config) { c.Peers[0].Port = l.port() }
}

// watch returns the speaker's session changes.
func watch(t *testing.T, sp *Speaker) <-chan Session {
	ch := make(chan Session, 100)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sp.WatchSessions(ctx, func(s Session) { ch <- s })
	return ch
}

// waitState waits for the session to reach state.
func waitState(t *testing.T, ch <-chan Session, state SessionState) Session {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case s := <-ch:
			if s.State == state {
				return s
			}
		case <-timeout:
			t.Fatalf("the session did not reach %s within %s", state, wait)
		}
	}
}

// waitReason waits for the session to have a reason to have gone down.
func waitReason(t *testing.T, ch <-chan Session) Session {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case s := <-ch:
			if s.Reason != "" {
				return s
			}
		case <-timeout:
			t.Fatalf("the session did not go down within %s", wait)
		}
	}
}

// TestSessionAnnounce: the speaker's OPEN offers the configured hold
// time; once Established the router gets the whole announced set, then
// each change (a withdrawal, an announcement); the router's own UPDATE
// is taken without a word; Stop withdraws everything, then sends a
// Cease (administrative shutdown) and closes.
func TestSessionAnnounce(t *testing.T) {
	l := listenRouter(t)
	sp := startSpeaker(t, connectTo(l))
	states := watch(t, sp)
	if _, _, err := sp.Announce([]Route{route("10.10.0.0/24", "192.0.2.2"), route("2001:db8:10::/64", "2001:db8::2")}); err != nil {
		t.Fatal(err)
	}
	r := l.accept()
	o := r.establish(9)
	if o.MyAS != 65001 || o.HoldTime != 3 || o.ID != netip.MustParseAddr("192.0.2.2") {
		t.Errorf("the speaker's OPEN: AS %d, hold time %d, identifier %s; want 65001, 3, 192.0.2.2", o.MyAS, o.HoldTime, o.ID)
	}
	announced, _ := r.updates(2)
	if want := []string{"10.10.0.0/24 via 192.0.2.2", "2001:db8:10::/64 via 2001:db8::2"}; !slices.Equal(announced, want) {
		t.Errorf("announced %q; want %q", announced, want)
	}
	waitState(t, states, StateEstablished)

	// The router's route is valid and ignored.
	nh, _ := gobgp.NewPathAttributeNextHop(netip.MustParseAddr("127.0.0.1"))
	nlri, _ := gobgp.NewIPAddrPrefix(netip.MustParsePrefix("10.99.0.0/24"))
	r.send(gobgp.NewBGPUpdateMessage(nil, []gobgp.PathAttributeInterface{
		gobgp.NewPathAttributeOrigin(gobgp.BGP_ORIGIN_ATTR_TYPE_IGP),
		gobgp.NewPathAttributeAsPath([]gobgp.AsPathParamInterface{gobgp.NewAs4PathParam(gobgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{65000})}),
		nh,
	}, []gobgp.PathNLRI{{NLRI: nlri}}))

	if _, _, err := sp.Announce([]Route{route("10.20.0.0/24", "192.0.2.3"), route("2001:db8:10::/64", "2001:db8::2")}); err != nil {
		t.Fatal(err)
	}
	announced, withdrawn := r.updates(2)
	if !slices.Equal(announced, []string{"10.20.0.0/24 via 192.0.2.3"}) || !slices.Equal(withdrawn, []string{"10.10.0.0/24"}) {
		t.Errorf("announced %q, withdrew %q; want 10.20.0.0/24 via 192.0.2.3 and 10.10.0.0/24", announced, withdrawn)
	}
	st, err := sp.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Sessions[0]; s.State != StateEstablished || s.Advertised != 2 || s.Since.IsZero() || s.Peer != netip.MustParseAddr("127.0.0.1") || s.ASN != 65000 {
		t.Errorf("status %+v; want 127.0.0.1 AS 65000 established, 2 advertised", s)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- sp.Stop(context.Background()) }()
	_, withdrawn = r.updates(2)
	if want := []string{"10.20.0.0/24", "2001:db8:10::/64"}; !slices.Equal(withdrawn, want) {
		t.Errorf("Stop withdrew %q; want %q", withdrawn, want)
	}
	r.notification(gobgp.BGP_ERROR_CEASE, gobgp.BGP_ERROR_SUB_ADMINISTRATIVE_SHUTDOWN)
	if err := <-stopped; err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// TestSessionErrors: each fault of the router's ends the session with
// the NOTIFICATION RFC 4271 asks for, the status says why, and the
// speaker connects again.
func TestSessionErrors(t *testing.T) {
	header := func(length uint16, typ uint8) []byte {
		b := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, byte(length >> 8), byte(length), typ}
		return b
	}
	for _, tt := range []struct {
		name          string
		open          *gobgp.BGPMessage // instead of the router's; nil to establish
		then          []byte            // sent once Established
		code, subcode uint8
		reason        string
	}{
		{name: "bad peer AS", open: routerOpen(t, 65099, 9, "192.0.2.1"), code: 2, subcode: 2, reason: "bad peer as"},
		{name: "unacceptable hold time", open: routerOpen(t, 65000, 2, "192.0.2.1"), code: 2, subcode: 6, reason: "unacceptable hold time"},
		{name: "hold timer expired", code: 4, subcode: 0, reason: "hold timer expired"},
		{name: "marker not all ones", then: append(make([]byte, 16), 0, 19, 4), code: 1, subcode: 1, reason: "connection not synchronized"},
		{name: "message too long", then: append(header(4097, 2), make([]byte, 4078)...), code: 1, subcode: 2, reason: "bad message length"},
		{name: "KEEPALIVE with a body", then: append(header(20, 4), 0), code: 1, subcode: 2, reason: "bad message length"},
		{name: "unknown message type", then: header(19, 9), code: 1, subcode: 3, reason: "bad message type"},
		{name: "UPDATE's withdrawn routes past its end", then: append(header(23, 2), 0, 9, 0, 0), code: 3, subcode: 1, reason: "malformed attribute list"},
		{name: "OPEN when Established", then: func() []byte { b, _ := routerOpen(t, 65000, 9, "192.0.2.1").Serialize(); return b }(), code: 5, subcode: 3, reason: "established"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := listenRouter(t)
			sp := startSpeaker(t, connectTo(l))
			states := watch(t, sp)
			r := l.accept()
			start := time.Now()
			if tt.open != nil {
				if _, ok := r.next().Body.(*gobgp.BGPOpen); !ok {
					t.Fatal("the speaker's first message is not an OPEN")
				}
				r.send(tt.open)
			} else {
				r.establish(3)
				start = time.Now()
				r.sendRaw(tt.then)
			}
			r.notification(tt.code, tt.subcode)
			if tt.code == gobgp.BGP_ERROR_HOLD_TIMER_EXPIRED {
				if took := time.Since(start); took < 2500*time.Millisecond {
					t.Errorf("the hold timer expired %s after the router's last message; want the hold time, 3s", took)
				}
			}
			l.accept()
			down := waitReason(t, states)
			if !strings.Contains(down.Reason, tt.reason) {
				t.Errorf("the session's reason %q; want it to say %q", down.Reason, tt.reason)
			}
		})
	}
}

// TestSessionCollision: the router and the speaker connect to each
// other at once; each side sends its OPEN on both connections, and the
// speaker keeps the one that the side with the higher BGP identifier
// opened (RFC 4271 section 6.8), ending the other with a Cease
// (connection collision resolution).
func TestSessionCollision(t *testing.T) {
	for _, tt := range []struct {
		routerID     string
		keepSpeakers bool
	}{{"192.0.2.1", true}, {"192.0.2.9", false}} {
		t.Run("router "+tt.routerID, func(t *testing.T) {
			l := listenRouter(t)
			port := freePort(t)
			sp := startSpeaker(t, func(c *Config) {
				connectTo(l)(c)
				c.ListenPort = port
			})
			states := watch(t, sp)
			out := l.accept()
			in := dialSpeaker(t, port)
			for _, r := range []*router{out, in} {
				if _, ok := r.next().Body.(*gobgp.BGPOpen); !ok {
					t.Fatal("the speaker's first message is not an OPEN")
				}
			}
			for _, r := range []*router{out, in} {
				r.send(routerOpen(t, 65000, 9, tt.routerID))
			}
			keep, drop := out, in
			if !tt.keepSpeakers {
				keep, drop = in, out
			}
			drop.notification(gobgp.BGP_ERROR_CEASE, gobgp.BGP_ERROR_SUB_CONNECTION_COLLISION_RESOLUTION)
			if m, err := keep.read(); err != nil || m.Header.Type != gobgp.BGP_MSG_KEEPALIVE {
				t.Fatalf("the connection kept got %v, %v; want a KEEPALIVE", m, err)
			}
			keep.send(gobgp.NewBGPKeepAliveMessage())
			waitState(t, states, StateEstablished)
		})
	}
}

// freePort is a TCP port nothing listens on, for the speaker to.
func freePort(t *testing.T) int32 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return int32(ln.Addr().(*net.TCPAddr).Port)
}
