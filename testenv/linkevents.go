package testenv

import (
	"testing"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// DialLinkEvents subscribes to the link notifications of ns (nil: the
// current namespace) until the test ends. Subscribe before the change
// waited for, so that it cannot be missed (see rtnl.LinkEvents).
func DialLinkEvents(tb testing.TB, ns *netns.NS) *rtnl.LinkEvents {
	tb.Helper()
	ev, err := rtnl.DialLinkEvents(ns)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ev.Close() })
	return ev
}
