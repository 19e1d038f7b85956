package links

import (
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Dummy is a dummy link. It has no options to change.
type Dummy struct {
	Attrs
}

// Kind implements Spec.
func (s *Dummy) Kind() string { return "dummy" }

// NeedsParent implements Spec: a dummy has no lower device.
func (s *Dummy) NeedsParent() bool { return false }

func (s *Dummy) parent() string { return "" }

func (s *Dummy) change(rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error) { return nil, noChange(s) }

func (s *Dummy) validate() error { return nil }

func (s *Dummy) data() (rtnetlink.LinkDriver, error) { return &rtnl.Dummy{}, nil }
