package traffic

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// Timeout bounds every connection setup and, beyond its own length, every
// measurement: a peer that stops answering fails the run instead of
// hanging it.
const Timeout = 10 * time.Second

// StreamBuffer is the size of each write TCPStream makes.
const StreamBuffer = 128 << 10

// StreamResult is what TCPStream measured.
type StreamResult struct {
	// Sent is how many bytes the client's writes handed to its kernel.
	Sent uint64
	// Received is how many bytes the server read.
	Received uint64
	// Duration runs from the first write to the server reading the end of
	// the stream.
	Duration time.Duration
}

// BytesPerSecond returns the bytes received per second.
func (r StreamResult) BytesPerSecond() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Received) / r.Duration.Seconds()
}

// TCPStream writes StreamBuffer-sized buffers for d over one TCP
// connection from namespace client to a listener on addr in namespace
// server, which reads and counts them, then closes its side for writing
// and waits for the server to read everything. A zero port in addr picks
// a free one.
func TCPStream(client, server *netns.NS, addr netip.AddrPort, d time.Duration) (StreamResult, error) {
	cc, sc, err := connectPair(client, server, addr, Timeout)
	if err != nil {
		return StreamResult{}, fmt.Errorf("tcp stream: %w", err)
	}
	defer cc.Close()
	defer sc.Close()
	deadline := time.Now().Add(d + Timeout)
	cc.SetDeadline(deadline)
	sc.SetDeadline(deadline)

	type count struct {
		n   int64
		err error
		at  time.Time
	}
	got := make(chan count, 1)
	go func() {
		n, err := io.CopyBuffer(io.Discard, sc, make([]byte, StreamBuffer))
		got <- count{n, err, time.Now()}
	}()

	buf := make([]byte, StreamBuffer)
	var sent uint64
	var werr error
	start := time.Now()
	for time.Since(start) < d {
		n, err := cc.Write(buf)
		sent += uint64(n)
		if err != nil {
			werr = err
			break
		}
	}
	if werr == nil {
		werr = cc.CloseWrite()
	}
	if werr != nil {
		sc.Close() // the reader stops at once
		<-got
		return StreamResult{}, fmt.Errorf("tcp stream: write: %w", werr)
	}
	c := <-got
	if c.err != nil {
		return StreamResult{}, fmt.Errorf("tcp stream: read: %w", c.err)
	}
	return StreamResult{Sent: sent, Received: uint64(c.n), Duration: c.at.Sub(start)}, nil
}

// RRResult is what TCPRR measured.
type RRResult struct {
	// RTTs are the round-trip times, sorted from fastest to slowest.
	RTTs []time.Duration
	// Duration is the time all the round trips took together.
	Duration time.Duration
}

// Percentile returns the p-th percentile (0 to 100) of the round-trip
// times, by the nearest rank below; 0 when there are none.
func (r RRResult) Percentile(p float64) time.Duration {
	return Percentile(r.RTTs, p)
}

// Percentile returns the p-th percentile (0 to 100) of sorted, by the
// nearest rank below; 0 when it is empty. sorted must be in ascending
// order.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	p = min(max(p, 0), 100)
	return sorted[int(float64(len(sorted)-1)*p/100)]
}

// TCPRR makes n request/response round trips of one byte each way over
// one TCP connection (Nagle's algorithm off, as Go sets by default) from
// namespace client to a server on addr in namespace server that echoes
// each byte, and returns every round trip's time. A zero port in addr
// picks a free one. Connection setup is not timed.
func TCPRR(client, server *netns.NS, addr netip.AddrPort, n int) (RRResult, error) {
	if n <= 0 {
		return RRResult{}, fmt.Errorf("tcp rr: %d round trips: want at least 1", n)
	}
	cc, sc, err := connectPair(client, server, addr, Timeout)
	if err != nil {
		return RRResult{}, fmt.Errorf("tcp rr: %w", err)
	}
	defer cc.Close()
	defer sc.Close()
	deadline := time.Now().Add(Timeout + time.Duration(n)*10*time.Millisecond)
	cc.SetDeadline(deadline)
	sc.SetDeadline(deadline)

	echoed := make(chan error, 1)
	go func() {
		b := make([]byte, 1)
		for {
			if _, err := io.ReadFull(sc, b); err != nil {
				if errors.Is(err, io.EOF) {
					err = nil // the client is done
				}
				echoed <- err
				return
			}
			if _, err := sc.Write(b); err != nil {
				echoed <- err
				return
			}
		}
	}()

	rtts := make([]time.Duration, 0, n)
	req, resp := []byte{'r'}, make([]byte, 1)
	var cerr error
	start := time.Now()
	for i := range n {
		req[0] = byte(i)
		t := time.Now()
		if _, err := cc.Write(req); err != nil {
			cerr = fmt.Errorf("tcp rr: request %d: %w", i, err)
			break
		}
		if _, err := io.ReadFull(cc, resp); err != nil {
			cerr = fmt.Errorf("tcp rr: response %d: %w", i, err)
			break
		}
		rtts = append(rtts, time.Since(t))
		if resp[0] != req[0] {
			cerr = fmt.Errorf("tcp rr: response %d is %d, want %d", i, resp[0], req[0])
			break
		}
	}
	total := time.Since(start)
	if cerr != nil {
		sc.Close() // the echo goroutine stops at once
		<-echoed
		return RRResult{}, cerr
	}
	if err := cc.CloseWrite(); err != nil {
		sc.Close()
		<-echoed
		return RRResult{}, fmt.Errorf("tcp rr: close: %w", err)
	}
	if err := <-echoed; err != nil {
		return RRResult{}, fmt.Errorf("tcp rr: server: %w", err)
	}
	slices.Sort(rtts)
	return RRResult{RTTs: rtts, Duration: total}, nil
}
