package rtnl

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"golang.org/x/sys/unix"
)

// rtextFilterSkipStats is RTEXT_FILTER_SKIP_STATS: leave the (large)
// statistics out of link replies.
const rtextFilterSkipStats = 1 << 3

// linkName names the link a message is about, for errors.
func linkName(m *LinkMessage) string { return m.Attributes.Name }

// NewLink creates a link (RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL). A
// kind the kernel does not know is reported as a *KindNotSupportedError.
func (c *Conn) NewLink(m *LinkMessage) error {
	return kindError(m, c.execute(newLinkRequest(m)))
}

// newLinkRequest is the request NewLink sends.
func newLinkRequest(m *LinkMessage) Request {
	return Request{Op: "create link", Name: linkName(m), Type: unix.RTM_NEWLINK,
		Flags: netlink.Create | netlink.Excl, Body: m}
}

// kindError turns the kernel's answer to a link of a kind it does not
// know into a *KindNotSupportedError.
func kindError(m *LinkMessage, err error) error {
	if err == nil || !errors.Is(err, unix.EOPNOTSUPP) || m.Attributes.Info == nil {
		return err
	}
	kind := m.Attributes.Info.Kind
	var oe *OpError
	// "Unknown device type" is what rtnl_newlink says when no driver of
	// that kind is registered.
	if errors.As(err, &oe) && (oe.Message == "" || oe.Message == "Unknown device type") {
		return &KindNotSupportedError{Kind: kind, Config: KindConfig(kind), Err: err}
	}
	return err
}

// SetLink changes an existing link (RTM_NEWLINK without NLM_F_CREATE),
// named by m.Index or, when that is 0, by m.Attributes.Name.
func (c *Conn) SetLink(m *LinkMessage) error {
	return c.execute(SetLinkRequest(m))
}

// DeleteLink deletes the link with index.
func (c *Conn) DeleteLink(index int32) error {
	_, err := c.Execute("delete link", "", unix.RTM_DELLINK, netlink.Acknowledge,
		&LinkMessage{Index: index})
	return err
}

// DeleteLinkName deletes the link called name.
func (c *Conn) DeleteLinkName(name string) error {
	_, err := c.Execute("delete link", name, unix.RTM_DELLINK, netlink.Acknowledge,
		&LinkMessage{Attributes: LinkAttributes{Name: name}})
	return err
}

// DeleteLinkGroup deletes every link of a group in one request. The
// kernel unregisters them as a batch, which is far faster than one
// RTM_DELLINK each. Group 0, the default group, is refused.
func (c *Conn) DeleteLinkGroup(group uint32) error {
	if group == 0 {
		return errors.New("refusing to delete link group 0, which holds every link by default")
	}
	_, err := c.Execute("delete link group", "", unix.RTM_DELLINK, netlink.Acknowledge,
		&LinkMessage{Attributes: LinkAttributes{Group: &group}})
	return err
}

// getLinkRequest is an RTM_GETLINK request with IFLA_EXT_MASK.
type getLinkRequest struct {
	index int32
	name  string
	kind  string
}

func (r *getLinkRequest) MarshalBinary() ([]byte, error) {
	b := make([]byte, ifinfomsgLen)
	nlenc.PutInt32(b[4:8], r.index)
	ae := netlink.NewAttributeEncoder()
	if r.name != "" {
		ae.String(unix.IFLA_IFNAME, r.name)
	}
	ae.Uint32(unix.IFLA_EXT_MASK, rtextFilterSkipStats)
	if r.kind != "" {
		ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
			nae.String(unix.IFLA_INFO_KIND, r.kind)
			return nil
		})
	}
	a, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(b, a...), nil
}

// GetLink returns the link called name. A missing link gives an error
// matching unix.ENODEV.
func (c *Conn) GetLink(name string) (*LinkMessage, error) {
	return c.getLink(name, &getLinkRequest{name: name})
}

// GetLinkIndex returns the link with index.
func (c *Conn) GetLinkIndex(index int32) (*LinkMessage, error) {
	return c.getLink("", &getLinkRequest{index: index})
}

func (c *Conn) getLink(name string, req *getLinkRequest) (*LinkMessage, error) {
	msgs, err := c.Execute("get link", name, unix.RTM_GETLINK, 0, req)
	if errors.Is(err, unix.EMSGSIZE) {
		return c.getLinkFromDump(name, req.index, err)
	}
	if err != nil {
		return nil, err
	}
	if len(msgs) != 1 {
		return nil, &OpError{Op: "get link", Name: name, Err: errors.New("unexpected number of replies")}
	}
	m := &LinkMessage{}
	if err := m.UnmarshalBinary(msgs[0].Data); err != nil {
		return nil, &OpError{Op: "get link", Name: name, Err: err}
	}
	return m, nil
}

// getLinkFromDump finds a link by name (or, when name is "", by index)
// in a dump of every link. It stands in for a single RTM_GETLINK that
// failed with EMSGSIZE (getErr): the kernel sizes that reply with the
// driver's get_size, and a driver that under-reserves makes the reply
// overflow. macvlan did so for IFLA_MACVLAN_BC_CUTOFF (bclim other than
// 1) from Linux 6.4 until upstream fa92a77b0ed4 (stable 77ecfa4e27f2,
// April 2026; Debian's 6.12 since 6.12.94-1). A dump packs its replies
// into buffers of at least a page, which have room to spare.
func (c *Conn) getLinkFromDump(name string, index int32, getErr error) (*LinkMessage, error) {
	ls, err := c.ListLinks("")
	if err != nil {
		return nil, fmt.Errorf("%w; and in a dump instead: %w", getErr, err)
	}
	for i := range ls {
		if name != "" && ls[i].Attributes.Name == name || name == "" && ls[i].Index == index {
			return &ls[i], nil
		}
	}
	return nil, &OpError{Op: "get link", Name: name, Err: unix.ENODEV}
}

// ListLinks returns every link, or only those of kind when it is not
// empty. The kernel filters by kind when it knows the kind; the result is
// filtered again here, since a kernel without the kind dumps everything.
func (c *Conn) ListLinks(kind string) ([]LinkMessage, error) {
	msgs, err := c.Dump("list links", unix.RTM_GETLINK, &getLinkRequest{kind: kind})
	if err != nil {
		return nil, err
	}
	links := make([]LinkMessage, 0, len(msgs))
	for _, nm := range msgs {
		if nm.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		var m LinkMessage
		if err := m.UnmarshalBinary(nm.Data); err != nil {
			return nil, &OpError{Op: "list links", Err: err}
		}
		if kind != "" && (m.Attributes.Info == nil || m.Attributes.Info.Kind != kind) {
			continue
		}
		links = append(links, m)
	}
	return links, nil
}
