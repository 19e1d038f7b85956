package cni_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/links"
)

// TestDefaultMaster leaves master out: the link goes on the link of the
// host namespace's default route, as with the reference plugins, and
// STATUS looks at that link.
func TestDefaultMaster(t *testing.T) {
	w := newWorld(t)
	h := w.handle(w.host)
	// m1, made after m0, carries the default route.
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "m1", Up: true}, Peer: links.Attrs{Name: "m1p", Up: true}}); err != nil {
		t.Fatal(err)
	}
	m1, err := h.Get("m1")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddAddress(m1.Index, netip.MustParsePrefix("10.60.0.2/24"), true); err != nil {
		t.Fatal(err)
	}
	if err := h.AddRoute(links.Route{Gateway: netip.MustParseAddr("10.60.0.1"), Index: m1.Index}); err != nil {
		t.Fatal(err)
	}
	conf := w.macvlanConf()
	delete(conf, "master")
	list := w.conflist("1.1.0", conf)
	ctx := context.Background()
	if err := w.cni.GetStatusNetworkList(ctx, list); err != nil {
		t.Fatalf("STATUS: %v", err)
	}
	c := w.newContainer()
	if _, err := w.cni.AddNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatalf("ADD: %v", err)
	}
	k, err := w.inspect(c, "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if k.link.Kind != "macvlan" || k.link.ParentIndex != m1.Index {
		t.Errorf("link %s on parent index %d, want a macvlan on m1 (%d)", k.link.Kind, k.link.ParentIndex, m1.Index)
	}
	if err := w.cni.DelNetworkList(ctx, list, c.rt()); err != nil {
		t.Fatal(err)
	}
	down := false
	if err := h.Set("m1", linksDown(&down)); err != nil {
		t.Fatal(err)
	}
	// Down, m1 loses its default route: STATUS finds no master.
	if err := w.cni.GetStatusNetworkList(ctx, list); cniCode(err) != 50 || !strings.Contains(err.Error(), "default route") {
		t.Errorf("STATUS without a default route: %v, want code 50 naming the default route", err)
	}
}

// TestMasterErrors: a master left out without a default route, and a
// master that does not exist, are refused in the configuration's words
// (master, not Docker's -o parent), and leave nothing.
func TestMasterErrors(t *testing.T) {
	for _, tc := range []struct {
		name, master string // "" leaves master out
		msg          string
	}{
		{"no default route", "", "no master given, and the host namespace has no default route"},
		{"missing", "nosuch0", "master nosuch0 does not exist: create it first"},
		{"missing VLAN base", "nosuch0.5", "master nosuch0.5 does not exist, nor does nosuch0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			conf := w.macvlanConf()
			conf["master"] = tc.master
			if tc.master == "" {
				delete(conf, "master")
			}
			c := w.newContainer()
			_, err := w.cni.AddNetworkList(context.Background(), w.conflist("1.1.0", conf), c.rt())
			if cniCode(err) != 7 || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "-o parent") {
				t.Errorf("ADD: %v (code %d), want code 7 naming %q and not -o parent", err, cniCode(err), tc.msg)
			}
			w.checkNothingLeft(t, c)
		})
	}
}
