package rtnl

import (
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// AddressMessage is an RTM_{NEW,DEL,GET}ADDR message.
type AddressMessage = rtnetlink.AddressMessage

// AddressAttributes are an address message's IFA_* attributes.
type AddressAttributes = rtnetlink.AddressAttributes

// NewAddressMessage returns the message that puts prefix on the link with
// index, as `ip addr add PREFIX dev X` does. flags are IFA_F_* bits, such
// as unix.IFA_F_NODAD.
func NewAddressMessage(index uint32, prefix *net.IPNet, flags uint32) *AddressMessage {
	family, ip := uint8(unix.AF_INET6), prefix.IP
	if ip4 := ip.To4(); ip4 != nil {
		family, ip = unix.AF_INET, ip4
	}
	ones, _ := prefix.Mask.Size()
	return &AddressMessage{
		Family:       family,
		PrefixLength: uint8(ones),
		Flags:        uint8(flags),
		Index:        index,
		Attributes: &AddressAttributes{
			Address: ip,
			Local:   ip,
			Flags:   flags,
		},
	}
}

// AddAddress adds an address (RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL).
func (c *Conn) AddAddress(m *AddressMessage) error {
	return c.execute(AddAddressRequest(m))
}

// DeleteAddress removes an address.
func (c *Conn) DeleteAddress(m *AddressMessage) error {
	_, err := c.Execute("delete address", m.Attributes.Address.String(), unix.RTM_DELADDR,
		netlink.Acknowledge, m)
	return err
}

// ListAddresses returns the addresses of family (unix.AF_INET,
// unix.AF_INET6 or 0 for both) on the link with index, or on every link
// when index is 0. The kernel does the filtering.
func (c *Conn) ListAddresses(family uint8, index uint32) ([]AddressMessage, error) {
	msgs, err := c.Dump("list addresses", unix.RTM_GETADDR, &AddressMessage{Family: family, Index: index})
	if err != nil {
		return nil, err
	}
	out := make([]AddressMessage, 0, len(msgs))
	for _, nm := range msgs {
		if nm.Header.Type != unix.RTM_NEWADDR {
			continue
		}
		var m AddressMessage
		if err := m.UnmarshalBinary(nm.Data); err != nil {
			return nil, &OpError{Op: "list addresses", Err: err}
		}
		if index != 0 && m.Index != index {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}
