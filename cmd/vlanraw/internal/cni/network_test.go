package cni_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

// vlanraw runs the vlanraw CLI on the world's state directory, with the
// parents in its host namespace, and returns its stdout.
func (w *world) vlanraw(args ...string) []byte {
	w.t.Helper()
	args = append([]string{"-n", w.hostName, "--state-dir", w.stateDir}, args...)
	out, err := exec.Command(filepath.Join(pluginDir(w.t), "vlanraw"), args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			w.t.Fatalf("vlanraw %v: %v\n%s", args, err, ee.Stderr)
		}
		w.t.Fatalf("vlanraw %v: %v", args, err)
	}
	return out
}

// TestNetworkConfig attaches containers to a network made with vlanraw
// network create, through the conflist vlanraw network cni-config
// prints: vlanraw's IPAM picks the addresses from the network's subnet,
// the gateway is the network's, and GC and DEL release them.
func TestNetworkConfig(t *testing.T) {
	w := newWorld(t)
	w.vlanraw("network", "create", "-d", "macvlan", "--subnet", "10.60.0.0/24", "--gateway", "10.60.0.1",
		"--ip-range", "10.60.0.128/25", "-o", "parent="+w.master, "net1")
	list, err := libcni.NetworkConfFromBytes(w.vlanraw("network", "cni-config", "net1"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, b := w.newContainer(), w.newContainer()
	for _, c := range []*container{a, b} {
		res, err := w.cni.AddNetworkList(ctx, list, c.rt())
		if err != nil {
			t.Fatalf("ADD: %v", err)
		}
		r := asCurrent(t, res)
		k, err := w.inspect(c, "eth0")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.IPs) != 1 || r.IPs[0].Gateway.String() != "10.60.0.1" || r.IPs[0].Address.IP[len(r.IPs[0].Address.IP)-1] < 128 {
			t.Errorf("ips %v, want one address of 10.60.0.128/25 via 10.60.0.1", r.IPs)
		}
		if len(k.addrs) != 1 || k.addrs[0].String() != r.IPs[0].Address.String() {
			t.Errorf("the kernel has %v, the result %v", k.addrs, r.IPs[0].Address.String())
		}
		if !hasRoute(k, "0.0.0.0/0", "10.60.0.1") {
			t.Errorf("the kernel's routes %+v lack default via 10.60.0.1", k.routes)
		}
		if err := w.cni.CheckNetworkList(ctx, list, c.rt()); err != nil {
			t.Errorf("CHECK: %v", err)
		}
	}
	if err := w.cni.GCNetworkList(ctx, list, &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: a.id, IfName: "eth0"}}}); err != nil {
		t.Fatalf("GC: %v", err)
	}
	if n := w.linkCount(b); n != 0 {
		t.Errorf("GC left %d links in the container it was not told of", n)
	}
	if n := w.linkCount(a); n != 1 {
		t.Errorf("GC left %d links in the valid container, want 1", n)
	}
	if err := w.cni.DelNetworkList(ctx, list, a.rt()); err != nil {
		t.Fatal(err)
	}
	if n := w.linkCount(a); n != 0 {
		t.Errorf("DEL left %d links", n)
	}
	// The network stays, now without endpoints: network rm needs no -f.
	w.vlanraw("network", "rm", "net1")
}

// TestCapabilityArgs gives a pod its own MAC and address, as Kubernetes
// and podman do through the mac and ips capability arguments, which the
// conflist network cni-config prints asks for: the kernel has both
// inside the namespace, and the result says so.
func TestCapabilityArgs(t *testing.T) {
	w := newWorld(t)
	w.vlanraw("network", "create", "-d", "macvlan", "--subnet", "10.61.0.0/24", "--gateway", "10.61.0.1",
		"-o", "parent="+w.master, "net1")
	list, err := libcni.NetworkConfFromBytes(w.vlanraw("network", "cni-config", "net1"))
	if err != nil {
		t.Fatal(err)
	}
	c := w.newContainer()
	rt := c.rt()
	rt.CapabilityArgs = map[string]any{"mac": "02:61:00:00:00:2a", "ips": []string{"10.61.0.42/24"}}
	ctx := context.Background()
	res, err := w.cni.AddNetworkList(ctx, list, rt)
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	r := asCurrent(t, res)
	k, err := w.inspect(c, "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if got := k.link.MAC.String(); got != "02:61:00:00:00:2a" {
		t.Errorf("the kernel's MAC is %s, want 02:61:00:00:00:2a", got)
	}
	if len(k.addrs) != 1 || k.addrs[0].String() != "10.61.0.42/24" {
		t.Errorf("the kernel has %v, want 10.61.0.42/24", k.addrs)
	}
	if len(r.Interfaces) != 1 || r.Interfaces[0].Mac != "02:61:00:00:00:2a" || len(r.IPs) != 1 || r.IPs[0].Address.String() != "10.61.0.42/24" {
		t.Errorf("result interfaces %+v ips %v, want the MAC and address asked for", r.Interfaces, r.IPs)
	}
	if err := w.cni.DelNetworkList(ctx, list, rt); err != nil {
		t.Fatal(err)
	}
}
