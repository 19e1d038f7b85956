package traffic

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// listenTCP opens a TCP listener on addr inside ns and returns it with the
// address it is bound to (addr with the port the kernel chose, if 0).
func listenTCP(ns *netns.NS, addr netip.AddrPort) (*net.TCPListener, netip.AddrPort, error) {
	var ln *net.TCPListener
	err := ns.Do(func() (err error) {
		ln, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
		return err
	})
	if err != nil {
		return nil, netip.AddrPort{}, fmt.Errorf("listen on %s%s: %w", addr, in(ns), err)
	}
	return ln, ln.Addr().(*net.TCPAddr).AddrPort(), nil
}

// dialTCP connects to addr from inside ns, giving up after timeout.
func dialTCP(ns *netns.NS, addr netip.AddrPort, timeout time.Duration) (*net.TCPConn, error) {
	var c net.Conn
	err := ns.Do(func() (err error) {
		c, err = net.DialTimeout("tcp", addr.String(), timeout)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("connect to %s%s: %w", addr, where(ns), err)
	}
	return c.(*net.TCPConn), nil
}

// accepted is what an accepting goroutine hands back.
type accepted struct {
	c   *net.TCPConn
	err error
}

// acceptOne accepts one connection on ln, giving up at deadline. The
// result arrives on the returned channel.
func acceptOne(ln *net.TCPListener, deadline time.Time) <-chan accepted {
	ch := make(chan accepted, 1)
	ln.SetDeadline(deadline)
	go func() {
		c, err := ln.AcceptTCP()
		ch <- accepted{c, err}
	}()
	return ch
}

// connectPair opens a listener on addr in server, connects to it from
// client, and returns both ends of the connection. The listener is closed.
func connectPair(client, server *netns.NS, addr netip.AddrPort, timeout time.Duration) (cc, sc *net.TCPConn, err error) {
	ln, bound, err := listenTCP(server, addr)
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	acc := acceptOne(ln, time.Now().Add(timeout))
	cc, derr := dialTCP(client, bound, timeout)
	if derr != nil {
		ln.Close() // unblocks the accept at once
	}
	a := <-acc
	if derr != nil || a.err != nil {
		if cc != nil {
			cc.Close()
		}
		if a.c != nil {
			a.c.Close()
		}
		if derr != nil {
			return nil, nil, derr
		}
		return nil, nil, fmt.Errorf("accept on %s%s: %w", bound, in(server), a.err)
	}
	return cc, a.c, nil
}
