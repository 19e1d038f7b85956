package traffic

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// UDPWait is how long UDP waits, after the last datagram left, for those
// still on their way.
const UDPWait = 2 * time.Second

// UDP sends n datagrams from a socket in namespace from to dst, where a
// socket bound to dst inside namespace to receives them, and returns how
// many distinct ones arrived. It returns as soon as all n have arrived,
// else UDPWait after the last send. A nil namespace is the current one; a
// zero port in dst picks a free one. Sends the kernel refuses for lack of
// a route count as datagrams that did not arrive; the error is for probes
// that could not run (dst not on a link in to, say).
func UDP(from, to *netns.NS, dst netip.AddrPort, n int) (int, error) {
	return UDPWithin(from, to, dst, n, UDPWait)
}

// UDPWithin is UDP with wait in place of UDPWait.
func UDPWithin(from, to *netns.NS, dst netip.AddrPort, n int, wait time.Duration) (int, error) {
	var rx, tx *net.UDPConn
	err := to.Do(func() (err error) {
		rx, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(dst))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("udp to %s: receiver%s: %w", dst, in(to), err)
	}
	defer rx.Close()
	dst = netip.AddrPortFrom(dst.Addr(), uint16(rx.LocalAddr().(*net.UDPAddr).Port))
	network := "udp4"
	if dst.Addr().Unmap().Is6() {
		network = "udp6"
	}
	err = from.Do(func() (err error) {
		tx, err = net.ListenUDP(network, nil)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("udp to %s: sender%s: %w", dst, in(from), err)
	}
	defer tx.Close()

	token := rand.Uint64()
	got := make(chan int, 1)
	rx.SetReadDeadline(time.Now().Add(time.Hour)) // replaced after the last send
	go func() { got <- receive(rx, token, n) }()
	for seq := range n {
		b := binary.BigEndian.AppendUint64(nil, token)
		b = binary.BigEndian.AppendUint32(b, uint32(seq))
		_, err := tx.WriteToUDPAddrPort(b, dst)
		if err != nil && !errors.Is(err, syscall.ENETUNREACH) && !errors.Is(err, syscall.EHOSTUNREACH) {
			rx.SetReadDeadline(time.Now())
			<-got
			return 0, fmt.Errorf("udp to %s: send: %w", dst, err)
		}
	}
	rx.SetReadDeadline(time.Now().Add(wait))
	return <-got, nil
}

// receive reads datagrams carrying token until n distinct ones arrived or
// the read deadline passes, and returns how many did.
func receive(c *net.UDPConn, token uint64, n int) int {
	seen := make(map[uint32]bool, n)
	buf := make([]byte, 64)
	for len(seen) < n {
		k, err := c.Read(buf)
		if err != nil {
			break // the deadline passed, or the socket is gone
		}
		if k != 12 || binary.BigEndian.Uint64(buf) != token {
			continue
		}
		if seq := binary.BigEndian.Uint32(buf[8:]); int(seq) < n {
			seen[seq] = true
		}
	}
	return len(seen)
}

// in names ns for messages.
func in(ns *netns.NS) string {
	if ns == nil {
		return ""
	}
	return " in " + ns.Path()
}
