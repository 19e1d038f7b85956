package rtnl

import (
	"strconv"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// ethPAll is ETH_P_ALL, the filter protocol that matches every frame.
const ethPAll = 0x0003

// NewClsactQdisc returns the request for `tc qdisc add dev X clsact` on
// the device with ifindex.
func NewClsactQdisc(ifindex int32) *TCMessage {
	return &TCMessage{
		Ifindex:    ifindex,
		Handle:     TCHandle(HandleClsact, 0),
		Parent:     HandleClsact,
		Attributes: TCAttributes{Kind: "clsact"},
	}
}

// NewBPFFilter returns the request for `tc filter add dev X {ingress|egress}
// [pref PRIO] bpf da fd FD` (the program given by its file descriptor):
// a direct-action cls_bpf filter for every protocol, at parent (such as
// ParentIngress), priority prio (0 lets the kernel choose) and handle 0
// (the kernel chooses). name is what `tc filter show` prints for it.
func NewBPFFilter(ifindex int32, parent uint32, prio uint16, fd int, name string) *TCMessage {
	return &TCMessage{
		Ifindex: ifindex,
		Parent:  parent,
		Info:    FilterInfo(prio, ethPAll),
		Attributes: TCAttributes{
			Kind: "bpf",
			BPF: &BPFOptions{
				FD:    tcPtr(uint32(fd)),
				Name:  name,
				Flags: tcPtr(BPFFlagActDirect),
			},
		},
	}
}

// tcName names a qdisc or filter request for errors, as "KIND on ifindex N".
func tcName(m *TCMessage) string {
	s := "on ifindex " + strconv.Itoa(int(m.Ifindex))
	if m.Attributes.Kind != "" {
		s = m.Attributes.Kind + " " + s
	}
	return s
}

// AddQdisc adds a qdisc (RTM_NEWQDISC with NLM_F_CREATE|NLM_F_EXCL, as
// `tc qdisc add`). One that exists gives an error matching unix.EEXIST.
func (c *Conn) AddQdisc(m *TCMessage) error {
	_, err := c.Execute("add qdisc", tcName(m), unix.RTM_NEWQDISC,
		netlink.Acknowledge|netlink.Create|netlink.Excl, m)
	return err
}

// DeleteQdisc deletes a qdisc, named by its device, parent and handle
// (and kind, when set), as `tc qdisc del`.
func (c *Conn) DeleteQdisc(m *TCMessage) error {
	_, err := c.Execute("delete qdisc", tcName(m), unix.RTM_DELQDISC, netlink.Acknowledge, m)
	return err
}

// ListQdiscs returns the qdiscs of the device with ifindex, or of every
// device when ifindex is 0, as `tc qdisc show [dev X]`.
func (c *Conn) ListQdiscs(ifindex int32) ([]TCMessage, error) {
	return c.listTC("list qdiscs", unix.RTM_GETQDISC, unix.RTM_NEWQDISC, &TCMessage{Ifindex: ifindex}, ifindex)
}

// AddFilter adds a filter (RTM_NEWTFILTER with NLM_F_CREATE|NLM_F_EXCL,
// as `tc filter add`).
func (c *Conn) AddFilter(m *TCMessage) error {
	_, err := c.Execute("add filter", tcName(m), unix.RTM_NEWTFILTER,
		netlink.Acknowledge|netlink.Create|netlink.Excl, m)
	return err
}

// DeleteFilter deletes filters, as `tc filter del`: with a handle (and
// kind), the one filter; with only a priority, every filter of that
// priority; with neither, every filter at the parent.
func (c *Conn) DeleteFilter(m *TCMessage) error {
	_, err := c.Execute("delete filter", tcName(m), unix.RTM_DELTFILTER, netlink.Acknowledge, m)
	return err
}

// ListFilters returns the filters of the device with ifindex at parent
// (such as ParentIngress), as `tc filter show dev X ingress`. The kernel
// reports each filter's priority group once without a handle and
// options, then each filter in it. A device without the parent's qdisc
// has no filters.
func (c *Conn) ListFilters(ifindex int32, parent uint32) ([]TCMessage, error) {
	return c.listTC("list filters", unix.RTM_GETTFILTER, unix.RTM_NEWTFILTER,
		&TCMessage{Ifindex: ifindex, Parent: parent}, ifindex)
}

func (c *Conn) listTC(op string, get, reply uint16, req *TCMessage, ifindex int32) ([]TCMessage, error) {
	msgs, err := c.Dump(op, netlink.HeaderType(get), req)
	if err != nil {
		return nil, err
	}
	out := make([]TCMessage, 0, len(msgs))
	for _, nm := range msgs {
		if nm.Header.Type != netlink.HeaderType(reply) {
			continue
		}
		var m TCMessage
		if err := m.UnmarshalBinary(nm.Data); err != nil {
			return nil, &OpError{Op: op, Err: err}
		}
		if ifindex != 0 && m.Ifindex != ifindex {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}
