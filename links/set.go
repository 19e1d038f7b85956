package links

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
	"golang.org/x/sys/unix"
)

// Change is a change to an existing link. Nil fields are left alone.
type Change struct {
	// MTU sets the MTU.
	MTU *uint32
	// Up brings the link up (true) or down (false).
	Up *bool
	// Name renames the link.
	Name string
	// Group moves the link into a link group.
	Group *uint32
	// Alias sets the link's alias (IFLA_IFALIAS); "" clears it.
	Alias *string
	// IPv4Conf are per-link IPv4 settings. The kernel applies them after
	// the request's flags: a setting that must hold when the link comes
	// up, such as arp_notify, needs a Change of its own before Up.
	IPv4Conf []rtnl.IPv4Conf
	// Options changes the kind's own options to those of a spec of the
	// link's kind; only its kind's fields count: its Attrs must be zero
	// and it names no parent. Each spec type says which of its options
	// can change; those of the kinds that say none are refused.
	Options Spec
}

// Set applies c to the link called name in one request.
func (h *Handle) Set(name string, c Change) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if c.Name != "" {
		if err := CheckName(c.Name); err != nil {
			return err
		}
	}
	cur, err := h.c.GetLink(name)
	if err != nil {
		return err
	}
	err = h.set(cur.Index, cur, c)
	var oe *rtnl.OpError
	if errors.As(err, &oe) {
		// The request names the link by index (and carries the new name
		// when renaming): say which link it was.
		oe.Name = name
	}
	return err
}

// SetIndex applies c to the link with index in one request. It looks the
// link up first only when c changes its Options.
func (h *Handle) SetIndex(index int, c Change) error {
	if c.Name != "" {
		if err := CheckName(c.Name); err != nil {
			return err
		}
	}
	var cur *rtnl.LinkMessage
	if c.Options != nil {
		var err error
		if cur, err = h.c.GetLinkIndex(int32(index)); err != nil {
			return err
		}
	}
	return h.set(int32(index), cur, c)
}

// ChangeRequest returns the request of SetIndex for c, for Pipeline. c
// cannot change Options, which needs the link's current state.
func ChangeRequest(index int, c Change) (rtnl.Request, error) {
	if c.Options != nil {
		return rtnl.Request{}, fmt.Errorf("change link %d: %w: a pipelined change cannot change the kind's options; use SetIndex", index, errdefs.ErrInvalid)
	}
	if c.Name != "" {
		if err := CheckName(c.Name); err != nil {
			return rtnl.Request{}, err
		}
	}
	m, err := changeMessage(int32(index), nil, c)
	if err != nil {
		return rtnl.Request{}, err
	}
	return rtnl.SetLinkRequest(m), nil
}

// set sends c for the link with index, whose current state cur is needed
// only when c changes its Options.
func (h *Handle) set(index int32, cur *rtnl.LinkMessage, c Change) error {
	m, err := changeMessage(index, cur, c)
	if err != nil {
		return err
	}
	return h.c.SetLink(m)
}

// changeMessage is the RTM_NEWLINK message that applies c to the link
// with index (see set).
func changeMessage(index int32, cur *rtnl.LinkMessage, c Change) (*rtnl.LinkMessage, error) {
	m := &rtnl.LinkMessage{Index: index}
	if c.MTU != nil {
		m.Attributes.MTU = *c.MTU
		if *c.MTU == 0 {
			return nil, invalid("mtu", "0", "an MTU must be positive")
		}
	}
	if c.Up != nil {
		m.Change = unix.IFF_UP
		if *c.Up {
			m.Flags = unix.IFF_UP
		}
	}
	m.Attributes.Name = c.Name
	m.Attributes.Group = c.Group
	m.Attributes.Alias = c.Alias
	m.Attributes.IPv4Conf = c.IPv4Conf
	if c.Options != nil {
		info, err := changeOptions(cur, c.Options)
		if err != nil {
			return nil, err
		}
		m.Attributes.Info = info
	}
	return m, nil
}

// changeOptions checks o, the new options of the link cur, and returns
// the IFLA_LINKINFO that sets them.
func changeOptions(cur *rtnl.LinkMessage, o Spec) (*rtnl.LinkInfo, error) {
	var kind string
	var data rtnetlink.LinkDriver
	if info := cur.Attributes.Info; info != nil {
		kind, data = info.Kind, info.Data
	}
	if kind != o.Kind() {
		return nil, invalid("type", o.Kind(), "link %s is a %q link; its kind cannot change", cur.Attributes.Name, kind)
	}
	if !reflect.ValueOf(*o.Attributes()).IsZero() || o.parent() != "" {
		return nil, invalid("type", o.Kind(), "a change of options carries only the kind's own options: set the name, MTU and the rest in the Change, and a parent cannot change")
	}
	d, err := o.change(data)
	if err != nil {
		return nil, err
	}
	if err := checkKernel(d); err != nil {
		return nil, err
	}
	return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
}
