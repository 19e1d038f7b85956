package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"text/template"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// oldEndpoint makes, in namespace ns, the link the previous release
// (schema 1, before the marks) made for an endpoint: a macvlan bridge
// link called eth0 on the host's p0, with the recorded MAC and address,
// up, with neither group nor alias.
func oldEndpoint(t *testing.T, host, ns, mac, addr string) {
	t.Helper()
	h, err := links.OpenName(host)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	target := openNS(t, ns)
	hw, err := net.ParseMAC(mac)
	if err != nil {
		t.Fatal(err)
	}
	mode := rtnl.MACVlanModeBridge
	err = h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "eth0", MAC: hw, NetNS: target}, Parent: "p0", Mode: &mode})
	if err != nil {
		t.Fatalf("create the old endpoint link in %s: %v", ns, err)
	}
	th, err := links.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	l, err := th.Get("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := th.AddAddress(l.Index, netip.MustParsePrefix(addr), true); err != nil {
		t.Fatal(err)
	}
	up := true
	if err := th.Set("eth0", links.Change{Up: &up}); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateSchema1 gives vlanraw a state file of the previous release
// (testdata/networks-schema1.json, schema 1: a macvlan network with two
// endpoints) and the links that release made, unmarked: network ls reads
// it, gc marks the two links and deletes nothing, connect hands out
// neither recorded address, disconnect deletes one link, restore finds the
// other in place, and the old file is kept beside the new one as
// networks.json.schema1.bak.
func TestMigrateSchema1(t *testing.T) {
	w := newWorld(t)
	addVeth(t, w.host, "p0")
	a, b, c := newNetNS(t), newNetNS(t), newNetNS(t)
	oldEndpoint(t, w.host, a, "02:42:0a:54:00:01", "10.84.0.1/24")
	oldEndpoint(t, w.host, b, "02:42:0a:54:00:02", "10.84.0.2/24")

	type nsInfo struct {
		Name, Path string
		Inode      uint64
	}
	info := func(name string) nsInfo {
		p := filepath.Join(netns.Dir, name)
		return nsInfo{Name: name, Path: p, Inode: nsInode(t, p)}
	}
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "networks-schema1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var old bytes.Buffer
	if err := tmpl.Execute(&old, map[string]nsInfo{"A": info(a), "B": info(b)}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.state, "networks.json"), old.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	n := findNet(w.ls(), "oldnet")
	if n == nil || len(n.Containers) != 2 || n.Containers[a].IPv4Address != "10.84.0.1/24" || n.Containers[b].IPv4Address != "10.84.0.2/24" {
		t.Fatalf("network ls -j shows %+v; want oldnet with the two endpoints", n)
	}

	rep := w.gc()
	var markedNS []string
	for _, r := range rep.Marked {
		markedNS = append(markedNS, r.NetNS)
	}
	slices.Sort(markedNS)
	if want := []string{a, b}; !slices.Equal(markedNS, slices.Sorted(slices.Values(want))) || len(rep.Deleted)+len(rep.Released)+len(rep.Missing) != 0 {
		t.Errorf("gc reported %+v; want both endpoints marked and nothing deleted, released or missing", rep)
	}
	wantMacvlans(t, a, macvlansIn(t, a), "eth0 10.84.0.1")
	wantMacvlans(t, b, macvlansIn(t, b), "eth0 10.84.0.2")
	af := w.invariant(a, b)
	af.stillConnected(t, "oldnet", a, b)

	if ip := w.connect("oldnet", c); ip != "10.84.0.3" {
		t.Errorf("a new endpoint got %s, want 10.84.0.3 (the old endpoints hold .1 and .2)", ip)
	}
	w.vr("disconnect oldnet " + a)
	wantMacvlans(t, a+" after disconnect", macvlansIn(t, a))
	rr := w.restore()
	if len(rr.Present) != 2 || len(rr.Restored)+len(rr.Dropped) != 0 {
		t.Errorf("restore reported %+v; want %s and %s present, nothing else", rr, b, c)
	}
	wantMacvlans(t, b+" after restore", macvlansIn(t, b), "eth0 10.84.0.2")
	af = w.invariant(a, b, c)
	af.disconnected(t, "oldnet", []string{a})
	af.stillConnected(t, "oldnet", b, c)

	var head struct{ Schema int }
	if cur, err := os.ReadFile(filepath.Join(w.state, "networks.json")); err != nil || json.Unmarshal(cur, &head) != nil || head.Schema != 3 {
		t.Errorf("the state file after gc: schema %d (%v), want 3", head.Schema, err)
	}
	// Kept by the state package when it first writes a migrated file.
	var bakHead struct{ Schema int }
	bak, err := os.ReadFile(filepath.Join(w.state, "networks.json.schema1.bak"))
	switch {
	case err != nil:
		t.Errorf("the schema-1 file was not kept: %v", err)
	case json.Unmarshal(bak, &bakHead) != nil || bakHead.Schema != 1:
		t.Errorf("networks.json.schema1.bak holds:\n%s\nwant the schema-1 file", bak)
	}
}
