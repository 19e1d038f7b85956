package bgp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// listen opens the BGP port on every address, IPv4 and IPv6, with the
// MD5 key of each peer that has one.
func listen(port int32, peers []Peer) (net.Listener, error) {
	// Plain TCP: Go listens with MPTCP where the kernel has it, whose
	// sockets take no TCP_MD5SIG (ENOPROTOOPT).
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	l, err := lc.Listen(context.Background(), "tcp", ":"+strconv.Itoa(int(port)))
	if err != nil {
		return nil, fmt.Errorf("listen on TCP port %d for BGP sessions: %w (is another BGP daemon running? give another --port, or -1 to only connect out)", port, err)
	}
	raw, err := l.(*net.TCPListener).SyscallConn()
	if err != nil {
		l.Close()
		return nil, err
	}
	for _, p := range peers {
		if p.Password == "" {
			continue
		}
		if err := controlMD5(raw, p.Addr, p.Password); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// accept hands each connection l accepts to the peer it comes from,
// closing those from any other address, until l is closed.
func (sp *Speaker) accept(l net.Listener) {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			sp.logf("accept a BGP connection: %v", err)
			time.Sleep(100 * time.Millisecond) // such as EMFILE: do not spin
			continue
		}
		from := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
		p := sp.peer(from)
		if p == nil {
			sp.logf("refused a BGP connection from %s: not a configured peer", from)
			c.Close()
			continue
		}
		select {
		case p.incoming <- c:
		case <-p.stop:
			c.Close()
		}
	}
}

// dial connects out to peer p, with its MD5 key if it has one.
func dial(ctx context.Context, p Peer) (net.Conn, error) {
	port := p.Port
	if port == 0 {
		port = Port
	}
	d := net.Dialer{Timeout: dialTimeout}
	d.SetMultipathTCP(false)
	if p.Password != "" {
		d.Control = func(_, _ string, c syscall.RawConn) error { return controlMD5(c, p.Addr, p.Password) }
	}
	return d.DialContext(ctx, "tcp", netip.AddrPortFrom(p.Addr, port).String())
}
