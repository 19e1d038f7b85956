package cni_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/vlanraw/vlanraw/rtnl"
)

var versions = []string{"0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// TestMACVlanAddCheckDel attaches a container through libcni with every
// macvlan mode and every supported cniVersion, checks the result field
// by field and the kernel inside the namespace, then CHECK and DEL.
func TestMACVlanAddCheckDel(t *testing.T) {
	for _, mode := range []string{"bridge", "private", "vepa", "passthru"} {
		for _, v := range versions {
			for _, typ := range []string{"vlanraw", "macvlan"} {
				t.Run(fmt.Sprintf("%s/%s/%s", mode, v, typ), func(t *testing.T) {
					w := newWorld(t)
					conf := map[string]any{"type": typ, "master": w.master, "mode": mode, "ipam": hostLocal()}
					if typ == "vlanraw" {
						conf["driver"] = "macvlan"
					}
					list := w.conflist(v, conf)
					c := w.newContainer()
					ctx := context.Background()
					res, err := w.cni.AddNetworkList(ctx, list, c.rt())
					if err != nil {
						t.Fatalf("ADD: %v", err)
					}
					if res.Version() != v {
						t.Errorf("result version %s, want %s", res.Version(), v)
					}
					r := asCurrent(t, res)
					k, err := w.inspect(c, "eth0")
					if err != nil {
						t.Fatalf("the link in the container: %v", err)
					}
					// The result, field by field, against the kernel.
					if len(r.Interfaces) != 1 {
						t.Fatalf("interfaces %v, want one", r.Interfaces)
					}
					ifc := r.Interfaces[0]
					if ifc.Name != "eth0" || ifc.Sandbox != c.path || ifc.Mac != k.link.MAC.String() {
						t.Errorf("interface %+v, want eth0 in %s with the kernel's MAC %s", ifc, c.path, k.link.MAC)
					}
					if len(r.IPs) != 1 {
						t.Fatalf("ips %v, want one", r.IPs)
					}
					ip := r.IPs[0]
					addr, _ := netip.AddrFromSlice(ip.Address.IP)
					ones, _ := ip.Address.Mask.Size()
					got := netip.PrefixFrom(addr.Unmap(), ones)
					if !netip.MustParsePrefix("10.50.0.0/24").Contains(got.Addr()) || ones != 24 {
						t.Errorf("address %v, want one in 10.50.0.0/24", ip.Address)
					}
					if ip.Interface == nil || *ip.Interface != 0 {
						t.Errorf("ip interface %v, want 0", ip.Interface)
					}
					if ip.Gateway.String() != "10.50.0.1" {
						t.Errorf("gateway %v, want 10.50.0.1", ip.Gateway)
					}
					if !slices.Contains(k.addrs, got) {
						t.Errorf("the kernel has addresses %v, not %v", k.addrs, got)
					}
					if k.link.Kind != "macvlan" || !k.link.Up() {
						t.Errorf("link kind %s up %v, want an up macvlan", k.link.Kind, k.link.Up())
					}
					if d, ok := k.link.Data.(*rtnl.MACVlan); !ok || d.Mode == nil || d.Mode.String() != mode {
						t.Errorf("link data %+v, want mode %s", k.link.Data, mode)
					}
					if typ == "vlanraw" {
						if len(r.Routes) != 1 || r.Routes[0].Dst.String() != "0.0.0.0/0" || r.Routes[0].GW.String() != "10.50.0.1" {
							t.Errorf("routes %v, want default via 10.50.0.1", r.Routes)
						}
						if !hasRoute(k, "0.0.0.0/0", "10.50.0.1") {
							t.Errorf("the kernel's routes %+v lack default via 10.50.0.1", k.routes)
						}
					} else {
						checkDropInRoutes(t, r, k, c)
					}
					if got := sysctl(t, c.ns, "ipv4/conf/eth0/arp_notify"); got != "1" {
						t.Errorf("arp_notify %s, want 1", got)
					}
					if !strings.HasPrefix(k.link.Alias, "vlanraw:") {
						t.Errorf("alias %q: the link does not carry vlanraw's mark", k.link.Alias)
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
						t.Errorf("%d links left in the container after DEL", n)
					}
					if rs := w.reservations(); len(rs) != 0 {
						t.Errorf("host-local still holds %v after DEL", rs)
					}
				})
			}
		}
	}
}

func hasRoute(k *kernelLink, dst, gw string) bool {
	for _, r := range k.routes {
		d := r.Dst
		if !d.IsValid() {
			d = netip.MustParsePrefix("0.0.0.0/0")
		}
		if d.String() == dst && r.Gateway.String() == gw {
			return true
		}
	}
	return false
}

// checkDropInRoutes checks the routes of a drop-in endpoint whose IPAM
// plugin (host-local) gave none: the reference plugins add none and
// report none, and leave IPv6 enabled (a link-local address, no
// disable_ipv6).
func checkDropInRoutes(t *testing.T, r *current.Result, k *kernelLink, c *container) {
	t.Helper()
	if len(r.Routes) != 0 {
		t.Errorf("routes %v, want none, as the reference plugins (host-local gave none)", r.Routes)
	}
	for _, rt := range k.routes {
		if !rt.Dst.IsValid() || rt.Dst.Bits() == 0 {
			t.Errorf("the kernel has a default route %+v, want none, as the reference plugins", rt)
		}
	}
	if got := sysctl(t, c.ns, "ipv6/conf/eth0/disable_ipv6"); got != "0" {
		t.Errorf("disable_ipv6 %s, want 0 (the namespace's default), as the reference plugins", got)
	}
}

// macvlanConf is a vlanraw macvlan bridge configuration with host-local.
func (w *world) macvlanConf() map[string]any {
	return map[string]any{"type": "vlanraw", "driver": "macvlan", "master": w.master, "mode": "bridge", "ipam": hostLocal()}
}

// TestDelTwice deletes an attachment twice: the second DEL succeeds too.
func TestDelTwice(t *testing.T) {
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	c := w.newContainer()
	ctx := context.Background()
	if _, err := w.cni.AddNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
			t.Fatalf("DEL #%d: %v", i+1, err)
		}
	}
	if n := w.linkCount(c); n != 0 {
		t.Errorf("%d links left", n)
	}
	if rs := w.reservations(); len(rs) != 0 {
		t.Errorf("host-local still holds %v", rs)
	}
}

// TestDelAfterNetnsGone deletes an attachment whose namespace was
// deleted: DEL succeeds and the address is released.
func TestDelAfterNetnsGone(t *testing.T) {
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	c := w.newContainer()
	ctx := context.Background()
	if _, err := w.cni.AddNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatal(err)
	}
	if rs := w.reservations(); len(rs) != 1 {
		t.Fatalf("host-local holds %v, want one address", rs)
	}
	deleteNS(t, c)
	if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatalf("DEL: %v", err)
	}
	if rs := w.reservations(); len(rs) != 0 {
		t.Errorf("host-local still holds %v", rs)
	}
	// The implicit network went with its last attachment: a new ADD
	// works from scratch.
	c2 := w.newContainer()
	if _, err := w.cni.AddNetworkList(ctx, list, c2.rt()); err != nil {
		t.Fatalf("ADD after: %v", err)
	}
	if err := w.cni.DelNetworkList(ctx, list, c2.rt()); err != nil {
		t.Fatal(err)
	}
}

// TestDelAfterLinkGone deletes an attachment whose link was deleted, by
// hand or by a DEL killed after deleting it (DEL deletes the link before
// it takes the state's lock): DEL succeeds, the address is released and
// the record, with the implicit network, is gone.
func TestDelAfterLinkGone(t *testing.T) {
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	c := w.newContainer()
	ctx := context.Background()
	if _, err := w.cni.AddNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatal(err)
	}
	h := w.handle(c.ns)
	l, err := h.Get("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Delete(l.Name); err != nil {
		t.Fatal(err)
	}
	if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatalf("DEL: %v", err)
	}
	w.checkNothingLeft(t, c)
}

// TestCheckAfterAddressRemoved removes the address by hand: CHECK fails
// and names it.
func TestCheckAfterAddressRemoved(t *testing.T) {
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	c := w.newContainer()
	ctx := context.Background()
	res, err := w.cni.AddNetworkList(ctx, list, c.rt())
	if err != nil {
		t.Fatal(err)
	}
	r := asCurrent(t, res)
	addr, _ := netip.AddrFromSlice(r.IPs[0].Address.IP)
	p := netip.PrefixFrom(addr.Unmap(), 24)
	h := w.handle(c.ns)
	l, err := h.Get("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteAddress(l.Index, p); err != nil {
		t.Fatal(err)
	}
	err = w.cni.CheckNetworkList(ctx, list, c.rt())
	if err == nil || !strings.Contains(err.Error(), p.String()) {
		t.Errorf("CHECK after removing %s: %v, want an error naming it", p, err)
	}
	if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatal(err)
	}
}

// TestGC collects with a valid list that omits one of three attachments:
// exactly that one goes, link and address.
func TestGC(t *testing.T) {
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	ctx := context.Background()
	var cs []*container
	addrs := map[string]string{}
	for range 3 {
		c := w.newContainer()
		res, err := w.cni.AddNetworkList(ctx, list, c.rt())
		if err != nil {
			t.Fatal(err)
		}
		addrs[c.id] = asCurrent(t, res).IPs[0].Address.IP.String()
		cs = append(cs, c)
	}
	valid := []types.GCAttachment{{ContainerID: cs[0].id, IfName: "eth0"}, {ContainerID: cs[2].id, IfName: "eth0"}}
	if err := w.cni.GCNetworkList(ctx, list, &libcni.GCArgs{ValidAttachments: valid}); err != nil {
		t.Fatalf("GC: %v", err)
	}
	for i, c := range cs {
		want := 1
		if i == 1 {
			want = 0
		}
		if n := w.linkCount(c); n != want {
			t.Errorf("container %d has %d links after GC, want %d", i, n, want)
		}
	}
	rs := w.reservations()
	if slices.Contains(rs, addrs[cs[1].id]) || !slices.Contains(rs, addrs[cs[0].id]) || !slices.Contains(rs, addrs[cs[2].id]) {
		t.Errorf("host-local holds %v after GC; want %s and %s, not %s", rs, addrs[cs[0].id], addrs[cs[2].id], addrs[cs[1].id])
	}
	for _, i := range []int{0, 2} {
		if err := w.cni.DelNetworkList(ctx, list, cs[i].rt()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatus reports ready with the master up, and code 50 with it down
// or missing.
func TestStatus(t *testing.T) {
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	ctx := context.Background()
	if err := w.cni.GetStatusNetworkList(ctx, list); err != nil {
		t.Fatalf("STATUS with the master up: %v", err)
	}
	h := w.handle(w.host)
	down := false
	if err := h.Set(w.master, linksDown(&down)); err != nil {
		t.Fatal(err)
	}
	err := w.cni.GetStatusNetworkList(ctx, list)
	if cniCode(err) != 50 || !strings.Contains(err.Error(), w.master) {
		t.Errorf("STATUS with the master down: %v, want code 50 naming %s", err, w.master)
	}
	conf := w.macvlanConf()
	conf["master"] = "nosuch0"
	err = w.cni.GetStatusNetworkList(ctx, w.conflist("1.1.0", conf))
	if cniCode(err) != 50 || !strings.Contains(err.Error(), "nosuch0") {
		t.Errorf("STATUS with a missing master: %v, want code 50 naming nosuch0", err)
	}
}
