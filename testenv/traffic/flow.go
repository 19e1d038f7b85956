package traffic

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// flow is one run of UDP datagrams between two namespaces: a socket bound
// to the destination in one, a sending socket in the other, and the
// random token that marks the run's datagrams, so that a datagram left
// over from another run, or from anyone else, is never counted. Each
// datagram starts with the token (8 bytes) and its sequence number (4
// bytes), zeros after.
type flow struct {
	rx, tx *net.UDPConn
	dst    netip.AddrPort // the receiver's address, with its port
	token  uint64
	// connected says tx was connected to dst (send uses write, and
	// an ICMP error about an earlier datagram fails a later send with
	// ECONNREFUSED), rather than sending to dst each time.
	connected bool
}

// openFlow opens the receiver on dst in namespace to and the sender in
// namespace from (nil namespaces are the current one); a zero port in
// dst picks a free one. The receiver's reads wait until stop.
func openFlow(from, to *netns.NS, dst netip.AddrPort, connect bool) (*flow, error) {
	f := &flow{token: rand.Uint64(), connected: connect}
	err := to.Do(func() (err error) {
		f.rx, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(dst))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("udp to %s: receiver%s: %w", dst, in(to), err)
	}
	f.dst = netip.AddrPortFrom(dst.Addr(), uint16(f.rx.LocalAddr().(*net.UDPAddr).Port))
	err = from.Do(func() (err error) {
		if connect {
			f.tx, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(f.dst))
			return err
		}
		network := "udp4"
		if f.dst.Addr().Unmap().Is6() {
			network = "udp6"
		}
		f.tx, err = net.ListenUDP(network, nil)
		return err
	})
	if err != nil {
		f.rx.Close()
		return nil, fmt.Errorf("udp to %s: sender%s: %w", f.dst, in(from), err)
	}
	f.rx.SetReadDeadline(time.Now().Add(time.Hour)) // replaced by stop
	return f, nil
}

// close closes both sockets.
func (f *flow) close() {
	f.rx.Close()
	f.tx.Close()
}

// datagram returns a datagram of size bytes (at least 12) carrying the
// flow's token, for send to number.
func (f *flow) datagram(size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, f.token)
	return b
}

// send sends b, a datagram from datagram, numbered seq.
func (f *flow) send(b []byte, seq uint32) error {
	binary.BigEndian.PutUint32(b[8:], seq)
	var err error
	if f.connected {
		_, err = f.tx.Write(b)
	} else {
		_, err = f.tx.WriteToUDPAddrPort(b, f.dst)
	}
	return err
}

// receive reads, in a goroutine, the datagrams of size bytes that carry
// the flow's token, and hands each one's sequence number to got, until
// got returns false or the read deadline that stop sets passes. The
// returned channel is closed when it has stopped.
func (f *flow) receive(size int, got func(seq uint32) bool) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, size+1) // a longer datagram reads as size+1 bytes: not ours
		for {
			n, err := f.rx.Read(buf)
			if err != nil {
				return // the deadline passed, or the socket is gone
			}
			if n == size && binary.BigEndian.Uint64(buf) == f.token && !got(binary.BigEndian.Uint32(buf[8:])) {
				return
			}
		}
	}()
	return done
}

// stop lets the receiver read for wait more, for datagrams still queued
// or on their way; anything later does not count.
func (f *flow) stop(wait time.Duration) {
	f.rx.SetReadDeadline(time.Now().Add(wait))
}
