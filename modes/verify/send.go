package verify

import (
	"errors"
	"fmt"
	"net"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// send transmits frames on link ifname, from a packet socket inside ns
// (nil: the current namespace), in order. The frames leave through the
// link's transmit path (dev_queue_xmit), as the stack's own would: from
// an endpoint, into the ipvlan or macvlan driver; from the far side of a
// veth, into the parent's receive path. A frame the driver drops at
// once (ipvlan l3 drops multicast and broadcast in
// ipvlan_process_outbound) makes the send fail with ENOBUFS, from
// NET_XMIT_DROP: send counts those frames as refused, and carries on.
func send(ns *netns.NS, ifname string, frames []frame) (refused int, err error) {
	do := func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return fmt.Errorf("send probes on %s: %w", ifname, err)
		}
		// Protocol 0: the socket sends only, and receives nothing.
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("send probes on %s: packet socket: %w", ifname, err)
		}
		defer unix.Close(fd)
		for _, f := range frames {
			sa := &unix.SockaddrLinklayer{Protocol: htons(f.proto), Ifindex: ifi.Index, Halen: 6}
			copy(sa.Addr[:], f.b[:6])
			err := unix.Sendto(fd, f.b, 0, sa)
			if errors.Is(err, unix.ENOBUFS) {
				refused++
				continue
			}
			if err != nil {
				return fmt.Errorf("send probes on %s: %w", ifname, err)
			}
		}
		return nil
	}
	if ns == nil {
		err = do()
	} else {
		err = ns.Do(do)
	}
	return refused, err
}

// htons returns v in network byte order, as sockaddr_ll wants it.
func htons(v uint16) uint16 { return v<<8 | v>>8 }
