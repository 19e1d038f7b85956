package rtnl

import (
	"encoding"
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// A Request is one rtnetlink request of a Pipeline: its message type,
// flags and body, and the operation and name its error is reported under,
// as Execute reports them.
type Request struct {
	Op, Name string
	Type     netlink.HeaderType
	Flags    netlink.HeaderFlags
	Body     encoding.BinaryMarshaler
}

// AddAddressRequest is the request AddAddress sends.
func AddAddressRequest(m *AddressMessage) Request {
	return Request{Op: "add address", Name: m.Attributes.Address.String(), Type: unix.RTM_NEWADDR,
		Flags: netlink.Create | netlink.Excl, Body: m}
}

// SetLinkRequest is the request SetLink sends.
func SetLinkRequest(m *LinkMessage) Request {
	return Request{Op: "change link", Name: linkName(m), Type: unix.RTM_NEWLINK, Body: m}
}

// execute sends r alone, as Execute does, with an acknowledgement asked.
func (c *Conn) execute(r Request) error {
	_, err := c.Execute(r.Op, r.Name, r.Type, netlink.Acknowledge|r.Flags, r.Body)
	return err
}

// Pipeline sends reqs, changes that the kernel answers with nothing but
// an acknowledgement (not gets or dumps), several to a sendmsg, and reads
// the answers: one round trip to the kernel instead of one per request.
// Only the last request of each sendmsg asks for an acknowledgement: the
// kernel answers one without NLM_F_ACK only when it fails, and answers in
// order, so once the last acknowledgement is in, every failure before it
// is in too. The kernel goes on with the rest when one fails, so a
// request that must not follow a failure belongs in a later Pipeline.
// Pipeline returns one error per request, nil for those the kernel
// applied, each an *OpError as Execute returns it. The second result
// reports a failure of the connection itself, after which the state of
// unacknowledged requests is unknown.
func (c *Conn) Pipeline(reqs []Request) ([]error, error) {
	errs := make([]error, len(reqs))
	for start := 0; start < len(reqs); start += batchSize {
		end := min(start+batchSize, len(reqs))
		if err := c.pipeline(reqs[start:end], errs[start:end]); err != nil {
			return errs, err
		}
	}
	return errs, nil
}

func (c *Conn) pipeline(reqs []Request, errs []error) error {
	msgs := make([]netlink.Message, len(reqs))
	for i, r := range reqs {
		b, err := r.Body.MarshalBinary()
		if err != nil {
			return fmt.Errorf("%s %s: encode: %w", r.Op, r.Name, err)
		}
		flags := netlink.Request | r.Flags
		if i == len(reqs)-1 {
			flags |= netlink.Acknowledge
		}
		msgs[i] = netlink.Message{Header: netlink.Header{Type: r.Type, Flags: flags}, Data: b}
	}
	op := reqs[0].Op
	sent, err := c.c.SendMessages(msgs)
	if err != nil {
		return newOpError(op, "", err)
	}
	index := make(map[uint32]int, len(sent))
	for i, m := range sent {
		index[m.Header.Sequence] = i
	}
	last := len(sent) - 1
	for done := false; !done; {
		got, err := c.c.Receive()
		var oe *netlink.OpError
		switch {
		case errors.As(err, &oe) && oe.Sequence != 0:
			i, ok := index[oe.Sequence]
			if !ok {
				return newOpError(op, "", err)
			}
			errs[i] = newOpError(reqs[i].Op, reqs[i].Name, err)
			done = i == last
		case err != nil:
			return newOpError(op, "", err)
		default:
			for _, m := range got {
				if i, ok := index[m.Header.Sequence]; ok && i == last && m.Header.Type == netlink.Error {
					done = true
				}
			}
		}
	}
	return nil
}
