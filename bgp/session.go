package bgp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// writeTimeout bounds the write of one batch of messages: a peer that
// takes nothing for that long is as good as gone.
const writeTimeout = 30 * time.Second

// notifyTimeout bounds the write of the NOTIFICATION that ends a session.
const notifyTimeout = 2 * time.Second

// fsm is one TCP connection to a peer and its BGP finite state machine
// from OpenSent on (RFC 4271 section 8): the goroutine of run reads and
// answers the peer's messages, that of write sends keepalives, the
// announced routes and their withdrawals.
type fsm struct {
	p        *peer
	conn     net.Conn
	r        *bufio.Reader
	outgoing bool // the speaker connected out; false when the peer did

	// state is guarded by p.mu.
	state SessionState
	since time.Time

	neg        atomic.Pointer[negotiated]
	holdSet    chan time.Duration // the negotiated hold time, to write
	kick       chan struct{}      // pending has changes
	stopping   chan struct{}      // closed by shutdown
	stopOnce   sync.Once
	closed     chan struct{} // closed with conn
	endOnce    sync.Once
	writerDone chan struct{}
	wmu        sync.Mutex // serialises writes to conn
	reason     string     // why it ended, set once by end

	// pmu guards pending: the changes not yet sent, by prefix; a route
	// without next hop is a withdrawal.
	pmu     sync.Mutex
	pending map[netip.Prefix]Route
	// sent are the prefixes the peer holds, the writer's alone.
	sent       map[netip.Prefix]bool
	advertised atomic.Int64
}

func newFSM(p *peer, c net.Conn, outgoing bool) *fsm {
	return &fsm{
		p: p, conn: c, r: bufio.NewReader(c), outgoing: outgoing, state: StateConnect,
		holdSet: make(chan time.Duration, 1), kick: make(chan struct{}, 1), stopping: make(chan struct{}),
		closed: make(chan struct{}), writerDone: make(chan struct{}),
		pending: map[netip.Prefix]Route{}, sent: map[netip.Prefix]bool{},
	}
}

// run runs the session until it ends, then tells the peer.
func (s *fsm) run() {
	go s.write()
	err := s.serve()
	s.end(err)
	<-s.writerDone
	s.p.ended <- s
}

// serve exchanges OPEN and KEEPALIVE messages, then reads the peer's
// messages while Established, until an error ends the session.
func (s *fsm) serve() error {
	sp := s.p.sp
	open, err := openMessage(sp.cfg.ASN, s.p.hold(), sp.cfg.RouterID)
	if err != nil {
		return err
	}
	if err := s.send(open); err != nil {
		return err
	}
	s.p.setState(s, StateOpenSent)
	m, err := s.read(openHold)
	if err != nil {
		return err
	}
	o, ok := m.Body.(*gobgp.BGPOpen)
	if !ok {
		return unexpected(m, StateOpenSent)
	}
	neg, err := checkOpen(o, s.p.cfg, sp.cfg.ASN, sp.cfg.RouterID, s.p.hold())
	if err != nil {
		return err
	}
	s.neg.Store(&neg)
	if err := s.p.collide(s, neg.id); err != nil {
		return err
	}
	if err := s.send(gobgp.NewBGPKeepAliveMessage()); err != nil {
		return err
	}
	s.holdSet <- neg.hold
	s.p.setState(s, StateOpenConfirm)
	if m, err = s.read(neg.hold); err != nil {
		return err
	}
	if _, ok := m.Body.(*gobgp.BGPKeepAlive); !ok {
		return unexpected(m, StateOpenConfirm)
	}
	s.p.setState(s, StateEstablished)
	sp.established(s)
	defer sp.gone(s)
	for {
		m, err := s.read(neg.hold)
		if err != nil {
			return err
		}
		switch b := m.Body.(type) {
		case *gobgp.BGPKeepAlive, *gobgp.BGPRouteRefresh:
			// Nothing is learnt, so nothing is refreshed either.
		case *gobgp.BGPUpdate:
			if err := checkUpdate(b, neg, s.p.cfg.ASN != sp.cfg.ASN); err != nil {
				return err
			}
		default:
			return unexpected(m, StateEstablished)
		}
	}
}

// read reads one message, with hold as the hold timer (none when zero).
// A NOTIFICATION is returned as a *received error, a malformed message
// as a *gobgp.MessageError to send back.
func (s *fsm) read(hold time.Duration) (*gobgp.BGPMessage, error) {
	var dl time.Time
	if hold > 0 {
		dl = time.Now().Add(hold)
	}
	s.conn.SetReadDeadline(dl)
	var hdr [gobgp.BGP_HEADER_LENGTH]byte
	if _, err := io.ReadFull(s.r, hdr[:]); err != nil {
		return nil, readError(err)
	}
	var h gobgp.BGPHeader
	if err := h.DecodeFromBytes(hdr[:]); err != nil {
		return nil, err
	}
	if h.Len > gobgp.BGP_MAX_MESSAGE_LENGTH || h.Type == gobgp.BGP_MSG_KEEPALIVE && h.Len != gobgp.BGP_HEADER_LENGTH {
		return nil, gobgp.NewMessageError(gobgp.BGP_ERROR_MESSAGE_HEADER_ERROR, gobgp.BGP_ERROR_SUB_BAD_MESSAGE_LENGTH, hdr[16:18],
			fmt.Sprintf("a message of type %d and %d bytes", h.Type, h.Len))
	}
	body := make([]byte, int(h.Len)-gobgp.BGP_HEADER_LENGTH)
	if _, err := io.ReadFull(s.r, body); err != nil {
		return nil, readError(err)
	}
	// A peer without four-octet AS numbers writes its AS_PATHs in two.
	var opts []*gobgp.MarshallingOption
	if n := s.neg.Load(); n != nil && !n.as4 {
		opts = append(opts, &gobgp.MarshallingOption{Use2ByteAS: true})
	}
	m, err := gobgp.ParseBGPBody(&h, body, opts...)
	var me *gobgp.MessageError
	if err != nil && (h.Type != gobgp.BGP_MSG_UPDATE || !errors.As(err, &me) || me.ErrorHandling == gobgp.ERROR_HANDLING_SESSION_RESET) {
		return nil, err
	}
	// Errors that RFC 7606 handles by discarding an attribute or
	// treating the routes as withdrawn do not end the session: the
	// speaker takes no route anyway.
	if n, ok := m.Body.(*gobgp.BGPNotification); ok {
		return nil, &received{code: n.ErrorCode, subcode: n.ErrorSubcode, data: n.Data}
	}
	return m, nil
}

// readError names a failed read: the hold timer's expiry, or the
// connection's end.
func readError(err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return gobgp.NewMessageError(gobgp.BGP_ERROR_HOLD_TIMER_EXPIRED, 0, nil, "no message from the peer within the hold time")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the peer closed the connection")
	}
	return err
}

// checkUpdate checks a received UPDATE as RFC 4271 and RFC 7606 ask,
// returning only the errors that reset the session.
func checkUpdate(u *gobgp.BGPUpdate, neg negotiated, ebgp bool) error {
	_, err := gobgp.ValidateUpdateMsg(u, neg.families, ebgp, false, false)
	var me *gobgp.MessageError
	if errors.As(err, &me) && me.ErrorHandling == gobgp.ERROR_HANDLING_SESSION_RESET && me.TypeCode != 0 {
		return err
	}
	// Routes of a family not negotiated (GoBGP's code 0) are ignored
	// like every other route.
	return nil
}

// unexpected is the finite state machine error of receiving m in state
// (RFC 6608).
func unexpected(m *gobgp.BGPMessage, state SessionState) error {
	sub := map[SessionState]uint8{
		StateOpenSent:    gobgp.BGP_ERROR_SUB_RECEIVE_UNEXPECTED_MESSAGE_IN_OPENSENT_STATE,
		StateOpenConfirm: gobgp.BGP_ERROR_SUB_RECEIVE_UNEXPECTED_MESSAGE_IN_OPENCONFIRM_STATE,
		StateEstablished: gobgp.BGP_ERROR_SUB_RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE,
	}[state]
	return gobgp.NewMessageError(gobgp.BGP_ERROR_FSM_ERROR, sub, nil, fmt.Sprintf("a message of type %d in state %s", m.Header.Type, state))
}

// received is a NOTIFICATION the peer sent.
type received struct {
	code, subcode uint8
	data          []byte
}

func (r *received) Error() string {
	s := "the peer sent " + notificationName(r.code, r.subcode)
	// An administrative shutdown or reset may carry a message (RFC 9003).
	if r.code == gobgp.BGP_ERROR_CEASE && len(r.data) > 1 && int(r.data[0]) == len(r.data)-1 {
		s += fmt.Sprintf(": %q", r.data[1:])
	}
	return s
}

// notificationName names a NOTIFICATION's code and subcode.
func notificationName(code, subcode uint8) string {
	return "NOTIFICATION " + gobgp.NewNotificationErrorCode(code, subcode).String()
}

// send writes msgs to the peer.
func (s *fsm) send(msgs ...*gobgp.BGPMessage) error {
	var buf []byte
	for _, m := range msgs {
		b, err := m.Serialize()
		if err != nil {
			return err
		}
		buf = append(buf, b...)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := s.conn.Write(buf)
	return err
}

// end ends the session for err, once: a *gobgp.MessageError goes to the
// peer as a NOTIFICATION first. The connection is closed.
func (s *fsm) end(err error) {
	s.endOnce.Do(func() {
		var me *gobgp.MessageError
		if errors.As(err, &me) {
			s.reason = "sent " + notificationName(me.TypeCode, me.SubTypeCode) + ": " + me.Message
			if me.TypeCode == gobgp.BGP_ERROR_CEASE && me.Message == "" {
				s.reason = "sent " + notificationName(me.TypeCode, me.SubTypeCode)
			}
			// A writer blocked on a peer that takes nothing gives the
			// lock up at this deadline.
			s.conn.SetWriteDeadline(time.Now().Add(notifyTimeout))
			s.wmu.Lock()
			if b, serr := gobgp.NewBGPNotificationMessage(me.TypeCode, me.SubTypeCode, me.Data).Serialize(); serr == nil {
				s.conn.SetWriteDeadline(time.Now().Add(notifyTimeout))
				s.conn.Write(b)
			}
			s.wmu.Unlock()
		} else if err != nil {
			s.reason = err.Error()
		}
		s.conn.Close()
		close(s.closed)
	})
}

// write sends keepalives every third of the hold time once it is
// negotiated, and the pending changes when kicked; on shutdown it sends
// what is pending and a Cease.
func (s *fsm) write() {
	defer close(s.writerDone)
	var tick <-chan time.Time
	for {
		var err error
		select {
		case hold := <-s.holdSet:
			if hold > 0 {
				t := time.NewTicker(hold / 3)
				defer t.Stop()
				tick = t.C
			}
		case <-tick:
			err = s.send(gobgp.NewBGPKeepAliveMessage())
		case <-s.kick:
			err = s.flush()
		case <-s.stopping:
			s.flush()
			s.end(gobgp.NewMessageError(gobgp.BGP_ERROR_CEASE, gobgp.BGP_ERROR_SUB_ADMINISTRATIVE_SHUTDOWN, nil, ""))
			return
		case <-s.closed:
			return
		}
		if err != nil {
			s.end(fmt.Errorf("send to the peer: %w", err))
			return
		}
	}
}

// queue adds changes to what the writer is to send: routes to announce,
// or, without a next hop, to withdraw.
func (s *fsm) queue(changes []Route) {
	if len(changes) == 0 {
		return
	}
	s.pmu.Lock()
	for _, r := range changes {
		s.pending[r.Prefix] = r
	}
	s.pmu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// flush sends the pending changes: withdrawals of what the peer holds,
// then announcements, each prefix once however often it changed.
func (s *fsm) flush() error {
	s.pmu.Lock()
	pending := s.pending
	s.pending = map[netip.Prefix]Route{}
	s.pmu.Unlock()
	neg := s.neg.Load()
	if len(pending) == 0 || neg == nil {
		return nil
	}
	var withdraw []netip.Prefix
	var announce []Route
	for _, p := range slices.SortedFunc(maps.Keys(pending), comparePrefixes) {
		if _, ok := neg.families[family(p)]; !ok {
			continue
		}
		switch r := pending[p]; {
		case r.NextHop.IsValid():
			announce = append(announce, r)
			s.sent[p] = true
		case s.sent[p]:
			withdraw = append(withdraw, p)
			delete(s.sent, p)
		}
	}
	sp := s.p.sp
	e := export{localASN: sp.cfg.ASN, ibgp: s.p.cfg.ASN == sp.cfg.ASN, as4: neg.as4, families: neg.families}
	msgs, err := e.updates(withdraw, announce)
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		if err := s.send(msgs...); err != nil {
			return err
		}
	}
	s.advertised.Store(int64(len(s.sent)))
	return nil
}

// shutdown ends the session with a Cease (administrative shutdown) once
// the pending changes are sent.
func (s *fsm) shutdown() { s.stopOnce.Do(func() { close(s.stopping) }) }
