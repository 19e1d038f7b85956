package rtnl

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// batchSize is how many requests NewLinks puts in one sendmsg. The kernel
// answers each with its own acknowledgement, which must all fit in the
// socket's receive buffer.
const batchSize = 64

// NewLinks creates links by sending their RTM_NEWLINK requests several to
// a sendmsg and then collecting one acknowledgement each, which saves
// most of the per-request system call cost. It returns one error per
// message, nil for those the kernel created; the kernel goes on with the
// rest when one fails. The second result reports a failure of the
// connection itself, after which the state of unacknowledged requests is
// unknown.
func (c *Conn) NewLinks(ms []*LinkMessage) ([]error, error) {
	return c.linkBatch("create link", netlink.Create|netlink.Excl, ms)
}

// SetLinks changes existing links as SetLink does, with the requests
// pipelined as in NewLinks.
func (c *Conn) SetLinks(ms []*LinkMessage) ([]error, error) {
	return c.linkBatch("change link", 0, ms)
}

func (c *Conn) linkBatch(op string, flags netlink.HeaderFlags, ms []*LinkMessage) ([]error, error) {
	errs := make([]error, len(ms))
	for start := 0; start < len(ms); start += batchSize {
		end := min(start+batchSize, len(ms))
		if err := c.batch(op, flags, ms[start:end], errs[start:end]); err != nil {
			return errs, err
		}
	}
	return errs, nil
}

func (c *Conn) batch(op string, flags netlink.HeaderFlags, ms []*LinkMessage, errs []error) error {
	req := make([]netlink.Message, len(ms))
	for i, m := range ms {
		b, err := m.MarshalBinary()
		if err != nil {
			return fmt.Errorf("%s %s: encode: %w", op, linkName(m), err)
		}
		req[i] = netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Request | netlink.Acknowledge | flags},
			Data:   b,
		}
	}
	sent, err := c.c.SendMessages(req)
	if err != nil {
		return newOpError(op, "", err)
	}
	index := make(map[uint32]int, len(sent))
	for i, m := range sent {
		index[m.Header.Sequence] = i
	}
	for pending := len(sent); pending > 0; {
		msgs, err := c.c.Receive()
		var oe *netlink.OpError
		switch {
		case errors.As(err, &oe) && oe.Sequence != 0:
			i, ok := index[oe.Sequence]
			if !ok {
				return newOpError(op, "", err)
			}
			errs[i] = kindError(ms[i], newOpError(op, linkName(ms[i]), err))
			pending--
		case err != nil:
			return newOpError(op, "", err)
		default:
			for _, m := range msgs {
				if _, ok := index[m.Header.Sequence]; ok && m.Header.Type == netlink.Error {
					pending--
				}
			}
		}
	}
	return nil
}
