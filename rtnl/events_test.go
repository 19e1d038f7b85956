package rtnl_test

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/jsimonetti/rtnetlink/v2/driver"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// eventsTimeout bounds a wait for a notification that must come: the
// test fails rather than hangs when it does not.
const eventsTimeout = 10 * time.Second

// dialConn opens a Conn in ns for the test.
func dialConn(t *testing.T, ns *netns.NS) *rtnl.Conn {
	t.Helper()
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// addVethPair creates a veth pair name/name+"p", down.
func addVethPair(t *testing.T, c *rtnl.Conn, name string) {
	t.Helper()
	peer := &rtnetlink.LinkMessage{Attributes: &rtnetlink.LinkAttributes{Name: name + "p"}}
	err := c.NewLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
		Name: name, Info: &rtnl.LinkInfo{Kind: "veth", Data: &driver.Veth{PeerInfo: peer}},
	}})
	if err != nil {
		t.Fatalf("create veth %s: %v", name, err)
	}
}

// seen is one notification as the tests compare them.
type seen struct {
	typ  netlink.HeaderType
	name string
}

func (s seen) String() string {
	if s.typ == unix.RTM_DELLINK {
		return "del " + s.name
	}
	return "new " + s.name
}

// receiveUntil receives from ev until a notification matches want, and
// returns every notification it received, that one included.
func receiveUntil(t *testing.T, ev *rtnl.LinkEvents, want seen) []seen {
	t.Helper()
	if err := ev.SetReadDeadline(time.Now().Add(eventsTimeout)); err != nil {
		t.Fatal(err)
	}
	var got []seen
	for {
		evs, err := ev.Receive()
		if err != nil {
			t.Fatalf("waiting for %s, after %v: %v", want, got, err)
		}
		for _, e := range evs {
			s := seen{e.Type, e.Link.Attributes.Name}
			got = append(got, s)
			if s == want {
				return got
			}
		}
	}
}

// TestLinkEvents checks that a subscription sees the links of its own
// namespace appear, change name and go, decoded, and nothing of another
// namespace's: a link created elsewhere before would be received first.
func TestLinkEvents(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	other, _ := testenv.NewNetNS(t)
	ev := testenv.DialLinkEvents(t, ns)
	c, oc := dialConn(t, ns), dialConn(t, other)

	for _, tt := range []struct {
		name string
		do   func() error
		want seen
	}{
		{"create elsewhere, then here", func() error {
			addVethPair(t, oc, "else0")
			addVethPair(t, c, "ev0")
			return nil
		}, seen{unix.RTM_NEWLINK, "ev0"}},
		{"rename", func() error {
			l, err := c.GetLink("ev0")
			if err != nil {
				return err
			}
			return c.SetLink(&rtnl.LinkMessage{Index: l.Index, Attributes: rtnl.LinkAttributes{Name: "ev1"}})
		}, seen{unix.RTM_NEWLINK, "ev1"}},
		{"delete", func() error { return c.DeleteLinkName("ev1") }, seen{unix.RTM_DELLINK, "ev1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); err != nil {
				t.Fatal(err)
			}
			for _, s := range receiveUntil(t, ev, tt.want) {
				if s.name == "else0" || s.name == "else0p" {
					t.Errorf("received %s, a link of another namespace", s)
				}
			}
		})
	}
}

// TestLinkEventsDecoded checks that a notification carries the link's
// attributes, such as its kind and MTU.
func TestLinkEventsDecoded(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	ev := testenv.DialLinkEvents(t, ns)
	c := dialConn(t, ns)
	addVethPair(t, c, "ev0")
	l, err := c.GetLink("ev0")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetLink(&rtnl.LinkMessage{Index: l.Index, Attributes: rtnl.LinkAttributes{MTU: 1234}}); err != nil {
		t.Fatal(err)
	}
	if err := ev.SetReadDeadline(time.Now().Add(eventsTimeout)); err != nil {
		t.Fatal(err)
	}
	for {
		evs, err := ev.Receive()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			a := e.Link.Attributes
			if a.Name != "ev0" || a.MTU != 1234 {
				continue
			}
			if e.Type != unix.RTM_NEWLINK || e.Link.Index != l.Index || a.Info == nil || a.Info.Kind != "veth" {
				t.Errorf("notification of the MTU change: type %d, index %d, info %+v; want RTM_NEWLINK, %d, kind veth",
					e.Type, e.Link.Index, a.Info, l.Index)
			}
			return
		}
	}
}

// TestLinkEventsOverrun fills a small receive buffer with more
// notifications than it holds: Receive reports the overrun, discards
// what was queued, then receives what comes next.
func TestLinkEventsOverrun(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	ev := testenv.DialLinkEvents(t, ns)
	if err := ev.SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	c := dialConn(t, ns)
	addVethPair(t, c, "ev0")
	l, err := c.GetLink("ev0")
	if err != nil {
		t.Fatal(err)
	}
	// Each change is a notification of about a kilobyte: 100 of them
	// overrun a buffer of a few.
	for i := range 100 {
		if err := c.SetLink(&rtnl.LinkMessage{Index: l.Index, Attributes: rtnl.LinkAttributes{MTU: uint32(1300 + i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ev.SetReadDeadline(time.Now().Add(eventsTimeout)); err != nil {
		t.Fatal(err)
	}
	overrun := false
	for !overrun {
		_, err := ev.Receive()
		switch {
		case errors.Is(err, rtnl.ErrOverrun):
			overrun = true
			if !errors.Is(err, unix.ENOBUFS) {
				t.Errorf("overrun error %v does not match ENOBUFS", err)
			}
		case err != nil:
			t.Fatalf("receive: %v; want an overrun", err)
		}
	}
	if err := c.SetLink(&rtnl.LinkMessage{Index: l.Index, Attributes: rtnl.LinkAttributes{Name: "ev1"}}); err != nil {
		t.Fatal(err)
	}
	// Had the stale notifications not been discarded, the kernel would
	// have dropped this one, the queue being still full.
	for _, s := range receiveUntil(t, ev, seen{unix.RTM_NEWLINK, "ev1"}) {
		if s.name != "ev1" {
			t.Errorf("received %s, queued before the overrun was reported", s)
		}
	}
}

// TestLinkEventsDeadline checks that Receive gives up at the deadline
// when nothing happens.
func TestLinkEventsDeadline(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	ev := testenv.DialLinkEvents(t, ns)
	if err := ev.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	evs, err := ev.Receive()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Receive in a quiet namespace: %v, %v; want the deadline exceeded", evs, err)
	}
}

// TestLinkEventsClose checks that Close ends a Receive blocked in
// another goroutine, and that Receive fails after Close. Should Close
// not unblock a pending Receive, the test hangs and the go test timeout
// fails it.
func TestLinkEventsClose(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	ev, err := rtnl.DialLinkEvents(ns)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := ev.Receive()
		errc <- err
	}()
	if err := ev.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Receive during Close: %v; want an error matching net.ErrClosed", err)
	}
	if _, err := ev.Receive(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Receive after Close: %v; want an error matching net.ErrClosed", err)
	}
}
