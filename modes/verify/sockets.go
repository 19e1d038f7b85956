package verify

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"github.com/vlanraw/vlanraw/netns"
)

// This file holds the sockets that see what an endpoint's stack
// delivers: one UDP socket per family in each endpoint's namespace,
// counting the run's datagrams per step.

// receiver counts the probe datagrams delivered in one namespace.
type receiver struct {
	conns []*net.UDPConn
	token uint64

	mu sync.Mutex
	// got counts datagrams by step index.
	got map[int]int
	wg  sync.WaitGroup
}

// count returns how many datagrams of step index arrived.
func (r *receiver) count(index int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[index]
}

// close stops the receiver.
func (r *receiver) close() {
	for _, c := range r.conns {
		c.Close()
	}
	r.wg.Wait()
}

// read counts the datagrams of c until it is closed.
func (r *receiver) read(c *net.UDPConn) {
	defer r.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, err := c.Read(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if index, ok := parseDatagram(buf[:n], r.token); ok {
			r.mu.Lock()
			r.got[index]++
			r.mu.Unlock()
		}
	}
}

// listen opens the receiver of namespace ns: a UDP socket on port4 of
// every IPv4 address, and, with ipv6, one on port6 of every IPv6
// address (IPv6 only).
func listen(ns *netns.NS, port4, port6 uint16, ipv6 bool, token uint64) (*receiver, error) {
	r := &receiver{token: token, got: map[int]int{}}
	err := ns.Do(func() error {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.IPv4Unspecified(), port4)))
		if err != nil {
			return err
		}
		r.conns = append(r.conns, c)
		if ipv6 {
			c, err := net.ListenUDP("udp6", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.IPv6Unspecified(), port6)))
			if err != nil {
				return err
			}
			r.conns = append(r.conns, c)
		}
		return nil
	})
	if err != nil {
		r.close()
		return nil, fmt.Errorf("listen for probe datagrams in %s: %w", ns.Path(), err)
	}
	for _, c := range r.conns {
		r.wg.Add(1)
		go r.read(c)
	}
	return r, nil
}

// listenAll opens a receiver in each namespace, on ports that are free
// in all of them, and returns the receivers and the ports.
func listenAll(nss []*netns.NS, ipv6 []bool, token uint64) ([]*receiver, uint16, uint16, error) {
	const tries = 8
	var lastErr error
	for range tries {
		port4 := uint16(33000 + rand.IntN(27000))
		port6 := port4 + 1
		rs := make([]*receiver, 0, len(nss))
		var err error
		for i, ns := range nss {
			var r *receiver
			if r, err = listen(ns, port4, port6, ipv6[i], token); err != nil {
				break
			}
			rs = append(rs, r)
		}
		if err == nil {
			return rs, port4, port6, nil
		}
		for _, r := range rs {
			r.close()
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, 0, 0, err
		}
		lastErr = err
	}
	return nil, 0, 0, lastErr
}
