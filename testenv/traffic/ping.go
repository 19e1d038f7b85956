// Package traffic sends real packets between network namespaces and reports
// whether they arrived: ICMP echo (Ping) and UDP datagrams (UDP). Tests and
// the demo use it to prove reachability, or its absence, on the running
// kernel rather than inferring it from routes and link modes. It also
// measures how fast they go, for the data-plane benchmarks (package
// bench): UDP packets per second with 64-byte payloads (UDPFlood), TCP
// stream throughput (TCPStream) and TCP request/response latency (TCPRR).
//
// # Namespaces
//
// Sockets are created inside a namespace with netns.NS.Do and used from
// ordinary goroutines afterwards: a socket stays in the namespace it was
// created in, whatever thread later reads or writes it.
//
// # Timing
//
// Nothing sleeps. Ping resends an echo request every Interval until a reply
// or its deadline; UDP waits for the datagrams with a read deadline and
// returns as soon as all have arrived. UDPFlood and TCPStream send for the
// duration they are given, by the clock.
//
// # Shutdown
//
// Every function closes its sockets and waits for its goroutines before
// it returns; no goroutine outlives a call.
package traffic

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/vlanraw/vlanraw/netns"
)

// ErrNoReply is matched by the errors of probes whose packets did not
// arrive: no echo reply before the deadline, an ICMP error for the probe,
// or a send the kernel refused for lack of a route (ENETUNREACH,
// EHOSTUNREACH, which the error matches too).
var ErrNoReply = errors.New("no reply")

// Interval is how long Ping waits for a reply before sending the next echo
// request.
const Interval = 200 * time.Millisecond

// Ping sends ICMP echo requests from inside ns (the current namespace when
// ns is nil) to dst until a reply from dst arrives, and returns nil then.
// A valid src binds the probe to that source address, which must be on a
// link in ns. It fails with an error matching ErrNoReply when no reply
// came within timeout, or when an ICMP error or the kernel's routing said
// the request cannot arrive; other errors mean the probe itself could not
// run. It uses raw ICMP sockets and needs CAP_NET_RAW.
func Ping(ns *netns.NS, src, dst netip.Addr, timeout time.Duration) error {
	p, err := newPinger(ns, src, dst)
	if err != nil {
		return fmt.Errorf("ping %s%s: %w", dst, where(ns), err)
	}
	defer p.c.Close()
	if err := p.run(time.Now().Add(timeout)); err != nil {
		return fmt.Errorf("ping %s%s: %w", dst, where(ns), err)
	}
	return nil
}

// where names ns for messages.
func where(ns *netns.NS) string {
	if ns == nil {
		return ""
	}
	return " from " + ns.Path()
}

// pinger is one Ping run.
type pinger struct {
	c     *icmp.PacketConn
	dst   netip.Addr
	proto int // 1 for ICMP, 58 for ICMPv6
	echo  icmp.Type
	reply icmp.Type
	id    int
}

// newPinger opens the raw ICMP socket inside ns.
func newPinger(ns *netns.NS, src, dst netip.Addr) (*pinger, error) {
	if !dst.IsValid() {
		return nil, errors.New("no destination address")
	}
	dst = dst.Unmap()
	p := &pinger{dst: dst, id: rand.IntN(0xffff) + 1}
	network, laddr := "ip4:icmp", "0.0.0.0"
	p.proto, p.echo, p.reply = 1, ipv4.ICMPTypeEcho, ipv4.ICMPTypeEchoReply
	if dst.Is6() {
		network, laddr = "ip6:ipv6-icmp", "::"
		p.proto, p.echo, p.reply = 58, ipv6.ICMPTypeEchoRequest, ipv6.ICMPTypeEchoReply
	}
	if src.IsValid() {
		if src.Unmap().Is4() != dst.Is4() {
			return nil, fmt.Errorf("source %s and destination %s are of different families", src, dst)
		}
		laddr = src.Unmap().String()
	}
	err := ns.Do(func() error {
		c, err := icmp.ListenPacket(network, laddr)
		p.c = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open ICMP socket: %w", err)
	}
	return p, nil
}

// run sends echo requests until a reply or the deadline.
func (p *pinger) run(deadline time.Time) error {
	buf := make([]byte, 1500)
	sent := 0
	for seq := 1; ; seq++ {
		if err := p.send(seq); err != nil {
			return err
		}
		sent++
		wait := time.Now().Add(Interval)
		if wait.After(deadline) {
			wait = deadline
		}
		if err := p.c.SetReadDeadline(wait); err != nil {
			return fmt.Errorf("set deadline: %w", err)
		}
		for {
			n, peer, err := p.c.ReadFrom(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			if err != nil {
				return fmt.Errorf("read: %w", err)
			}
			done, err := p.match(buf[:n], peer)
			if done || err != nil {
				return err
			}
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("%w to %d echo requests", ErrNoReply, sent)
		}
	}
}

// send sends echo request seq. A send the kernel refuses for lack of a
// route is ErrNoReply.
func (p *pinger) send(seq int) error {
	msg := icmp.Message{Type: p.echo, Body: &icmp.Echo{ID: p.id, Seq: seq, Data: []byte("vlanraw-traffic")}}
	b, err := msg.Marshal(nil) // ICMPv6: the kernel fills in the checksum
	if err != nil {
		return fmt.Errorf("marshal echo request: %w", err)
	}
	_, err = p.c.WriteTo(b, &net.IPAddr{IP: p.dst.AsSlice(), Zone: p.dst.Zone()})
	switch {
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return fmt.Errorf("%w: send: %w", ErrNoReply, err)
	case err != nil:
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// match reports whether b, received from peer, is the reply to this run
// (true, nil) or an ICMP error about one of its requests (true, ErrNoReply).
func (p *pinger) match(b []byte, peer net.Addr) (bool, error) {
	m, err := icmp.ParseMessage(p.proto, b)
	if err != nil {
		return false, nil // not ours, or garbled: ignore
	}
	from := addrOf(peer)
	switch body := m.Body.(type) {
	case *icmp.Echo:
		return m.Type == p.reply && body.ID == p.id && from == p.dst, nil
	case *icmp.DstUnreach:
		if p.quotes(body.Data) {
			return true, fmt.Errorf("%w: %s reports destination unreachable (code %d)", ErrNoReply, from, m.Code)
		}
	case *icmp.TimeExceeded:
		if p.quotes(body.Data) {
			return true, fmt.Errorf("%w: %s reports time exceeded", ErrNoReply, from)
		}
	}
	return false, nil
}

// quotes reports whether the quoted packet of an ICMP error is one of this
// run's echo requests.
func (p *pinger) quotes(q []byte) bool {
	var hdr, dstOff int
	switch {
	case p.dst.Is4() && len(q) >= 20:
		hdr, dstOff = int(q[0]&0x0f)*4, 16
	case p.dst.Is6() && len(q) >= 40:
		hdr, dstOff = 40, 24
	default:
		return false
	}
	if len(q) < hdr+8 {
		return false
	}
	qdst, _ := netip.AddrFromSlice(q[dstOff : dstOff+p.dst.BitLen()/8])
	id := int(q[hdr+4])<<8 | int(q[hdr+5])
	return qdst == p.dst.WithZone("") && id == p.id
}

// addrOf returns the address of a peer from ReadFrom.
func addrOf(a net.Addr) netip.Addr {
	ia, ok := a.(*net.IPAddr)
	if !ok {
		return netip.Addr{}
	}
	ip, _ := netip.AddrFromSlice(ia.IP)
	return ip.Unmap().WithZone(ia.Zone)
}
