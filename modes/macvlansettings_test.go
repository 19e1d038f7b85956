package modes

import (
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestMACVlanSettings creates macvlan networks with vlanraw's own
// options (source mode with its MACs, nodst, nopromisc, bcqueuelen),
// connects a namespace, and reads the link's settings from the kernel;
// then deletes the link and restores it from the record, and reads them
// again.
func TestMACVlanSettings(t *testing.T) {
	macs := []string{"02:00:00:00:00:0a", "02:00:00:00:00:0b"}
	for _, tc := range []struct {
		name  string
		opts  map[string]string
		mode  rtnl.MACVlanMode
		flags rtnl.MACVlanFlag
		macs  []string
		bcq   uint32
		// promisc is whether the parent ends up promiscuous.
		promisc bool
		since   string
	}{
		{name: "source nodst", opts: map[string]string{"macvlan_mode": "source", "macvlan_flag": "nodst", "macvlan_source_macs": "02:00:00:00:00:0b,02:00:00:00:00:0a"},
			mode: rtnl.MACVlanModeSource, flags: rtnl.MACVlanFlagNoDst, macs: macs},
		{name: "source", opts: map[string]string{"macvlan_mode": "source", "macvlan_source_macs": "02:00:00:00:00:0a"},
			mode: rtnl.MACVlanModeSource, macs: macs[:1]},
		{name: "passthru nopromisc", opts: map[string]string{"macvlan_mode": "passthru", "macvlan_flag": "nopromisc"},
			mode: rtnl.MACVlanModePassthru, flags: rtnl.MACVlanFlagNoPromisc},
		{name: "passthru", opts: map[string]string{"macvlan_mode": "passthru"}, mode: rtnl.MACVlanModePassthru, promisc: true},
		{name: "bcqueuelen", opts: map[string]string{"macvlan_bcqueuelen": "4321"}, mode: rtnl.MACVlanModeBridge, bcq: 4321, since: "5.11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.opts["parent"] = "p0"
			_, err := e.m.CreateNetwork(NetworkSpec{Name: "net", Driver: MACVlan, Options: tc.opts})
			if tc.since != "" && !testenv.KernelAtLeast(tc.since) {
				var ke *links.KernelError
				if !errors.As(err, &ke) || ke.Since != tc.since {
					t.Fatalf("kernel %s: network create: %v; want a *links.KernelError naming Linux %s", testenv.KernelRelease(), err, tc.since)
				}
				if e.stateBytes() != "" {
					if _, err := e.m.Network("net"); err == nil {
						t.Error("the refused network is recorded")
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, name, th := e.target()
			if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
				t.Fatal(err)
			}
			check := func(when string) {
				t.Helper()
				d, ok := mustGet(t, th, "eth0").Data.(*rtnl.MACVlan)
				if !ok || d.Mode == nil || *d.Mode != tc.mode {
					t.Fatalf("%s: link data %+v, want mode %s", when, d, tc.mode)
				}
				if got := flagsOf(d); got != tc.flags {
					t.Errorf("%s: flags %s, want %s", when, got, tc.flags)
				}
				var got []string
				for _, m := range d.MACAddrData {
					got = append(got, m.String())
				}
				sort.Strings(got)
				if !slices.Equal(got, tc.macs) {
					t.Errorf("%s: source MACs %v, want %v", when, got, tc.macs)
				}
				if tc.bcq != 0 && (d.BCQueueLen == nil || *d.BCQueueLen != tc.bcq) {
					t.Errorf("%s: bcqueuelen %v, want %d", when, d.BCQueueLen, tc.bcq)
				}
				// (Other modes make a veth parent promiscuous: it has no
				// unicast filter.)
				if p := mustGet(t, e.hh, "p0").Msg.Attributes.Promiscuity; tc.mode == rtnl.MACVlanModePassthru && (p > 0) != tc.promisc {
					t.Errorf("%s: parent promiscuity %d, want promiscuous %v", when, p, tc.promisc)
				}
			}
			check("connect")
			if err := th.Delete("eth0"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.manager().Restore(); err != nil {
				t.Fatal(err)
			}
			check("restore")
		})
	}
}

func flagsOf(d *rtnl.MACVlan) rtnl.MACVlanFlag {
	if d.Flags == nil {
		return 0
	}
	return *d.Flags
}
