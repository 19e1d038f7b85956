package cni_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestIPVlanAddCheckDel attaches a container with every ipvlan mode and
// every supported cniVersion, as vlanraw and as the drop-in ipvlan. As
// vlanraw, l2 gets "default via" the gateway and arp_notify, l3 and l3s
// a connected "default dev eth0" (no ARP on those links); as the drop-in,
// what the reference plugin does: no route the IPAM plugin did not give,
// and arp_notify in every mode. Runs where the kernel has ipvlan (in
// QEMU).
func TestIPVlanAddCheckDel(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, mode := range []string{"l2", "l3", "l3s"} {
		for _, v := range versions {
			for _, typ := range []string{"vlanraw", "ipvlan"} {
				t.Run(fmt.Sprintf("%s/%s/%s", mode, v, typ), func(t *testing.T) {
					w := newWorld(t)
					conf := map[string]any{"type": typ, "master": w.master, "mode": mode, "ipam": hostLocal()}
					if typ == "vlanraw" {
						conf["driver"] = "ipvlan"
						conf["ipvlan_flag"] = "private"
					}
					list := w.conflist(v, conf)
					c := w.newContainer()
					ctx := context.Background()
					res, err := w.cni.AddNetworkList(ctx, list, c.rt())
					if err != nil {
						t.Fatalf("ADD: %v", err)
					}
					r := asCurrent(t, res)
					k, err := w.inspect(c, "eth0")
					if err != nil {
						t.Fatalf("the link in the container: %v", err)
					}
					master, err := w.handle(w.host).Get(w.master)
					if err != nil {
						t.Fatal(err)
					}
					if len(r.Interfaces) != 1 || r.Interfaces[0].Name != "eth0" || r.Interfaces[0].Sandbox != c.path ||
						r.Interfaces[0].Mac != master.MAC.String() || k.link.MAC.String() != master.MAC.String() {
						t.Errorf("interfaces %v (kernel MAC %s), want eth0 in %s with the master's MAC %s", r.Interfaces, k.link.MAC, c.path, master.MAC)
					}
					d, ok := k.link.Data.(*rtnl.IPVlan)
					wantFlag := rtnl.IPVlanFlagBridge
					if typ == "vlanraw" {
						wantFlag = rtnl.IPVlanFlagPrivate
					}
					if k.link.Kind != "ipvlan" || !ok || d.Mode == nil || d.Mode.String() != mode || d.Flags == nil || *d.Flags != wantFlag {
						t.Errorf("link %s %+v, want ipvlan %s %s", k.link.Kind, k.link.Data, mode, wantFlag)
					}
					if len(r.IPs) != 1 || r.IPs[0].Interface == nil || *r.IPs[0].Interface != 0 {
						t.Fatalf("ips %v, want one on interface 0", r.IPs)
					}
					a, _ := netip.AddrFromSlice(r.IPs[0].Address.IP)
					if !slices.Contains(k.addrs, netip.PrefixFrom(a.Unmap(), 24)) {
						t.Errorf("the kernel has %v, the result %v", k.addrs, r.IPs[0].Address.String())
					}
					arp := sysctl(t, c.ns, "ipv4/conf/eth0/arp_notify")
					if typ == "ipvlan" {
						checkDropInRoutes(t, r, k, c)
						if arp != "1" {
							t.Errorf("arp_notify %s, want 1 in every mode, as the reference plugin", arp)
						}
					} else if mode == "l2" {
						if !hasRoute(k, "0.0.0.0/0", "10.50.0.1") || len(r.Routes) != 1 || r.Routes[0].GW.String() != "10.50.0.1" {
							t.Errorf("routes %v (kernel %+v), want default via 10.50.0.1", r.Routes, k.routes)
						}
						if arp != "1" {
							t.Errorf("arp_notify %s, want 1", arp)
						}
					} else {
						if !hasRoute(k, "0.0.0.0/0", "invalid IP") || len(r.Routes) != 1 || r.Routes[0].GW != nil {
							t.Errorf("routes %v (kernel %+v), want default dev eth0", r.Routes, k.routes)
						}
					}
					if v != "0.3.1" {
						if err := w.cni.CheckNetworkList(ctx, list, c.rt()); err != nil {
							t.Errorf("CHECK: %v", err)
						}
					}
					if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
						t.Fatalf("DEL: %v", err)
					}
					if n := w.linkCount(c); n != 0 {
						t.Errorf("%d links left after DEL", n)
					}
					if rs := w.reservations(); len(rs) != 0 {
						t.Errorf("host-local holds %v after DEL", rs)
					}
				})
			}
		}
	}
}

// TestVLANMaster attaches two containers over master m0.50, which does
// not exist: the first ADD makes it as an 802.1Q link on m0 with VLAN
// 50, the last DEL deletes it.
func TestVLANMaster(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	w := newWorld(t)
	conf := w.macvlanConf()
	conf["master"] = "m0.50"
	list := w.conflist("1.1.0", conf)
	ctx := context.Background()
	a, b := w.newContainer(), w.newContainer()
	h := w.handle(w.host)
	for _, c := range []*container{a, b} {
		if _, err := w.cni.AddNetworkList(ctx, list, c.rt()); err != nil {
			t.Fatalf("ADD: %v", err)
		}
		k, err := w.inspect(c, "eth0")
		if err != nil {
			t.Fatal(err)
		}
		if k.link.Kind != "macvlan" {
			t.Errorf("link kind %s, want macvlan", k.link.Kind)
		}
	}
	vlan, err := h.Get("m0.50")
	if err != nil {
		t.Fatalf("the master m0.50 after ADD: %v", err)
	}
	if d, ok := vlan.Data.(*rtnl.VLAN); vlan.Kind != "vlan" || !ok || d.ID == nil || *d.ID != 50 || vlan.Parent != "m0" {
		t.Errorf("m0.50 is %s %+v on %q, want vlan 50 on m0", vlan.Kind, vlan.Data, vlan.Parent)
	}
	if err := w.cni.DelNetworkList(ctx, list, a.rt()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get("m0.50"); err != nil {
		t.Errorf("m0.50 went with the first DEL, while b is attached: %v", err)
	}
	if err := w.cni.DelNetworkList(ctx, list, b.rt()); err != nil {
		t.Fatal(err)
	}
	if l, err := h.Get("m0.50"); err == nil {
		t.Errorf("m0.50 (%s) is still there after the last DEL", l.Kind)
	}
}
