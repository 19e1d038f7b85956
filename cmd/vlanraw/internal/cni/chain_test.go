package cni_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"

	"github.com/vlanraw/vlanraw/testenv"
)

// prevName is the plugin before vlanraw in the chains below: this test
// binary under that name (see TestMain), whose ADD prints the result
// prevPlugin left beside it (no shell: the QEMU guest has none).
const prevName = "prev"

// prevMain is the plugin prevName.
func prevMain() int {
	switch os.Getenv("CNI_COMMAND") {
	case "ADD":
		b, err := os.ReadFile(filepath.Join(filepath.Dir(os.Args[0]), "result.json"))
		if err != nil {
			fmt.Printf(`{"cniVersion":"1.1.0","code":999,"msg":%q}`, err.Error())
			return 1
		}
		os.Stdout.Write(b)
	case "VERSION":
		fmt.Print(`{"cniVersion":"1.1.0","supportedVersions":["1.0.0","1.1.0"]}`)
	}
	return 0
}

// prevPlugin installs, beside the plugins of pluginDir, the plugin
// prevName, whose ADD prints result (a 1.1.0 result), and returns a
// client that finds it.
func (w *world) prevPlugin(result string) *libcni.CNIConfig {
	w.t.Helper()
	dir := w.t.TempDir()
	self, err := os.Executable()
	if err != nil {
		w.t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(dir, prevName)); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "result.json"), []byte(result), 0o644); err != nil {
		w.t.Fatal(err)
	}
	exe := &nsExec{DefaultExec: invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: os.Stderr}}, ns: w.host}
	return libcni.NewCNIConfigWithCacheDir([]string{pluginDir(w.t), dir}, w.t.TempDir(), exe)
}

// chain returns a conflist of prev then conf.
func (w *world) chain(conf map[string]any) *libcni.NetworkConfigList {
	w.t.Helper()
	l := w.conflist("1.1.0", conf)
	prev, err := libcni.ConfFromBytes([]byte(`{"cniVersion":"1.1.0","name":"testnet","type":"prev"}`))
	if err != nil {
		w.t.Fatal(err)
	}
	l.Plugins = append([]*libcni.NetworkConfig{prev}, l.Plugins...)
	return l
}

// TestChainAppends runs vlanraw (macvlan, host-local) after a plugin
// that made two interfaces: the result keeps them and their addresses
// and routes, and appends eth0 with its address pointing at index 2.
func TestChainAppends(t *testing.T) {
	w := newWorld(t)
	c := w.newContainer()
	cni := w.prevPlugin(`{"cniVersion":"1.1.0","interfaces":[{"name":"veth0"},{"name":"net1","sandbox":"` + c.path + `"}],
		"ips":[{"interface":1,"address":"192.0.2.5/24"}],"routes":[{"dst":"198.51.100.0/24","gw":"192.0.2.1"}]}`)
	list := w.chain(w.macvlanConf())
	res, err := cni.AddNetworkList(context.Background(), list, c.rt())
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	r := asCurrent(t, res)
	var names []string
	for _, i := range r.Interfaces {
		names = append(names, i.Name)
	}
	if !slices.Equal(names, []string{"veth0", "net1", "eth0"}) || r.Interfaces[2].Sandbox != c.path {
		t.Fatalf("interfaces %v, want veth0, net1, then eth0 in %s", names, c.path)
	}
	k, err := w.inspect(c, "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.IPs) != 2 || r.IPs[0].Address.String() != "192.0.2.5/24" || *r.IPs[0].Interface != 1 ||
		r.IPs[1].Interface == nil || *r.IPs[1].Interface != 2 {
		t.Fatalf("ips %v, want 192.0.2.5/24 on 1 and eth0's on 2", r.IPs)
	}
	a, _ := netip.AddrFromSlice(r.IPs[1].Address.IP)
	if !slices.Contains(k.addrs, netip.PrefixFrom(a.Unmap(), 24)) {
		t.Errorf("the kernel has %v on eth0, not %v", k.addrs, r.IPs[1].Address)
	}
	if slices.ContainsFunc(k.addrs, func(p netip.Prefix) bool { return p.Addr().String() == "192.0.2.5" }) {
		t.Errorf("net1's address is on eth0: %v", k.addrs)
	}
	if len(r.Routes) != 2 || r.Routes[0].Dst.String() != "198.51.100.0/24" || r.Routes[1].Dst.String() != "0.0.0.0/0" {
		t.Errorf("routes %v, want prev's then eth0's default", r.Routes)
	}
	if err := cni.CheckNetworkList(context.Background(), list, c.rt()); err != nil {
		t.Errorf("CHECK: %v", err)
	}
	if err := cni.DelNetworkList(context.Background(), list, c.rt()); err != nil {
		t.Fatal(err)
	}
	if n := w.linkCount(c); n != 0 {
		t.Errorf("%d links left after DEL", n)
	}
}

// TestChainTakesAddresses runs vlanraw without ipam after a plugin that
// gave addresses and a route: the link gets the address of no
// interface and the route, and the result lists it once, as eth0's.
func TestChainTakesAddresses(t *testing.T) {
	w := newWorld(t)
	c := w.newContainer()
	cni := w.prevPlugin(`{"cniVersion":"1.1.0","interfaces":[{"name":"lo","sandbox":"` + c.path + `"}],
		"ips":[{"interface":0,"address":"127.0.0.1/8"},{"address":"10.70.0.9/24","gateway":"10.70.0.1"}],"routes":[{"dst":"203.0.113.0/24","gw":"10.70.0.1"}]}`)
	conf := w.macvlanConf()
	delete(conf, "ipam")
	list := w.chain(conf)
	res, err := cni.AddNetworkList(context.Background(), list, c.rt())
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	r := asCurrent(t, res)
	k, err := w.inspect(c, "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(k.addrs, netip.MustParsePrefix("10.70.0.9/24")) || len(k.addrs) != 1 {
		t.Errorf("eth0 has %v, want 10.70.0.9/24 only", k.addrs)
	}
	if !hasRoute(k, "203.0.113.0/24", "10.70.0.1") {
		t.Errorf("eth0's routes %+v lack 203.0.113.0/24 via 10.70.0.1", k.routes)
	}
	if len(r.Interfaces) != 2 || r.Interfaces[1].Name != "eth0" {
		t.Fatalf("interfaces %v, want lo then eth0", r.Interfaces)
	}
	var ips []string
	for _, ip := range r.IPs {
		ips = append(ips, ip.Address.String()+"@"+itoa(ip.Interface))
	}
	if !slices.Equal(ips, []string{"127.0.0.1/8@0", "10.70.0.9/24@1"}) {
		t.Errorf("ips %v, want 127.0.0.1/8 on lo and 10.70.0.9/24 on eth0, once", ips)
	}
	if len(r.Routes) != 1 || r.Routes[0].Dst.String() != "203.0.113.0/24" {
		t.Errorf("routes %v, want prev's route once", r.Routes)
	}
	if err := cni.DelNetworkList(context.Background(), list, c.rt()); err != nil {
		t.Fatal(err)
	}
}

func itoa(i *int) string {
	if i == nil {
		return "none"
	}
	return strconv.Itoa(*i)
}

// TestIPVlanChained runs an ipvlan configuration without master and
// ipam after a plugin whose result is one named interface, as the
// reference ipvlan takes it: the master is that interface, its address
// and the route move to eth0, and the result lists the address once, on
// eth0. Runs
// where the kernel has ipvlan (in QEMU).
func TestIPVlanChained(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	c := w.newContainer()
	cni := w.prevPlugin(`{"cniVersion":"1.1.0","interfaces":[{"name":"` + w.master + `"}],
		"ips":[{"interface":0,"address":"10.80.0.7/24","gateway":"10.80.0.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.80.0.1"}]}`)
	list := w.chain(map[string]any{"type": "ipvlan", "mode": "l2"})
	res, err := cni.AddNetworkList(context.Background(), list, c.rt())
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	r := asCurrent(t, res)
	k, err := w.inspect(c, "eth0")
	if err != nil {
		t.Fatal(err)
	}
	m0, err := w.handle(w.host).Get(w.master)
	if err != nil {
		t.Fatal(err)
	}
	if k.link.Kind != "ipvlan" || k.link.ParentIndex != m0.Index {
		t.Errorf("link %s on parent %d, want an ipvlan on %s (%d)", k.link.Kind, k.link.ParentIndex, w.master, m0.Index)
	}
	if !slices.Contains(k.addrs, netip.MustParsePrefix("10.80.0.7/24")) {
		t.Errorf("eth0 has %v, want 10.80.0.7/24", k.addrs)
	}
	if !hasRoute(k, "0.0.0.0/0", "10.80.0.1") {
		t.Errorf("eth0's routes %+v lack default via 10.80.0.1", k.routes)
	}
	if len(r.Interfaces) != 2 || r.Interfaces[0].Name != w.master || r.Interfaces[1].Name != "eth0" {
		t.Fatalf("interfaces %v, want %s then eth0", r.Interfaces, w.master)
	}
	if len(r.IPs) != 1 || r.IPs[0].Address.String() != "10.80.0.7/24" || itoa(r.IPs[0].Interface) != "1" || r.IPs[0].Gateway.String() != "10.80.0.1" {
		t.Errorf("ips %v, want 10.80.0.7/24 via 10.80.0.1 on eth0 (1) only", r.IPs)
	}
	if err := cni.CheckNetworkList(context.Background(), list, c.rt()); err != nil {
		t.Errorf("CHECK: %v", err)
	}
	if err := cni.DelNetworkList(context.Background(), list, c.rt()); err != nil {
		t.Fatal(err)
	}
	if n := w.linkCount(c); n != 0 {
		t.Errorf("%d links left after DEL", n)
	}
	// A prevResult of more than one interface names no master.
	cni = w.prevPlugin(`{"cniVersion":"1.1.0","interfaces":[{"name":"a"},{"name":"b"}]}`)
	_, err = cni.AddNetworkList(context.Background(), list, c.rt())
	if cniCode(err) != 7 || !strings.Contains(err.Error(), "exactly one named interface") {
		t.Errorf("ADD after two interfaces: %v, want code 7 asking for one named interface", err)
	}
	if n := w.linkCount(c); n != 0 {
		t.Errorf("%d links left after the refused ADD", n)
	}
}
