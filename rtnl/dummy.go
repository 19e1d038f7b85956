package rtnl

import (
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// Dummy is the (empty) IFLA_INFO_DATA of a dummy link.
type Dummy struct{}

var _ rtnetlink.LinkDriver = (*Dummy)(nil)

// New implements rtnetlink.LinkDriver.
func (*Dummy) New() rtnetlink.LinkDriver { return &Dummy{} }

// Kind implements rtnetlink.LinkDriver.
func (*Dummy) Kind() string { return "dummy" }

// Encode implements rtnetlink.LinkDriver. A dummy has no data.
func (*Dummy) Encode(*netlink.AttributeEncoder) error { return nil }

// Decode implements rtnetlink.LinkDriver.
func (*Dummy) Decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
	}
	return ad.Err()
}
