package traffic

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// UDPWait is how long UDP waits, after the last datagram left, for those
// still on their way.
const UDPWait = 2 * time.Second

// probeSize is the size of UDP's datagrams: the token and the sequence
// number.
const probeSize = 12

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
	f, err := openFlow(from, to, dst, false)
	if err != nil {
		return 0, err
	}
	defer f.close()
	if n <= 0 {
		return 0, nil
	}
	seen := make(map[uint32]bool, n)
	done := f.receive(probeSize, func(seq uint32) bool {
		if int(seq) < n {
			seen[seq] = true
		}
		return len(seen) < n
	})
	b := f.datagram(probeSize)
	for seq := range n {
		err := f.send(b, uint32(seq))
		if err != nil && !errors.Is(err, syscall.ENETUNREACH) && !errors.Is(err, syscall.EHOSTUNREACH) {
			f.stop(0)
			<-done
			return 0, fmt.Errorf("udp to %s: send: %w", f.dst, err)
		}
	}
	f.stop(wait)
	<-done
	return len(seen), nil
}

// UDPPayload is the size of each datagram UDPFlood sends.
const UDPPayload = 64

// UDPDrain is how long UDPFlood keeps reading after the last datagram
// left, for those still queued or in flight. Anything later counts as
// lost.
const UDPDrain = 100 * time.Millisecond

// UDPResult is what UDPFlood measured.
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

// UDPFlood sends UDPPayload-byte datagrams as fast as one connected
// socket can for d, from namespace from to dst, where a socket bound to
// dst in namespace to counts them, and reports how many were sent and
// received (the data-plane benchmarks' packets per second). A nil
// namespace is the current one; a zero port in dst picks a free one.
// Sends the kernel refuses for lack of buffer space (ENOBUFS, EAGAIN) or
// because an ICMP error came back (ECONNREFUSED) are not counted as sent;
// other send errors end the run with an error.
func UDPFlood(from, to *netns.NS, dst netip.AddrPort, d time.Duration) (UDPResult, error) {
	f, err := openFlow(from, to, dst, true)
	if err != nil {
		return UDPResult{}, err
	}
	defer f.close()
	var received atomic.Uint64
	done := f.receive(UDPPayload, func(uint32) bool {
		received.Add(1)
		return true
	})
	b := f.datagram(UDPPayload)
	var sent uint64
	var serr error
	start := time.Now()
	end := start.Add(d)
	for i := uint32(0); ; i++ {
		// Reading the clock every datagram would cost more than a
		// sendmsg on a fast path; every 32nd is precise enough.
		if i%32 == 0 && !time.Now().Before(end) {
			break
		}
		err := f.send(b, i)
		switch {
		case err == nil:
			sent++
		case errors.Is(err, syscall.ENOBUFS), errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.ECONNREFUSED):
		default:
			serr = fmt.Errorf("udp to %s: send: %w", f.dst, err)
		}
		if serr != nil {
			break
		}
	}
	elapsed := time.Since(start)
	f.stop(UDPDrain)
	<-done
	if serr != nil {
		return UDPResult{}, serr
	}
	return UDPResult{Sent: sent, Received: received.Load(), Duration: elapsed}, nil
}

// in names ns for messages.
func in(ns *netns.NS) string {
	if ns == nil {
		return ""
	}
	return " in " + ns.Path()
}
