package load

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// UDPPayload is the size of each datagram's payload UDP sends.
const UDPPayload = 64

// UDPDrain is how long UDP keeps reading after the last datagram left,
// for those still queued or in flight. Anything later counts as lost.
const UDPDrain = 100 * time.Millisecond

// UDPResult is what UDP measured.
type UDPResult struct {
	// Sent is how many datagrams the sender's kernel accepted.
	Sent uint64
	// Received is how many of them the receiver read.
	Received uint64
	// Duration is how long the sender sent for.
	Duration time.Duration
}

// PPS returns the datagrams received per second of sending.
func (r UDPResult) PPS() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Received) / r.Duration.Seconds()
}

// Loss returns the fraction of sent datagrams that were not received,
// from 0 to 1.
func (r UDPResult) Loss() float64 {
	if r.Sent == 0 {
		return 0
	}
	return float64(r.Sent-min(r.Received, r.Sent)) / float64(r.Sent)
}

// UDP sends UDPPayload-byte datagrams as fast as one socket can for d,
// from a socket in namespace client to addr, where a socket bound to addr
// in namespace server counts them. A zero port in addr picks a free one.
// Datagrams are tagged with a random token and counted only when they
// carry it. Sends the kernel refuses for lack of buffer space (ENOBUFS,
// EAGAIN) or because an ICMP error came back (ECONNREFUSED) are not
// counted as sent; other send errors end the run with an error.
func UDP(client, server *netns.NS, addr netip.AddrPort, d time.Duration) (UDPResult, error) {
	var rx, tx *net.UDPConn
	err := server.Do(func() (err error) {
		rx, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
		return err
	})
	if err != nil {
		return UDPResult{}, fmt.Errorf("udp receiver on %s in %s: %w", addr, where(server), err)
	}
	defer rx.Close()
	dst := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	err = client.Do(func() (err error) {
		tx, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(dst))
		return err
	})
	if err != nil {
		return UDPResult{}, fmt.Errorf("udp sender to %s in %s: %w", dst, where(client), err)
	}
	defer tx.Close()

	token := rand.Uint64()
	var received atomic.Uint64
	done := make(chan struct{})
	rx.SetReadDeadline(time.Now().Add(d + time.Hour)) // replaced after the last send
	go func() {
		defer close(done)
		buf := make([]byte, UDPPayload+1)
		for {
			n, err := rx.Read(buf)
			if err != nil {
				return // the drain deadline passed
			}
			if n == UDPPayload && binary.BigEndian.Uint64(buf) == token {
				received.Add(1)
			}
		}
	}()

	payload := make([]byte, UDPPayload)
	binary.BigEndian.PutUint64(payload, token)
	var sent uint64
	var serr error
	start := time.Now()
	end := start.Add(d)
	for i := uint64(0); ; i++ {
		// Reading the clock every datagram would cost more than a
		// sendmsg on a fast path; every 32nd is precise enough.
		if i%32 == 0 && !time.Now().Before(end) {
			break
		}
		binary.BigEndian.PutUint64(payload[8:], i)
		_, err := tx.Write(payload)
		switch {
		case err == nil:
			sent++
		case errors.Is(err, syscall.ENOBUFS), errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.ECONNREFUSED):
		default:
			serr = fmt.Errorf("udp send to %s: %w", dst, err)
		}
		if serr != nil {
			break
		}
	}
	elapsed := time.Since(start)
	rx.SetReadDeadline(time.Now().Add(UDPDrain))
	<-done
	if serr != nil {
		return UDPResult{}, serr
	}
	return UDPResult{Sent: sent, Received: received.Load(), Duration: elapsed}, nil
}
