package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"
	types100 "github.com/containernetworking/cni/pkg/types/100"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/netns"
)

// cniRuntime is a container runtime's view of the CNI peers and of
// vlanraw as a CNI plugin: one libcni.CNIConfig, as containerd, CRI-O and
// podman hold, over a CNI_PATH of the reference plugins and a directory
// where the vlanraw binary is linked as "vlanraw", and the network
// configuration lists it attaches with. Plugins run from a thread inside
// the host namespace, where the master p0 is, so that they pay no `ip
// netns exec`.
type cniRuntime struct {
	cni   *libcni.CNIConfig
	host  *netns.NS
	lists []cniList
	// ipamFloor is host-local run alone as the list's plugin: it
	// reserves and releases an address and touches no namespace, the
	// part of cniRef's and cniHostLocal's work that is the same program.
	ipamFloor cniList
}

// cniList is one contender of the libcni benchmarks: a network
// configuration list under a short name used in the metrics.
type cniList struct {
	name string
	list *libcni.NetworkConfigList
}

// The contenders of the libcni benchmarks, by the names their metrics
// carry. Each ratio is the reference's time over vlanraw's: above 1,
// vlanraw is faster.
const (
	// cniRef is the reference plugin (macvlan or ipvlan) with
	// host-local IPAM, the peer.
	cniRef = "ref"
	// cniHostLocal is vlanraw's plugin with the same host-local IPAM,
	// delegated through CNI_PATH.
	cniHostLocal = "hostlocal"
	// cniNetwork is vlanraw's plugin on a network made with vlanraw's
	// Manager ("network": "net"), with vlanraw's own IPAM.
	cniNetwork = "network"
	// cniIPAMFloor is host-local alone (cniRuntime.ipamFloor).
	cniIPAMFloor = "ipam-floor"
)

// newCNIRuntime returns the three contenders on e's host namespace: the
// reference plugin of e's driver with host-local over 10.20.0.0/16,
// vlanraw with host-local over 10.21.0.0/16, and vlanraw on e's network
// "net" in e's state directory; and host-local alone over 10.23.0.0/16.
func newCNIRuntime(b *testing.B, e *endpointBench) *cniRuntime {
	b.Helper()
	ref := installCNI(b)
	own := b.TempDir()
	if err := os.Symlink(vlanrawCLI(b), filepath.Join(own, "vlanraw")); err != nil {
		b.Fatal(err)
	}
	mode := "bridge"
	if e.driver == modes.IPVlan {
		mode = "l2"
	}
	hostLocal := func(subnet string) map[string]any {
		return map[string]any{"type": "host-local", "subnet": subnet, "dataDir": b.TempDir()}
	}
	r := &cniRuntime{
		cni:  libcni.NewCNIConfigWithCacheDir([]string{own, ref}, b.TempDir(), nil),
		host: e.host,
	}
	for _, c := range []struct {
		name   string
		plugin map[string]any
	}{
		{cniRef, map[string]any{"type": string(e.driver), "master": "p0", "mode": mode, "ipam": hostLocal("10.20.0.0/16")}},
		// A state directory of its own: its implicit network shares p0
		// with net, which one state directory allows for macvlan only.
		{cniHostLocal, map[string]any{"type": "vlanraw", "driver": string(e.driver), "master": "p0", "mode": mode, "ipam": hostLocal("10.21.0.0/16"), "stateDir": b.TempDir()}},
		{cniNetwork, map[string]any{"type": "vlanraw", "network": "net", "stateDir": e.stateDir}},
		{cniIPAMFloor, map[string]any{"type": "host-local", "ipam": hostLocal("10.23.0.0/16")}},
	} {
		conf, err := json.Marshal(map[string]any{
			"cniVersion": "1.0.0",
			"name":       "bench-" + c.name,
			"plugins":    []any{c.plugin},
		})
		if err != nil {
			b.Fatal(err)
		}
		list, err := libcni.NetworkConfFromBytes(conf)
		if err != nil {
			b.Fatalf("%s: %v\n%s", c.name, err, conf)
		}
		if c.name == cniIPAMFloor {
			r.ipamFloor = cniList{c.name, list}
			continue
		}
		r.lists = append(r.lists, cniList{c.name, list})
	}
	return r
}

// cniRT is the runtime configuration of container id's eth0 in the
// namespace at path.
func cniRT(id, path string) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{ContainerID: id, NetNS: path, IfName: "eth0"}
}

// add runs AddNetworkList from a thread of the host namespace and returns
// its wall time and the addresses of its result.
func (r *cniRuntime) add(l cniList, rt *libcni.RuntimeConf) (time.Duration, []netip.Prefix, error) {
	var d time.Duration
	var res *types100.Result
	err := r.host.Do(func() error {
		start := time.Now()
		got, err := r.cni.AddNetworkList(context.Background(), l.list, rt)
		d = time.Since(start)
		if err != nil {
			return err
		}
		res, err = types100.NewResultFromResult(got)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("%s: ADD %s in %s: %w", l.name, rt.ContainerID, rt.NetNS, err)
	}
	var ips []netip.Prefix
	for _, ip := range res.IPs {
		a, _ := netip.AddrFromSlice(ip.Address.IP)
		ones, _ := ip.Address.Mask.Size()
		ips = append(ips, netip.PrefixFrom(a.Unmap(), ones))
	}
	return d, ips, nil
}

// del runs DelNetworkList from a thread of the host namespace and returns
// its wall time.
func (r *cniRuntime) del(l cniList, rt *libcni.RuntimeConf) (time.Duration, error) {
	var d time.Duration
	err := r.host.Do(func() error {
		start := time.Now()
		err := r.cni.DelNetworkList(context.Background(), l.list, rt)
		d = time.Since(start)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: DEL %s in %s: %w", l.name, rt.ContainerID, rt.NetNS, err)
	}
	return d, nil
}

// eth0Addrs returns the addresses the kernel shows on eth0 in h's
// namespace, or fails when there is no eth0.
func eth0Addrs(tb testing.TB, h *links.Handle) []netip.Prefix {
	tb.Helper()
	l, err := h.Get("eth0")
	if err != nil {
		tb.Fatalf("eth0: %v", err)
	}
	addrs, err := h.Addresses(l.Index)
	if err != nil {
		tb.Fatalf("eth0's addresses: %v", err)
	}
	return addrs
}

// checkAdded fails unless the kernel shows eth0 in h's namespace with
// every address of the ADD's result, and returns the result's first
// address.
func checkAdded(tb testing.TB, name string, h *links.Handle, result []netip.Prefix) netip.Prefix {
	tb.Helper()
	if len(result) == 0 {
		tb.Fatalf("%s: ADD's result has no address", name)
	}
	have := eth0Addrs(tb, h)
	for _, want := range result {
		found := false
		for _, a := range have {
			found = found || a == want
		}
		if !found {
			tb.Fatalf("%s: ADD's result has %s, the kernel shows %v on eth0", name, want, have)
		}
	}
	return result[0]
}
