package rtnl_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestLiveMACVlanSources runs the source-mode requests of the golden
// tests against the running kernel, in a throwaway namespace, and reads
// the results back: the MAC list edits (set, del, flush), the queue
// length the port uses, and EEXIST for a name taken. It needs root.
func TestLiveMACVlanSources(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	c, p0 := dialWithVeth(t, ns)
	parent := uint32(p0.Index)

	add := newLink(parent, "mv0", "macvlan", &rtnl.MACVlan{
		Mode:        ptr(rtnl.MACVlanModeSource),
		Flags:       ptr(rtnl.MACVlanFlagNoDst),
		MACAddrMode: ptr(rtnl.MACAddrSet),
		MACAddrData: []net.HardwareAddr{mac("02:aa:00:00:00:01"), mac("02:aa:00:00:00:02"), mac("02:aa:00:00:00:03")},
		BCQueueLen:  ptr[uint32](3000),
	})
	if err := c.NewLink(add); err != nil {
		if errors.Is(err, errdefs.ErrNotSupported) {
			t.Skipf("the running kernel has no macvlan: %v", err)
		}
		t.Fatalf("create mv0: %v", err)
	}
	mv0, err := c.GetLink("mv0")
	if err != nil {
		t.Fatal(err)
	}

	// reported is what the kernel reports for a broadcast queue length
	// of n: nothing before Linux 5.11, which ignores the attribute.
	hasBCQueue := testenv.KernelAtLeast("5.11")
	if !hasBCQueue {
		t.Logf("kernel %s (before 5.11) ignores IFLA_MACVLAN_BC_QUEUE_LEN", testenv.KernelRelease())
	}
	reported := func(n uint32) *uint32 {
		if !hasBCQueue {
			return nil
		}
		return &n
	}

	// check reads mv0 back and compares its macvlan data.
	check := func(step string, want *rtnl.MACVlan) {
		t.Helper()
		got, err := c.GetLinkIndex(mv0.Index)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got.Attributes.Info == nil {
			t.Fatalf("%s: no link info", step)
		}
		if diff := cmp.Diff(rtnetlink.LinkDriver(want), got.Attributes.Info.Data); diff != "" {
			t.Errorf("%s: macvlan data (-want +got):\n%s", step, diff)
		}
	}
	// The kernel lists the sources newest first.
	check("after create", &rtnl.MACVlan{
		Mode:           ptr(rtnl.MACVlanModeSource),
		Flags:          ptr(rtnl.MACVlanFlagNoDst),
		MACAddrCount:   ptr[uint32](3),
		MACAddrData:    []net.HardwareAddr{mac("02:aa:00:00:00:03"), mac("02:aa:00:00:00:02"), mac("02:aa:00:00:00:01")},
		BCQueueLen:     reported(3000),
		BCQueueLenUsed: reported(3000),
	})

	steps := []struct {
		name string
		set  *rtnl.MACVlan
		want *rtnl.MACVlan
	}{
		{
			name: "macaddr del",
			set:  &rtnl.MACVlan{MACAddrMode: ptr(rtnl.MACAddrDel), MACAddr: mac("02:aa:00:00:00:02")},
			want: &rtnl.MACVlan{
				Mode: ptr(rtnl.MACVlanModeSource), Flags: ptr(rtnl.MACVlanFlagNoDst),
				MACAddrCount: ptr[uint32](2),
				MACAddrData:  []net.HardwareAddr{mac("02:aa:00:00:00:03"), mac("02:aa:00:00:00:01")},
				BCQueueLen:   reported(3000), BCQueueLenUsed: reported(3000),
			},
		},
		{
			name: "macaddr add and bcqueuelen",
			set:  &rtnl.MACVlan{MACAddrMode: ptr(rtnl.MACAddrAdd), MACAddr: mac("02:bb:00:00:00:01"), BCQueueLen: ptr[uint32](100)},
			want: &rtnl.MACVlan{
				Mode: ptr(rtnl.MACVlanModeSource), Flags: ptr(rtnl.MACVlanFlagNoDst),
				MACAddrCount: ptr[uint32](3),
				MACAddrData:  []net.HardwareAddr{mac("02:bb:00:00:00:01"), mac("02:aa:00:00:00:03"), mac("02:aa:00:00:00:01")},
				BCQueueLen:   reported(100), BCQueueLenUsed: reported(100),
			},
		},
		{
			name: "macaddr flush",
			set:  &rtnl.MACVlan{MACAddrMode: ptr(rtnl.MACAddrFlush)},
			want: &rtnl.MACVlan{
				Mode: ptr(rtnl.MACVlanModeSource), Flags: ptr(rtnl.MACVlanFlagNoDst),
				MACAddrCount: ptr[uint32](0),
				BCQueueLen:   reported(100), BCQueueLenUsed: reported(100),
			},
		},
	}
	for _, s := range steps {
		if err := c.SetLink(setLink(mv0.Index, "macvlan", s.set)); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		check(s.name, s.want)
	}

	err = c.NewLink(add)
	var oe *rtnl.OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.EEXIST) || oe.Name != "mv0" {
		t.Errorf("creating mv0 twice: got %v, want an *OpError about mv0 matching EEXIST", err)
	}
}

// TestLiveKindNotSupported creates one link of each kind the drivers know
// and checks that a kind the running kernel lacks (this host has no
// ipvlan, vlan or dummy) comes back as a *KindNotSupportedError naming
// its kernel option. It needs root.
func TestLiveKindNotSupported(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Each kind gets its own lower device: a parent that has an ipvlan
	// refuses a macvlan (EBUSY), and the other way round.
	parent := func(name string) uint32 {
		t.Helper()
		if err := c.NewLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
			Name: name, Info: &rtnl.LinkInfo{Kind: "veth"},
		}}); err != nil {
			t.Fatalf("create the lower device: %v", err)
		}
		p, err := c.GetLink(name)
		if err != nil {
			t.Fatal(err)
		}
		return uint32(p.Index)
	}

	tests := []struct {
		kind string
		msg  *rtnl.LinkMessage
	}{
		{"ipvlan", newLink(parent("p-ipvlan"), "x-ipvlan", "ipvlan", &rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL2), Flags: ptr(rtnl.IPVlanFlagBridge)})},
		{"ipvtap", newLink(parent("p-ipvtap"), "x-ipvtap", "ipvtap", &rtnl.IPVtap{IPVlan: rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL2), Flags: ptr(rtnl.IPVlanFlagBridge)}})},
		{"macvlan", newLink(parent("p-macvlan"), "x-macvlan", "macvlan", &rtnl.MACVlan{Mode: ptr(rtnl.MACVlanModeBridge)})},
		{"macvtap", newLink(parent("p-macvtap"), "x-macvtap", "macvtap", &rtnl.MACVtap{MACVlan: rtnl.MACVlan{Mode: ptr(rtnl.MACVlanModeBridge)}})},
		{"vlan", newLink(parent("p-vlan"), "x-vlan", "vlan", &rtnl.VLAN{ID: ptr[uint16](100)})},
		{"dummy", newLink(0, "x-dummy", "dummy", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			err := c.NewLink(tt.msg)
			if err == nil {
				t.Logf("the running kernel has %s", tt.kind)
				return
			}
			var kerr *rtnl.KindNotSupportedError
			if !errors.As(err, &kerr) {
				t.Fatalf("create %s: %v", tt.kind, err)
			}
			want := &rtnl.KindNotSupportedError{Kind: tt.kind, Config: rtnl.KindConfig(tt.kind), Err: kerr.Err}
			if diff := cmp.Diff(want, kerr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, errdefs.ErrNotSupported) || !errors.Is(err, unix.EOPNOTSUPP) {
				t.Errorf("%v does not match errdefs.ErrNotSupported and EOPNOTSUPP", err)
			}
			t.Logf("the running kernel has no %s: %v", tt.kind, err)
		})
	}
}

// TestLiveIPv4Conf sets arp_notify through IFLA_AF_SPEC and reads the
// sysctl back in the link's namespace.
func TestLiveIPv4Conf(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	c, p0 := dialWithVeth(t, ns)
	read := func() string {
		t.Helper()
		var b []byte
		if err := ns.Do(func() (err error) {
			b, err = os.ReadFile("/proc/sys/net/ipv4/conf/p0/arp_notify")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	for _, v := range []uint32{1, 0} {
		if err := c.SetLink(&rtnl.LinkMessage{Index: p0.Index, Attributes: rtnl.LinkAttributes{
			IPv4Conf: []rtnl.IPv4Conf{{ID: rtnl.IPv4ConfARPNotify, Value: v}},
		}}); err != nil {
			t.Fatalf("set %v=%d: %v", rtnl.IPv4ConfARPNotify, v, err)
		}
		if got := read(); got != fmt.Sprint(v) {
			t.Errorf("arp_notify is %s after setting %d", got, v)
		}
	}
}

// A new namespace has no IPv4 main table until its first IPv4 route:
// ListRoutes gives an empty list there, not the kernel's ENOENT.
func TestLiveListRoutesNoTable(t *testing.T) {
	ns, _ := testenv.NewNetNS(t)
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		rs, err := c.ListRoutes(fam, 0)
		if err != nil || len(rs) != 0 {
			t.Errorf("family %d: routes %v, error %v; want none", fam, rs, err)
		}
	}
}

// dialWithVeth dials rtnetlink in ns, closed when the test ends, and
// makes the veth p0 there, without peer attributes (the kernel names the
// peer); it returns the connection and p0 as the kernel reports it.
func dialWithVeth(t *testing.T, ns *netns.NS) (*rtnl.Conn, *rtnl.LinkMessage) {
	t.Helper()
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.NewLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
		Name: "p0", Info: &rtnl.LinkInfo{Kind: "veth"},
	}}); err != nil {
		t.Fatalf("create veth p0: %v", err)
	}
	p0, err := c.GetLink("p0")
	if err != nil {
		t.Fatal(err)
	}
	return c, p0
}
