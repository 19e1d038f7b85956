package cni_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
)

// TestLinkInContainer: with linkInContainer, the master is looked up in
// the container's namespace and the link made there, as the reference
// plugins do; a master left out is the link of that namespace's default
// route; one missing there is refused, naming linkInContainer.
func TestLinkInContainer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		master string // "" leaves it out
	}{{"master", "mc0"}, {"default route", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			c := w.newContainer()
			ch := w.handle(c.ns)
			if err := w.handle(w.host).Create(&links.Veth{Attrs: links.Attrs{Name: "mc0", Up: true, NetNS: c.ns}, Peer: links.Attrs{Name: "mc0p", Up: true}}); err != nil {
				t.Fatal(err)
			}
			mc0, err := ch.Get("mc0")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.handle(w.host).Get("mc0"); !errors.Is(err, unix.ENODEV) {
				t.Fatalf("mc0 in the host namespace too: %v", err)
			}
			if err := ch.AddAddress(mc0.Index, netip.MustParsePrefix("10.90.0.2/24"), true); err != nil {
				t.Fatal(err)
			}
			if err := ch.AddRoute(links.Route{Gateway: netip.MustParseAddr("10.90.0.1"), Index: mc0.Index}); err != nil {
				t.Fatal(err)
			}
			conf := w.macvlanConf()
			conf["linkInContainer"] = true
			conf["master"] = tc.master
			if tc.master == "" {
				delete(conf, "master")
			}
			list := w.conflist("1.1.0", conf)
			ctx := context.Background()
			if _, err := w.cni.AddNetworkList(ctx, list, c.rt()); err != nil {
				t.Fatalf("ADD: %v", err)
			}
			k, err := w.inspect(c, "eth0")
			if err != nil {
				t.Fatal(err)
			}
			if k.link.Kind != "macvlan" || k.link.ParentIndex != mc0.Index || k.link.Msg.Attributes.LinkNetNSID != nil {
				t.Errorf("link %s on parent %d (netnsid %v), want a macvlan on mc0 (%d) in the same namespace", k.link.Kind, k.link.ParentIndex, k.link.Msg.Attributes.LinkNetNSID, mc0.Index)
			}
			if err := w.cni.CheckNetworkList(ctx, list, c.rt()); err != nil {
				t.Errorf("CHECK: %v", err)
			}
			if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
				t.Fatal(err)
			}
			if _, err := ch.Get("eth0"); !errors.Is(err, unix.ENODEV) {
				t.Errorf("eth0 after DEL: %v", err)
			}
			if _, err := ch.Get("mc0"); err != nil {
				t.Errorf("the master after DEL: %v", err)
			}
			// A master the container lacks, though the host has it.
			conf = w.macvlanConf()
			conf["linkInContainer"] = true
			_, err = w.cni.AddNetworkList(ctx, w.conflist("1.1.0", conf), c.rt())
			if err == nil || !strings.Contains(err.Error(), "master m0 was not found in the container's network namespace (linkInContainer)") {
				t.Errorf("ADD with m0 in the host only: %v, want a refusal naming linkInContainer", err)
			}
			if _, err := ch.Get("eth0"); !errors.Is(err, unix.ENODEV) {
				t.Errorf("eth0 after the refused ADD: %v", err)
			}
			if rs := w.reservations(); len(rs) != 0 {
				t.Errorf("host-local holds %v", rs)
			}
		})
	}
}
