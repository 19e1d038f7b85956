package links

import (
	"errors"
	"fmt"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Change is a change to an existing link. Nil fields are left alone.
type Change struct {
	// MTU sets the MTU.
	MTU *uint32
	// Up brings the link up (true) or down (false).
	Up *bool
	// Name renames the link.
	Name string
	// Data changes kind-specific settings: *rtnl.IPVlan (mode and flag,
	// shared by the parent's every ipvlan), *rtnl.MACVlan (mode, flags,
	// source list edits, bcqueuelen, bclim) and their tap variants.
	Data rtnetlink.LinkDriver
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
	m := &rtnl.LinkMessage{Index: cur.Index}
	if c.MTU != nil {
		m.Attributes.MTU = *c.MTU
		if *c.MTU == 0 {
			return invalid("mtu", "0", "an MTU must be positive")
		}
	}
	if c.Up != nil {
		m.Change = unix.IFF_UP
		if *c.Up {
			m.Flags = unix.IFF_UP
		}
	}
	m.Attributes.Name = c.Name
	if c.Data != nil {
		kind := ""
		if cur.Attributes.Info != nil {
			kind = cur.Attributes.Info.Kind
		}
		if kind != c.Data.Kind() {
			return invalid("type", c.Data.Kind(), "link %s is a %q link; its kind cannot change", name, kind)
		}
		if err := checkChange(c.Data, cur); err != nil {
			return err
		}
		if err := checkKernel(c.Data); err != nil {
			return err
		}
		m.Attributes.Info = &rtnl.LinkInfo{Kind: kind, Data: c.Data}
	}
	err = h.c.SetLink(m)
	var oe *rtnl.OpError
	if errors.As(err, &oe) {
		// The request names the link by index (and carries the new name
		// when renaming): say which link it was.
		oe.Name = name
	}
	return err
}

// checkChange checks kind data against the link's current settings.
func checkChange(d rtnetlink.LinkDriver, cur *rtnl.LinkMessage) error {
	var want, have *rtnl.MACVlan
	switch v := d.(type) {
	case *rtnl.MACVlan:
		want = v
	case *rtnl.MACVtap:
		want = &v.MACVlan
	case *rtnl.IPVlan, *rtnl.IPVtap:
		s := &IPVlan{}
		switch v := v.(type) {
		case *rtnl.IPVlan:
			s.Mode, s.Flag = v.Mode, v.Flags
		case *rtnl.IPVtap:
			s.Mode, s.Flag = v.Mode, v.Flags
		}
		return s.validate()
	default:
		return fmt.Errorf("changing %s links is not supported: %w", d.Kind(), errdefs.ErrInvalid)
	}
	switch v := cur.Attributes.Info.Data.(type) {
	case *rtnl.MACVlan:
		have = v
	case *rtnl.MACVtap:
		have = &v.MACVlan
	}
	mode := want.Mode
	if mode == nil && have != nil {
		mode = have.Mode
	}
	if have != nil && have.Mode != nil && want.Mode != nil &&
		(*have.Mode == rtnl.MACVlanModePassthru) != (*want.Mode == rtnl.MACVlanModePassthru) {
		return invalid("macvlan mode", want.Mode.String(), "the kernel cannot switch a link into or out of passthru mode; delete and re-create it")
	}
	list := want.MACAddrData
	if want.MACAddr != nil {
		list = append(list, want.MACAddr)
	}
	return checkMACVlan(mode, want.Flags, want.MACAddrMode, list)
}
