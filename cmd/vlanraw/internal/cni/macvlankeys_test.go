package cni_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestMACVlanKeys attaches a container through libcni with the macvlan
// keys beyond the mode (sourceMacs, nodst, nopromisc, bcqueuelen) and
// reads the link's settings from the kernel inside the namespace; then
// CHECK and DEL. A key the running kernel lacks is refused, naming the
// Linux version that has it, and leaves nothing behind.
func TestMACVlanKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  map[string]any
		mode  rtnl.MACVlanMode
		flags rtnl.MACVlanFlag
		macs  []string
		bcq   uint32
		since string
	}{
		{name: "source", keys: map[string]any{"mode": "source", "sourceMacs": []string{"02:00:00:00:00:0B", "02:00:00:00:00:0a"}},
			mode: rtnl.MACVlanModeSource, macs: []string{"02:00:00:00:00:0a", "02:00:00:00:00:0b"}},
		{name: "source nodst", keys: map[string]any{"mode": "source", "nodst": true, "sourceMacs": []string{"02:00:00:00:00:0a"}},
			mode: rtnl.MACVlanModeSource, flags: rtnl.MACVlanFlagNoDst, macs: []string{"02:00:00:00:00:0a"}, since: "5.13"},
		{name: "passthru nopromisc", keys: map[string]any{"mode": "passthru", "nopromisc": true},
			mode: rtnl.MACVlanModePassthru, flags: rtnl.MACVlanFlagNoPromisc},
		{name: "bcqueuelen", keys: map[string]any{"bcqueuelen": 2345}, mode: rtnl.MACVlanModeBridge, bcq: 2345, since: "5.11"},
		{name: "drop-in bcqueuelen", keys: map[string]any{"type": "macvlan", "bcqueuelen": 2345}, mode: rtnl.MACVlanModeBridge, bcq: 2345, since: "5.11"},
		// A drop-in takes a reference configuration unchanged, keys its
		// plugin ignores included (vlanraw's own type refuses them: see
		// badInputs).
		{name: "drop-in unknown keys", keys: map[string]any{"type": "macvlan", "mode": "bridge", "promiscMode": true, "vlan": 7},
			mode: rtnl.MACVlanModeBridge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			conf := w.macvlanConf()
			delete(conf, "mode")
			for k, v := range tc.keys {
				conf[k] = v
			}
			if conf["type"] == "macvlan" {
				delete(conf, "driver")
			}
			list := w.conflist("1.1.0", conf)
			c := w.newContainer()
			ctx := context.Background()
			_, err := w.cni.AddNetworkList(ctx, list, c.rt())
			if tc.since != "" && !testenv.KernelAtLeast(tc.since) {
				// nodst came to Debian's 5.10 in 5.10.249: a kernel may
				// have it; one that has not is named.
				if err == nil && tc.flags == rtnl.MACVlanFlagNoDst {
					t.Logf("kernel %s has nodst", testenv.KernelRelease())
				} else {
					if err == nil || !strings.Contains(err.Error(), "Linux "+tc.since) {
						t.Fatalf("kernel %s: ADD: %v; want a refusal naming Linux %s", testenv.KernelRelease(), err, tc.since)
					}
					w.checkNothingLeft(t, c)
					return
				}
			}
			if err != nil {
				t.Fatalf("ADD: %v", err)
			}
			k, err := w.inspect(c, "eth0")
			if err != nil {
				t.Fatal(err)
			}
			d, ok := k.link.Data.(*rtnl.MACVlan)
			if !ok || d.Mode == nil || *d.Mode != tc.mode {
				t.Fatalf("link data %+v, want mode %s", k.link.Data, tc.mode)
			}
			var flags rtnl.MACVlanFlag
			if d.Flags != nil {
				flags = *d.Flags
			}
			if flags != tc.flags {
				t.Errorf("flags %s, want %s", flags, tc.flags)
			}
			var macs []string
			for _, m := range d.MACAddrData {
				macs = append(macs, m.String())
			}
			sort.Strings(macs)
			if !slices.Equal(macs, tc.macs) {
				t.Errorf("source MACs %v, want %v", macs, tc.macs)
			}
			if tc.bcq != 0 && (d.BCQueueLen == nil || *d.BCQueueLen != tc.bcq) {
				t.Errorf("bcqueuelen %v, want %d", d.BCQueueLen, tc.bcq)
			}
			if tc.flags == rtnl.MACVlanFlagNoPromisc {
				m0, err := w.handle(w.host).Get(w.master)
				if err != nil {
					t.Fatal(err)
				}
				if p := m0.Msg.Attributes.Promiscuity; p != 0 {
					t.Errorf("master promiscuity %d with nopromisc, want 0", p)
				}
			}
			if err := w.cni.CheckNetworkList(ctx, list, c.rt()); err != nil {
				t.Errorf("CHECK: %v", err)
			}
			if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
				t.Fatalf("DEL: %v", err)
			}
			if n := w.linkCount(c); n != 0 {
				t.Errorf("%d links left in the container after DEL", n)
			}
		})
	}
}

// TestMACVlanKeysRefused runs ADDs with macvlan keys that do not fit:
// each is a spec error naming the problem, and leaves nothing.
func TestMACVlanKeysRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys map[string]any
		code uint
		msg  string
	}{
		{"source without MACs", map[string]any{"mode": "source"}, 7, "macvlan_mode=source needs macvlan_source_macs"},
		{"MACs without source", map[string]any{"sourceMacs": []string{"02:00:00:00:00:0a"}}, 7, "needs macvlan_mode=source, not bridge"},
		{"bad MAC", map[string]any{"mode": "source", "sourceMacs": []string{"02:00:00:00:00"}}, 7, `invalid source MAC "02:00:00:00:00"`},
		{"nodst without source", map[string]any{"nodst": true}, 7, "macvlan flag nodst needs macvlan_mode=source, not bridge"},
		{"nopromisc without passthru", map[string]any{"nopromisc": true}, 7, "macvlan flag nopromisc needs macvlan_mode=passthru, not bridge"},
		{"nopromisc and nodst", map[string]any{"mode": "source", "nopromisc": true, "nodst": true}, 7, "exclude each other"},
		{"on ipvlan", map[string]any{"driver": "ipvlan", "bcqueuelen": 100}, 7, "for macvlan"},
		{"with a network", map[string]any{"network": "net", "nodst": true, "master": nil, "driver": nil, "ipam": nil}, 7, "leave driver, master"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			conf := w.macvlanConf()
			delete(conf, "mode")
			for k, v := range tc.keys {
				if v == nil {
					delete(conf, k)
				} else {
					conf[k] = v
				}
			}
			c := w.newContainer()
			_, err := w.cni.AddNetworkList(context.Background(), w.conflist("1.1.0", conf), c.rt())
			if err == nil {
				t.Fatal("ADD succeeded")
			}
			if cniCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v (code %d), want code %d naming %q", err, cniCode(err), tc.code, tc.msg)
			}
			w.checkNothingLeft(t, c)
		})
	}
}
