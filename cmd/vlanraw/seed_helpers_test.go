package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/netns"
)

// This file holds the helpers of the seed tests (seed000_test.go to
// seed003_test.go): each acts out an example of one of the seeds in
// /work/shared/seeds with the example's own commands translated one to
// one into vlanraw's, so they need what the examples need: containers
// with names, machines on the far side of a parent (a router, another
// computer, a router per VLAN of a trunk), sysctls in those, and the
// frames on the wire counted per VLAN id.

// container stands in for `docker run --name NAME`: `vlanraw netns add`
// of a namespace named after the container, with a random suffix so that
// tests running at once on one host never share a name. It returns the
// namespace's name, which `vlanraw network inspect` reports as the
// container's, and an open handle.
func (w *world) container(name string) (string, *netns.NS) {
	w.t.Helper()
	ns := fmt.Sprintf("%s-%08x", name, rand.Uint32())
	if code, _, stderr := runCLI("netns", "add", ns); code != exitOK {
		w.t.Fatalf("vlanraw netns add %s: exit %d: %s", ns, code, stderr)
	}
	w.t.Cleanup(func() {
		if err := netns.Delete(ns); err != nil {
			w.t.Errorf("delete netns %s: %v", ns, err)
		}
	})
	return ns, openNS(w.t, ns)
}

// endpointInfo is what `vlanraw connect -j` prints of an endpoint, the
// addresses without their prefix lengths.
type endpointInfo struct {
	IPv4, IPv6 string
	MAC        string
}

// attach is connect that returns the endpoint's IPv4 and IPv6 addresses
// (empty when it has none) and its MAC.
func (w *world) attach(network, ns string, flags ...string) endpointInfo {
	w.t.Helper()
	args := w.args(append(append([]string{"connect", "-j"}, flags...), network, ns)...)
	code, stdout, stderr := runCLI(args...)
	if code != exitOK {
		w.t.Fatalf("vlanraw %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	var ep struct {
		IPv4 netip.Prefix `json:"ipv4"`
		IPv6 netip.Prefix `json:"ipv6"`
		MAC  string       `json:"mac"`
	}
	if err := json.Unmarshal([]byte(stdout), &ep); err != nil {
		w.t.Fatalf("connect -j printed %q: %v", stdout, err)
	}
	var info endpointInfo
	if ep.IPv4.IsValid() {
		info.IPv4 = ep.IPv4.Addr().String()
	}
	if ep.IPv6.IsValid() {
		info.IPv6 = ep.IPv6.Addr().String()
	}
	info.MAC = ep.MAC
	return info
}

// inspected is a container as `vlanraw network inspect` lists it.
type inspected struct {
	Name        string
	MacAddress  string
	IPv4Address string
	IPv6Address string
}

// inspectNetwork returns the containers that `vlanraw network inspect
// NAME` lists, by namespace name, and the network's driver options.
func (w *world) inspectNetwork(name string) (map[string]inspected, map[string]string) {
	w.t.Helper()
	var nets []struct {
		Containers map[string]inspected
		Options    map[string]string
	}
	if err := json.Unmarshal([]byte(w.vr("network inspect "+name)), &nets); err != nil || len(nets) != 1 {
		w.t.Fatalf("network inspect %s: %d networks, %v", name, len(nets), err)
	}
	return nets[0].Containers, nets[0].Options
}

// resolve stands in for Docker's name resolution (`ping ipv1`): the IPv4
// address that `vlanraw network inspect` lists for the container whose
// namespace is ns.
func (w *world) resolve(network, ns string) string {
	w.t.Helper()
	cs, _ := w.inspectNetwork(network)
	for _, c := range cs {
		if c.Name == ns {
			a, err := netip.ParsePrefix(c.IPv4Address)
			if err != nil {
				w.t.Fatalf("network inspect %s: container %s has IPv4Address %q", network, ns, c.IPv4Address)
			}
			return a.Addr().String()
		}
	}
	w.t.Fatalf("network inspect %s does not list %s: %+v", network, ns, cs)
	return ""
}

// sysctl writes value to /proc/sys/path (such as net/ipv4/ip_forward) in
// namespace ns, as `ip netns exec NS sysctl -w` does.
func sysctl(t *testing.T, ns, path, value string) {
	t.Helper()
	h := openNS(t, ns)
	if err := h.Do(func() error { return os.WriteFile("/proc/sys/"+path, []byte(value), 0o644) }); err != nil {
		t.Fatalf("%s: sysctl %s=%s: %v", ns, path, value, err)
	}
}

// station creates a machine on the far side of a parent: a namespace
// whose link name is a link of kind (with its words, such as "macvlan mode
// bridge" or "vlan id 20") on link lower of namespace far, up, with the
// addresses addrs (IPv6 ones without duplicate address detection). A
// macvlan bridge port makes far's lower a switch between the parent and
// every station on it; a vlan link makes the station a machine on that
// VLAN of a trunk, which answers only frames carrying its tag.
func station(t *testing.T, far, lower, name string, kind []string, addrs ...string) (string, *netns.NS) {
	t.Helper()
	ns := newNetNS(t)
	vr(t, far, append([]string{"link", "add", "link", lower, "name", name, "netns", ns, "up", "type"}, kind...)...)
	for _, a := range addrs {
		args := []string{"addr", "add", a, "dev", name}
		if netip.MustParsePrefix(a).Addr().Is6() {
			args = append(args, "nodad")
		}
		vr(t, ns, args...)
	}
	return ns, openNS(t, ns)
}

// vlanStation is a station on VLAN vid of the trunk that link lower of
// namespace far carries, its link named LOWER.VID.
func vlanStation(t *testing.T, far, lower, vid string, addrs ...string) (string, *netns.NS) {
	t.Helper()
	return station(t, far, lower, lower+"."+vid, []string{"vlan", "id", vid}, addrs...)
}

// wire counts the frames that arrive on link dev of namespace far, the
// far side of a parent's link, with vlanraw's eBPF counters (`vlanraw
// stats attach DEV ingress`), so that tests can tell the VLAN tag frames
// carried on the wire.
type wire struct {
	t        *testing.T
	far, dev string
}

// countWire attaches the counters and detaches them when the test ends.
func countWire(t *testing.T, far, dev string) *wire {
	t.Helper()
	vr(t, far, "stats", "attach", dev, "ingress")
	t.Cleanup(func() { vr(t, far, "stats", "detach", dev, "ingress") })
	return &wire{t: t, far: far, dev: dev}
}

// tags returns the number of frames seen so far per VLAN id (untagged
// frames have none).
func (c *wire) tags() map[string]float64 {
	c.t.Helper()
	hooks := showJSON(c.t, c.far, c.dev, "ingress")
	if len(hooks) != 1 {
		c.t.Fatalf("stats show %s ingress: %v", c.dev, hooks)
	}
	out := map[string]float64{}
	vlans, _ := hooks[0]["vlans"].(map[string]any)
	for id := range vlans {
		out[id] = packets(hooks[0], "vlans", id)
	}
	return out
}

// arpRequests returns the number of untagged ARP requests seen so far.
func (c *wire) arpRequests() float64 {
	c.t.Helper()
	return packets(showJSON(c.t, c.far, c.dev, "ingress")[0], "classes", "arp-request")
}

// tagged sends 20 UDP datagrams from namespace from to dst, received in
// namespace to, and checks that all arrived and that the wire saw them
// carrying VLAN id vid: at least 20 more frames tagged vid, and fewer than
// 20 more with any other tag (a VLAN link sends some frames of its own,
// such as IPv6 router solicitations, at any time).
func (c *wire) tagged(from, to *netns.NS, dst, vid string) {
	c.t.Helper()
	before := c.tags()
	udpReaches(c.t, from, to, dst)
	after := c.tags()
	for id, n := range after {
		switch d := n - before[id]; {
		case id == vid && d < 20:
			c.t.Errorf("UDP to %s: %v frames tagged %s on the wire, want at least 20", dst, d, vid)
		case id != vid && d >= 20:
			c.t.Errorf("UDP to %s: %v frames tagged %s on the wire, want them tagged %s", dst, d, id, vid)
		}
	}
	if _, ok := after[vid]; !ok {
		c.t.Errorf("UDP to %s: no frame tagged %s on the wire: %v", dst, vid, after)
	}
}

// linkKinds returns the kind of each link of namespace ns, by name.
func linkKinds(t *testing.T, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range linkNames(t, ns) {
		name, kind, _ := strings.Cut(l, " ")
		out[name] = kind
	}
	return out
}

// hasLink checks that namespace ns has (or, with want false, lacks) a
// link named name of kind.
func hasLink(t *testing.T, ns, name, kind string, want bool) {
	t.Helper()
	k, ok := linkKinds(t, ns)[name]
	switch {
	case want && (!ok || k != kind):
		t.Errorf("%s: no %s link %s (links %q)", ns, kind, name, linkNames(t, ns))
	case !want && ok:
		t.Errorf("%s: link %s (%s) is still there", ns, name, k)
	}
}

// vlanOf checks that link name of namespace ns is an 802.1Q link with id
// vid on link lower, as `ip link add link LOWER name NAME type vlan id VID`
// makes it.
func vlanOf(t *testing.T, ns, name, lower, vid string) {
	t.Helper()
	out := vr(t, ns, "-d", "link", "show", "dev", name)
	if !strings.Contains(out, name+"@"+lower+":") || !regexp.MustCompile(`vlan protocol 802\.1Q id `+vid+`\b`).MatchString(out) {
		t.Errorf("%s is not vlan %s on %s:\n%s", name, vid, lower, out)
	}
}

// contains checks that text (the output of what) holds each of wants.
func contains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s printed\n%s\nwithout %q", what, text, want)
		}
	}
}

// ctr is a container of a seed's example: its namespace, an open handle
// on it, and its IPv4 address.
type ctr struct {
	ns string
	h  *netns.NS
	ip string
}

// run stands in for `docker run --net=NETWORK --name=NAME [flags]`: a
// container (see container) connected to network with the connect flags
// (--ip=A, --ip6=A).
func (w *world) run(name, network string, flags ...string) ctr {
	w.t.Helper()
	ns, h := w.container(name)
	return ctr{ns: ns, h: h, ip: w.connect(network, ns, flags...)}
}

// lsRow returns the row of `vlanraw network ls` that lists network name,
// by column (NAME, DRIVER, PARENT, MODE, SUBNETS, ENDPOINTS), cut where
// the header's columns start: a cell may hold spaces, such as
// "di-ID (dummy)" or "l2 bridge".
func (w *world) lsRow(name string) map[string]string {
	w.t.Helper()
	lines := strings.Split(strings.TrimRight(w.vr("network ls"), "\n"), "\n")
	cols := []string{"NETWORK ID", "NAME", "DRIVER", "PARENT", "MODE", "SUBNETS", "ENDPOINTS"}
	var at []int
	for _, c := range cols {
		at = append(at, strings.Index(lines[0], c))
	}
	for _, l := range lines[1:] {
		row := map[string]string{}
		for i, c := range cols {
			end := len(l)
			if i+1 < len(cols) {
				end = min(at[i+1], len(l))
			}
			row[c] = strings.TrimSpace(l[min(at[i], len(l)):end])
		}
		if row["NAME"] == name {
			return row
		}
	}
	w.t.Fatalf("network ls does not list %s", name)
	return nil
}

// lsMode checks the driver, parent and mode that `vlanraw network ls`
// lists for network name.
func (w *world) lsMode(name, driver, parent, mode string) {
	w.t.Helper()
	if r := w.lsRow(name); r["DRIVER"] != driver || r["PARENT"] != parent || r["MODE"] != mode {
		w.t.Errorf("network ls lists %s as %q; want %s on %s in mode %s", name, r, driver, parent, mode)
	}
}

// routeTables checks the IPv4 routes of namespace ns, exactly and in
// order, and that its IPv6 routes include want6 (the kernel adds
// fe80::/64, which the seeds' tables do not show).
func routeTables(t *testing.T, ns string, want4, want6 []string) {
	t.Helper()
	var got4, got6 []string
	for _, r := range routes(t, ns) {
		// ip route prints no metric for IPv4 routes of metric 0; every
		// IPv6 route has one.
		if strings.Contains(strings.Fields(r)[0], ":") || strings.Contains(r, " metric ") {
			got6 = append(got6, r)
		} else {
			got4 = append(got4, r)
		}
	}
	if !slices.Equal(got4, want4) {
		t.Errorf("namespace %s: IPv4 routes\n  %q\nwant\n  %q", ns, got4, want4)
	}
	for _, w := range want6 {
		if !slices.Contains(got6, w) {
			t.Errorf("namespace %s: IPv6 routes %q lack %q", ns, got6, w)
		}
	}
}
